"""Website form in callback mode, asynchronously: the form files the appeal and the sequence's first
attempt goes to the telephony at once (a small HTTP server of the test on loopback plays it, no mock
objects); attempts nobody answers time out one after the other (the minute's check), and then the
operators get the task to call the client back."""

import frappe
from frappe.utils import add_to_date, now_datetime

from auto_service_crm.intake.events import FormSubmission
from auto_service_crm.intake_filing import file_form
from auto_service_crm.telephony import callback
from tests.integration.factories import make_user
from tests.integration.test_calls_out import configure, provider_of, requested_logs


def test_the_group_gets_its_attempts_then_a_task_for_the_operators(provider_of):  # noqa: F811
	provider = provider_of("generic", [(202, b"", 0)])
	configure("generic", provider, dial_attempts=3)
	operator = make_user("Auto Service Operator")
	form = FormSubmission(mode="callback", name="Вера", phone="+79163000001", comment="Перезвоните")
	appeal = file_form(form)  # the job runs at once under tests: the first attempt is asked for
	assert [c["from"] for c in provider.calls] == ["200"]
	for expected in (["200", "200"], ["200", "200", "200"], ["200", "200", "200"]):
		for log in requested_logs(appeal):
			if log.status == "Queued" and log.medium:
				frappe.db.set_value(
					"Call Log", log.name, "start_time", add_to_date(now_datetime(), seconds=-61)
				)
		callback.check_callbacks()
		assert [c["from"] for c in provider.calls] == expected
	assert [log.status for log in requested_logs(appeal)] == ["No Answer"] * 3
	doc = frappe.get_doc("Appeal", appeal)
	assert doc.call_back and doc.callback_at
	assert frappe.db.exists("ToDo", {"reference_name": appeal, "allocated_to": operator, "status": "Open"})
