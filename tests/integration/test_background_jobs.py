"""The scheduled alert checks go through rq on Redis and a real worker, not only inline as under the
other tests: the worker's job runs the Notification, whose mail is in the Email Queue once."""

import subprocess
import sys

import frappe
from frappe.utils import add_to_date, now_datetime
from frappe.utils.background_jobs import get_queue

from tests.integration.conftest import SITES
from tests.integration.factories import make_user


def run_worker():
	return subprocess.run(
		[
			sys.executable,
			"-m",
			"frappe.utils.bench_helper",
			"frappe",
			"worker",
			"--queue",
			"short",
			"--burst",
		],
		cwd=SITES,
		capture_output=True,
		text=True,
		timeout=300,
	)


def test_the_sla_check_goes_through_redis_and_the_worker_and_alerts_once():
	supervisor = make_user("Auto Service Manager")
	appeal = frappe.get_doc({"doctype": "Appeal", "channel": "Visit", "phone": "+79164000001"}).insert()
	frappe.db.set_value("Appeal", appeal.name, "response_by", add_to_date(now_datetime(), minutes=-1))
	frappe.db.commit()
	queue = get_queue("short")
	queue.empty()  # jobs other processes left on the test site
	try:
		for _run in range(2):
			job = frappe.enqueue("auto_service_crm.alerts.check_sla_breaches", queue="short")
			assert job is not None and queue.count == 1, "the job waits in Redis"
			worker = run_worker()
			assert worker.returncode == 0, worker.stderr[-2000:]
			assert queue.count == 0
		frappe.db.rollback()
		mails = frappe.get_all("Email Queue", filters={"reference_name": appeal.name}, pluck="name")
		assert len(mails) == 1, "the second run finds the appeal alerted"
		assert supervisor in frappe.get_all(
			"Email Queue Recipient", filters={"parent": mails[0]}, pluck="recipient"
		)
		assert frappe.db.get_value("Appeal", appeal.name, "sla_alert_sent") == 1
	finally:
		frappe.db.rollback()
		mails = frappe.get_all("Email Queue", filters={"reference_name": appeal.name}, pluck="name")
		frappe.db.delete("Email Queue Recipient", {"parent": ["in", mails or [""]]})
		frappe.db.delete("Email Queue", {"reference_name": appeal.name})
		frappe.db.delete("Communication", {"reference_doctype": "Appeal", "reference_name": appeal.name})
		frappe.delete_doc("Appeal", appeal.name, force=True)
		frappe.delete_doc("User", supervisor, force=True)
		frappe.db.commit()
