"""The app's alerts are Frappe Notifications, editable in the desk (seeds 003 and 004).

Shipped: appeal registered and appeal closed (to the client, by email and by SMS), assigned (to
the assignee), callback overdue and SLA breached (to the supervisor role of Auto Service
Settings). Each is one Notification per language, made from the Email Templates of that
language: the client gets the language of the settings' *Client Email Language* (the condition
reads ``doc.client_language``), a staff member the language of their user (the recipient is the
Jinja in *CC* that lists the users of that language). The other languages' Notification of an
alert takes whoever has no Notification in their own language.

The app only says when the alerts that Frappe cannot see happen, as Method events: the scheduled
checks run ``on_callback_overdue`` and ``on_sla_breach`` on the appeal once (its flag marks it),
and a ToDo of an appeal runs ``on_appeal_assigned`` on the ToDo. Frappe renders the alert and puts
the mail into the Email Queue in the same transaction (no background job): none is lost or sent
twice, whatever the queue. A Notification that fails to render is logged in the Error Log.
"""

import frappe
from frappe.utils import now_datetime

REGISTERED = "Appeal Registered"
CLOSED = "Appeal Closed"
ASSIGNED = "Appeal Assigned"
CALLBACK_OVERDUE = "Callback Overdue"
SLA_BREACHED = "SLA Breached"

ON_APPEAL_ASSIGNED = "on_appeal_assigned"
ON_CALLBACK_OVERDUE = "on_callback_overdue"
ON_SLA_BREACH = "on_sla_breach"
APP_METHODS = (ON_APPEAL_ASSIGNED, ON_CALLBACK_OVERDUE, ON_SLA_BREACH)

# when each alert happens, as Notification fields
TRIGGERS = {
	REGISTERED: {"document_type": "Appeal", "event": "New"},
	CLOSED: {
		"document_type": "Appeal",
		"event": "Value Change",
		"value_changed": "completed_on",
		"condition": "doc.completed_on",
	},
	ASSIGNED: {
		"document_type": "ToDo",
		"event": "Method",
		"method": ON_APPEAL_ASSIGNED,
		"condition": 'doc.reference_type == "Appeal"',
	},
	CALLBACK_OVERDUE: {"document_type": "Appeal", "event": "Method", "method": ON_CALLBACK_OVERDUE},
	SLA_BREACHED: {"document_type": "Appeal", "event": "Method", "method": ON_SLA_BREACH},
}

# a ToDo's Notification renders the appeal's template: the template's ``doc`` is the appeal
APPEAL_OF_TODO = '{% set doc = frappe.get_doc("Appeal", doc.reference_name) %}'

SUPERVISORS_CC = (
	'{{ frappe.get_all("User", filters={"name": ["in", frappe.get_all("Has Role", filters={"role": '
	'frappe.db.get_single_value("Auto Service Settings", "supervisor_role") or "Auto Service Manager", '
	'"parenttype": "User"}, pluck="parent") or [""]], "enabled": 1, "user_type": "System User", '
	'"language": %s}, pluck="email") | join("\\n") }}'
)
ASSIGNEE_CC = (
	'{{ frappe.get_all("User", filters={"name": doc.allocated_to, "enabled": 1, '
	'"user_type": "System User", "language": %s}, pluck="email") | join("\\n") }}'
)


def language_filter(language: str | None, others: list[str]) -> str:
	"""A Jinja filter value for the users of ``language``: English, or no language, takes every
	user whose language has no Notification of its own (``others``)."""
	if language and language != "en":
		return f'"{language}"'
	return "[" + '"not in", [' + ", ".join(f'"{other}"' for other in others or [""]) + "]]"


def language_condition(language: str | None, others: list[str]) -> str:
	"""The condition on the client's language (``doc.client_language``), likewise."""
	if language and language != "en":
		return f'doc.client_language == "{language}"'
	return f"doc.client_language not in {tuple(others or [''])!r}"


def notification(
	name: str,
	alert: str,
	recipient: str,
	language: str | None,
	others: list[str],
	template: str,
	channel: str = "Email",
	enabled: bool = True,
) -> dict:
	"""The Notification of ``alert`` to a kind of recipient in one language, from an Email Template."""
	subject, html, text, use_html = frappe.db.get_value(
		"Email Template", template, ["subject", "response_html", "response", "use_html"]
	)
	trigger = dict(TRIGGERS[alert])
	conditions = [trigger.pop("condition", None)]
	if recipient == "Client":
		conditions += ["doc.phone" if channel == "SMS" else "doc.email", language_condition(language, others)]
		rows = [{"receiver_by_document_field": "phone" if channel == "SMS" else "email"}]
	else:
		cc = SUPERVISORS_CC if recipient == "Supervisor" else ASSIGNEE_CC
		rows = [{"cc": cc % language_filter(language, others)}]
	prefix = APPEAL_OF_TODO if trigger["document_type"] == "ToDo" else ""
	doc = {
		"doctype": "Notification",
		"name": name,
		"__newname": name,
		"enabled": int(enabled),
		"channel": channel,
		**trigger,
		"condition": " and ".join(c for c in conditions if c),
		"recipients": rows,
	}
	if channel == "SMS":
		# an SMS is the template's subject: one line, the appeal's number
		doc.update({"message_type": "Plain Text", "message": prefix + subject})
	else:
		doc.update(
			{
				"subject": prefix + subject,
				"message_type": "HTML",
				"message": prefix + ((html if use_html else text) or ""),
			}
		)
	return doc


