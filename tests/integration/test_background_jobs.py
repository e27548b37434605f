"""Alerts go through rq on Redis and a real worker, not only inline as under the other tests."""

import subprocess
import sys

import frappe
from frappe.utils.background_jobs import get_queue

from tests.integration.conftest import SITES


def test_an_alert_job_goes_through_redis_and_the_worker():
	appeal = frappe.get_doc(
		{"doctype": "Appeal", "channel": "Visit", "phone": "+79164000001", "email": "rq-client@example.com"}
	).insert()
	frappe.db.delete("Email Queue", {"reference_name": appeal.name})  # the one sent inline at insert
	frappe.db.commit()
	queue = get_queue("short")
	queue.empty()  # jobs other processes left on the test site
	try:
		job = frappe.enqueue(
			"auto_service_crm.alerts.send_alert", queue="short", alert="Appeal Registered", appeal=appeal.name
		)
		assert job is not None and queue.count == 1, "the job waits in Redis"
		worker = subprocess.run(
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
		assert worker.returncode == 0, worker.stderr[-2000:]
		assert queue.count == 0
		frappe.db.rollback()
		assert frappe.get_all("Email Queue", filters={"reference_name": appeal.name})
	finally:
		frappe.db.rollback()
		frappe.db.delete("Email Queue", {"reference_name": appeal.name})
		frappe.delete_doc("Appeal", appeal.name, force=True)
		frappe.db.commit()
