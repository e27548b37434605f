"""The defaults of the maintenance invitations, made by idempotent install steps: the channel
«Maintenance Invitation», the category of the same name with its call script, and the invitation
to the client as Email Templates and Notifications per language (English and Russian). Each is made
once: a consultant's edits or deletions stay. The Notifications go with the app on uninstall."""

import frappe

from auto_service_crm.alerts import explicit_languages, language_condition

CHANNEL = "Maintenance Invitation"
CATEGORY = "Maintenance Invitation"
NOTIFIED_DOCTYPE = "Maintenance Invitation"

CHANNEL_RECORD = {
	"channel_name": CHANNEL,
	"description": "Outgoing appeals the daily job makes when a car's next service is due.",
}
CATEGORY_RECORD = {
	"category_name": CATEGORY,
	"display_order": 7,
	"is_targeted": 1,
	"on_selection": "Ask for Result",
	"results": ("Client Booked", "Postpone", "Redirect", "Refused"),
	"description": "The station invites the client to the car's next maintenance. Booking the client "
	"hands the appeal off into a Service Request.",
	"call_script": "<p>Introduce yourself and the station. Say that the car's maintenance is due "
	"(the reason is in the client comment) and ask for the current mileage. Offer the nearest free "
	"time; if the client is not ready, agree when to call back.</p>",
}
TEXTS_RU = {
	CHANNEL_RECORD["description"]: "Исходящие обращения, которые ежедневное задание создаёт, когда "
	"автомобилю пора на очередное ТО.",
	CATEGORY_RECORD["description"]: "СТО приглашает клиента на очередное ТО автомобиля. Запись клиента "
	"передаёт обращение в «Обращение в СТО».",
	CATEGORY_RECORD["call_script"]: "<p>Представьтесь и назовите СТО. Скажите, что автомобилю пора на ТО "
	"(причина — в комментарии клиента), и уточните текущий пробег. Предложите ближайшее свободное "
	"время; если клиент не готов, договоритесь, когда перезвонить.</p>",
}

# (language, template name, subject, body): the subject is the SMS too
EMAIL_TEMPLATES = (
	(
		"en",
		"Maintenance Invitation",
		"Time for the maintenance of your car {{ doc.vehicle_title or '' }}",
		"<p>Hello{% if doc.customer_name %}, {{ doc.customer_name }}{% endif %}!</p>"
		"<p>Your car {{ doc.vehicle_title or '' }} is due for maintenance"
		"{% if doc.due_date %} by {{ frappe.utils.format_date(doc.due_date) }}{% endif %}"
		"{% if doc.due_mileage %} or at {{ doc.due_mileage }} km{% endif %}.</p>"
		"<p>{{ doc.reason or '' }}</p><p>Call us or answer this letter to book a visit.</p>",
	),
	(
		"ru",
		"Приглашение на ТО",
		"Пора на ТО: ваш автомобиль {{ doc.vehicle_title or '' }}",
		"<p>Здравствуйте{% if doc.customer_name %}, {{ doc.customer_name }}{% endif %}!</p>"
		"<p>Вашему автомобилю {{ doc.vehicle_title or '' }} пора на техническое обслуживание"
		"{% if doc.due_date %} до {{ frappe.utils.format_date(doc.due_date) }}{% endif %}"
		"{% if doc.due_mileage %} или на пробеге {{ doc.due_mileage }} км{% endif %}.</p>"
		"<p>{{ doc.reason or '' }}</p><p>Позвоните нам или ответьте на это письмо, чтобы записаться.</p>",
	),
)


def localized(record: dict, language: str | None) -> dict:
	"""The record with its description and call script in ``language`` when the app has them."""
	texts = TEXTS_RU if (language or "").split("-")[0] == "ru" else {}
	return {
		key: texts.get(value, value) if key in ("description", "call_script") else value
		for key, value in record.items()
	}


def deleted(doctype: str, name: str) -> bool:
	return bool(frappe.db.exists("Deleted Document", {"deleted_doctype": doctype, "deleted_name": name}))


def make_maintenance_defaults() -> None:
	"""The channel, the category, the templates and the Notifications, each only when missing and
	never deleted by the consultant."""
	language = frappe.db.get_single_value("System Settings", "language")
	if not frappe.db.exists("Appeal Channel", CHANNEL) and not deleted("Appeal Channel", CHANNEL):
		frappe.get_doc({"doctype": "Appeal Channel", **localized(CHANNEL_RECORD, language)}).insert(
			ignore_permissions=True
		)
	if not frappe.db.exists("Appeal Category", CATEGORY) and not deleted("Appeal Category", CATEGORY):
		record = localized(CATEGORY_RECORD, language)
		record["results"] = [
			{"result": result} for result in record["results"] if frappe.db.exists("Appeal Result", result)
		]
		frappe.get_doc({"doctype": "Appeal Category", **record}).insert(ignore_permissions=True)
	for _language, name, subject, body in EMAIL_TEMPLATES:
		if not frappe.db.exists("Email Template", name):
			frappe.get_doc(
				{
					"doctype": "Email Template",
					"name": name,
					"subject": subject,
					"use_html": 1,
					"response_html": body,
				}
			).insert(ignore_permissions=True)
	for spec in shipped_notifications():
		if frappe.db.exists("Notification", spec["name"]) or deleted("Notification", spec["name"]):
			continue
		frappe.get_doc(spec).insert(ignore_permissions=True)


def notification_name(channel: str, language: str) -> str:
	return f"Maintenance Invitation: Client {channel} ({language})"


def shipped_notifications() -> list[dict]:
	"""The invitation to the client, by email and by SMS in each language: sent when a new
	Maintenance Invitation is marked *Invited by Email* / *Invited by SMS* (the daily job marks it
	as Auto Service Settings say) and the client's language is the template's."""
	others = explicit_languages(language for language, *_rest in EMAIL_TEMPLATES)
	out = []
	for language, template, _subject, _body in EMAIL_TEMPLATES:
		for channel, flag, field in (("Email", "sent_email", "email"), ("SMS", "sent_sms", "phone")):
			doc = {
				"doctype": "Notification",
				"name": notification_name(channel, language),
				"__newname": notification_name(channel, language),
				"enabled": 1,
				"channel": channel,
				"document_type": NOTIFIED_DOCTYPE,
				"event": "New",
				"condition": f"doc.{flag} and doc.{field} and {language_condition(language, others)}",
				"recipients": [{"receiver_by_document_field": field}],
			}
			subject, html = frappe.db.get_value("Email Template", template, ["subject", "response_html"])
			if channel == "SMS":
				doc.update({"message_type": "Plain Text", "message": subject})
			else:
				doc.update({"subject": subject, "message_type": "HTML", "message": html})
			out.append(doc)
	return out


def remove_maintenance_defaults() -> None:
	"""On uninstall: the Notifications on Maintenance Invitation (a consultant's too) and the
	shipped templates; the channel and the category go with the app's DocTypes."""
	for name in frappe.get_all("Notification", filters={"document_type": NOTIFIED_DOCTYPE}, pluck="name"):
		frappe.delete_doc("Notification", name, ignore_permissions=True, force=True, delete_permanently=True)
	for _language, name, _subject, _body in EMAIL_TEMPLATES:
		if frappe.db.exists("Email Template", name):
			frappe.delete_doc("Email Template", name, ignore_permissions=True, force=True)