def notification_name(alert: str, recipient: str, language: str | None, channel: str = "Email") -> str:
	return f"{alert}: {recipient} {channel} ({language or 'any'})"


def shipped_notifications(sms_ready: bool) -> list[dict]:
	"""The app's alerts (``defaults.EMAIL_TEMPLATES``) as Notifications: by email in each language,
	and to the client by SMS too, enabled when SMS Settings have a gateway."""
	from auto_service_crm.setup.defaults import EMAIL_TEMPLATES

	out = []
	for alert, recipient, language, template, _subject, _body in EMAIL_TEMPLATES:
		others = explicit_languages(
			row[2] for row in EMAIL_TEMPLATES if row[0] == alert and row[1] == recipient
		)
		channels = [("Email", True)] + ([("SMS", sms_ready)] if recipient == "Client" else [])
		for channel, enabled in channels:
			out.append(
				notification(
					notification_name(alert, recipient, language, channel),
					alert,
					recipient,
					language,
					others,
					template,
					channel=channel,
					enabled=enabled,
				)
			)
	return out


def explicit_languages(languages) -> list[str]:
	"""The languages that have a Notification of their own (English is the fallback)."""
	return sorted({language for language in languages if language and language != "en"})


def app_notifications() -> list[str]:
	"""The Notifications of the app's DocTypes and of its methods (a consultant's ones too)."""
	on_doctypes = frappe.get_all(
		"Notification", filters={"document_type": ["in", ("Appeal", "Service Request")]}, pluck="name"
	)
	on_methods = frappe.get_all(
		"Notification",
		filters={
			"event": "Method",
			"method": ["in", (ON_APPEAL_ASSIGNED, ON_CALLBACK_OVERDUE, ON_SLA_BREACH)],
		},
		pluck="name",
	)
	return sorted(set(on_doctypes + on_methods))


# Document events and scheduled checks ------------------------------------------------------


def on_todo_insert(todo, method=None) -> None:
	"""An appeal assigned (by an Assignment Rule, a redirect or by hand): the ToDo's Notifications
	of ``on_appeal_assigned`` tell the assignee."""
	if todo.reference_type == "Appeal" and todo.allocated_to and todo.status == "Open":
		if frappe.flags.asc_assigned_later is not None:
			# routing after a filing: told once the assignment is committed (auto_service_crm/routing.py)
			frappe.flags.asc_assigned_later.append(todo.name)
			return
		todo.run_method(ON_APPEAL_ASSIGNED)


def tell_assigned(todos: list[str]) -> None:
	"""The assignment alerts of ToDos whose telling was put off (``on_todo_insert``)."""
	for name in todos:
		if frappe.db.exists("ToDo", name):
			frappe.get_doc("ToDo", name).run_method(ON_APPEAL_ASSIGNED)


def check_overdue_callbacks() -> None:
	"""Every few minutes: appeals whose callback time has passed while they are still open."""
	alert_once(ON_CALLBACK_OVERDUE, "callback_alert_sent", {"callback_at": ["<", now_datetime()]})


def check_sla_breaches() -> None:
	"""Every few minutes: appeals not answered by the SLA's response time."""
	if not frappe.get_meta("Appeal").has_field("response_by"):
		return  # no Service Level Agreement on Appeal
	alert_once(
		ON_SLA_BREACH,
		"sla_alert_sent",
		{"response_by": ["<", now_datetime()], "first_responded_on": ["is", "not set"]},
	)


def alert_once(method: str, sent_flag: str, filters: dict) -> None:
	"""Run ``method``'s Notifications on each open appeal matching ``filters`` once: the flag, set
	in the same transaction as the mail is queued, marks it as alerted."""
	due = frappe.get_all(
		"Appeal",
		filters={**filters, "completed_on": ["is", "not set"], sent_flag: 0},
		pluck="name",
		limit=500,
	)
	for name in due:
		frappe.db.set_value("Appeal", name, sent_flag, 1, update_modified=False)
		frappe.get_doc("Appeal", name).run_method(method)
