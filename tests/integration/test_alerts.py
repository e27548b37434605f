"""Email alerts from Email Templates, the assignment rule, the scheduled checks and the 2-hour SLA."""

import email
from email.header import decode_header, make_header

import frappe
from frappe.utils import add_to_date, get_datetime, now_datetime

from auto_service_crm import alerts
from tests.integration.factories import make_appeal, make_user


def decoded(mime: str) -> str:
	"""Subject and text of a queued MIME message, decoded (Cyrillic comes encoded)."""
	message = email.message_from_string(mime)
	parts = [str(make_header(decode_header(message["Subject"] or "")))]
	for part in message.walk():
		if part.get_content_maintype() == "text":
			parts.append(part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8"))
	return "\n".join(parts)


def queued(recipient, reference_name=None):
	"""Subject and text of the mails queued for ``recipient``."""
	queue = frappe.qb.DocType("Email Queue")
	recipients = frappe.qb.DocType("Email Queue Recipient")
	query = (
		frappe.qb.from_(queue)
		.join(recipients)
		.on(recipients.parent == queue.name)
		.select(queue.message)
		.where(recipients.recipient == recipient)
	)
	if reference_name:
		query = query.where(queue.reference_name == reference_name)
	return [decoded(row[0]) for row in query.run()]


def test_the_client_hears_that_the_appeal_is_registered_and_closed_in_russian():
	appeal = make_appeal(phone="+79160000101", client_name="Анна", email="anna@example.com", category="Other")
	mails = queued("anna@example.com", appeal.name)
	assert len(mails) == 1 and f"обращение {appeal.name} зарегистрировано" in mails[0]
	appeal.complete()
	mails = queued("anna@example.com", appeal.name)
	assert len(mails) == 2 and any(f"обращение {appeal.name} закрыто" in m for m in mails)


def test_client_language_comes_from_settings():
	frappe.db.set_single_value("Auto Service Settings", "client_email_language", "en")
	frappe.clear_document_cache("Auto Service Settings", "Auto Service Settings")
	appeal = make_appeal(phone="+79160000102", email="bob@example.com")
	assert any(f"appeal {appeal.name} is registered" in m for m in queued("bob@example.com", appeal.name))


def test_no_email_no_client_alert():
	appeal = make_appeal(phone="+79160000103", category="Other")
	appeal.complete()
	assert not frappe.get_all("Email Queue", filters={"reference_name": appeal.name})


def test_the_specialist_hears_of_a_redirect_in_their_language():
	specialist = make_user("Service Advisor")
	frappe.db.set_value("User", specialist, "language", "en")
	appeal = make_appeal(
		phone="+79160000104", category="Repair Services", result="Redirect", redirect_to=specialist
	)
	appeal.complete()
	mails = queued(specialist, appeal.name)
	assert len(mails) == 1 and f"Appeal {appeal.name} is assigned to you" in mails[0]


def test_assignment_rule_routes_new_appeals_among_operators_and_tells_them():
	first, second = make_user("Auto Service Operator"), make_user("Auto Service Operator")
	rule = frappe.get_doc("Assignment Rule", "Appeals to Operators")
	rule.users = []
	for user in (first, second):
		rule.append("users", {"user": user})
	rule.disabled = 0
	rule.save()
	one = make_appeal(phone="+79160000105")
	two = make_appeal(phone="+79160000106")
	assigned = [frappe.parse_json(frappe.db.get_value("Appeal", a.name, "_assign")) for a in (one, two)]
	assert sorted(a[0] for a in assigned) == sorted([first, second])
	assert queued(assigned[0][0], one.name) and queued(assigned[1][0], two.name)
	one.reload()
	one.category = "Other"
	one.save()
	one.complete()
	assert (
		frappe.db.get_value("ToDo", {"reference_name": one.name, "allocated_to": assigned[0][0]}, "status")
		== "Closed"
	)


def test_overdue_callback_alerts_the_supervisor_once():
	supervisor = make_user("Auto Service Manager")
	specialist = make_user("Parts Manager")
	appeal = make_appeal(
		phone="+79160000107",
		category="Spare Parts",
		result="Redirect",
		redirect_to=specialist,
		call_back=1,
		callback_at=add_to_date(now_datetime(), hours=1),
	)
	appeal.complete()
	alerts.check_overdue_callbacks()
	assert not queued(supervisor, appeal.name), "not overdue yet"
	frappe.db.set_value("Appeal", appeal.name, "callback_at", add_to_date(now_datetime(), minutes=-5))
	alerts.check_overdue_callbacks()
	alerts.check_overdue_callbacks()
	mails = queued(supervisor, appeal.name)
	assert len(mails) == 1 and appeal.name in mails[0]


def test_sla_sets_the_response_deadline_and_fulfils_on_completion():
	appeal = make_appeal(phone="+79160000108")
	assert appeal.service_level_agreement
	assert appeal.agreement_status == "First Response Due"
	assert get_datetime(appeal.response_by) > get_datetime(appeal.creation)
	appeal.category = "Other"
	appeal.save()
	appeal.complete()
	appeal.reload()
	assert appeal.first_responded_on and appeal.agreement_status == "Fulfilled"


def test_sla_answered_too_late_fails():
	appeal = make_appeal(phone="+79160000109", category="Other")
	frappe.flags.current_time = add_to_date(get_datetime(appeal.response_by), minutes=1)
	try:
		appeal.complete()
	finally:
		frappe.flags.current_time = None
	appeal.reload()
	assert appeal.agreement_status == "Failed"


def test_sla_breach_alerts_the_supervisor_once():
	supervisor = make_user("Auto Service Manager")
	appeal = make_appeal(phone="+79160000110")
	alerts.check_sla_breaches()
	assert not queued(supervisor, appeal.name)
	frappe.db.set_value("Appeal", appeal.name, "response_by", add_to_date(now_datetime(), minutes=-1))
	alerts.check_sla_breaches()
	alerts.check_sla_breaches()
	mails = queued(supervisor, appeal.name)
	assert len(mails) == 1 and appeal.name in mails[0]


def test_the_scheduler_runs_the_checks():
	events = frappe.get_hooks("scheduler_events")["cron"]["*/5 * * * *"]
	assert "auto_service_crm.alerts.check_overdue_callbacks" in events
	assert "auto_service_crm.alerts.check_sla_breaches" in events
	for method in events:
		assert frappe.db.exists("Scheduled Job Type", {"method": method})
