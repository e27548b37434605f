"""Email alerts from Email Templates (seeds 003 and 004): to the client when the appeal is
registered and closed, to the assignee on assignment and redirect, to the supervisor when a
callback is overdue or the SLA is breached. Which template goes to whom is the table in
Auto Service Settings; every alert is sent by a background job on the rq queue."""

import frappe
from frappe.email.doctype.email_template.email_template import get_email_template
from frappe.utils import now_datetime

from auto_service_crm.background import enqueue_after_commit
from auto_service_crm.settings import get_settings

REGISTERED = "Appeal Registered"
CLOSED = "Appeal Closed"
ASSIGNED = "Appeal Assigned"
CALLBACK_OVERDUE = "Callback Overdue"
SLA_BREACHED = "SLA Breached"


def enqueue_alert(alert: str, appeal: str, user: str | None = None) -> None:
	"""Send after the transaction commits, in the short queue (at once under tests); with the queue
	down, the mail goes to the Email Queue at once instead of being lost."""
	enqueue_after_commit(
		"auto_service_crm.alerts.send_alert", send_alert, alert=alert, appeal=appeal, user=user
	)


def send_alert(alert: str, appeal: str, user: str | None = None) -> None:
	doc = frappe.get_doc("Appeal", appeal)
	settings = get_settings()
	rows = [row for row in settings.email_alerts if row.enabled and row.event == alert]
	for recipient_kind in dict.fromkeys(row.recipient for row in rows):
		choices = [row for row in rows if row.recipient == recipient_kind]
		for email, language in recipients(recipient_kind, doc, user, settings):
			template = pick_template(choices, language)
			if template:
				send(template, language, email, doc)


def recipients(kind: str, doc, user: str | None, settings) -> list[tuple[str, str | None]]:
	"""(email, language) of whom a kind of recipient means for this appeal."""
	if kind == "Client":
		return [(doc.email, settings.client_email_language)] if doc.email else []
	if kind == "Assignee":
		users = [user] if user else frappe.parse_json(doc.get("_assign") or "[]")
	else:
		users = frappe.get_all(
			"Has Role",
			filters={"role": settings.supervisor_role or "Auto Service Manager", "parenttype": "User"},
			pluck="parent",
			distinct=True,
		)
	found = frappe.get_all(
		"User",
		filters={"name": ["in", users or [""]], "enabled": 1, "user_type": "System User"},
		fields=["email", "language"],
	)
	return [(u.email, u.language) for u in found if u.email]


def pick_template(rows, language: str | None) -> str | None:
	"""The template in the recipient's language, else the one without a language, else English."""
	by_language = {row.language or "": row.email_template for row in rows}
	for choice in (language, "", "en"):
		if choice is not None and choice in by_language:
			return by_language[choice]
	return rows[0].email_template if rows else None


def send(template: str, language: str | None, email: str, doc) -> None:
	previous = frappe.local.lang
	frappe.local.lang = language or previous
	try:
		rendered = get_email_template(template, {**doc.as_dict(), "doc": doc})
	finally:
		frappe.local.lang = previous
	frappe.sendmail(
		recipients=[email],
		subject=rendered["subject"],
		message=rendered["message"],
		reference_doctype=doc.doctype,
		reference_name=doc.name,
	)


# Document events and scheduled checks ------------------------------------------------------


def on_todo_insert(todo, method=None) -> None:
	"""An appeal assigned (by an Assignment Rule, a redirect or by hand): tell the assignee."""
	if todo.reference_type == "Appeal" and todo.allocated_to and todo.status == "Open":
		enqueue_alert(ASSIGNED, todo.reference_name, user=todo.allocated_to)


def check_overdue_callbacks() -> None:
	"""Every few minutes: appeals whose callback time has passed while they are still open."""
	alert_once(CALLBACK_OVERDUE, "callback_alert_sent", {"callback_at": ["<", now_datetime()]})


def check_sla_breaches() -> None:
	"""Every few minutes: appeals not answered by the SLA's response time."""
	if not frappe.get_meta("Appeal").has_field("response_by"):
		return  # no Service Level Agreement on Appeal
	alert_once(
		SLA_BREACHED,
		"sla_alert_sent",
		{"response_by": ["<", now_datetime()], "first_responded_on": ["is", "not set"]},
	)


def alert_once(alert: str, sent_flag: str, filters: dict) -> None:
	"""Alert about each open appeal matching ``filters`` once: the flag marks it as alerted."""
	due = frappe.get_all(
		"Appeal",
		filters={**filters, "completed_on": ["is", "not set"], sent_flag: 0},
		pluck="name",
		limit=500,
	)
	for name in due:
		frappe.db.set_value("Appeal", name, sent_flag, 1, update_modified=False)
		enqueue_alert(alert, name)
