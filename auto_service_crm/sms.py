"""SMS to the client of an appeal through Frappe's SMS Settings (the gateway a site configures).

``send_sms_to_client`` (whitelisted; the user needs write permission on the Appeal) sends a text
typed on the appeal's form to the appeal's phone and keeps it on the appeal's timeline as a
Communication of medium SMS, marked Error when the gateway refused it. The SMS Notifications of
the alerts go through the same SMS Settings (Frappe's Notification, channel SMS).
"""

import requests

import frappe
from frappe import _
from frappe.core.doctype.sms_settings.sms_settings import send_sms
from frappe.utils import escape_html, get_fullname, now_datetime

SMS_LENGTH = 1000  # a few joined SMS parts at most


@frappe.whitelist()
def send_sms_to_client(appeal: str, message: str) -> dict:
	"""Send ``message`` to the appeal's phone and keep it on the appeal, sent or not: returns the
	Communication's name and whether the gateway took the message."""
	doc = frappe.get_doc("Appeal", appeal)
	doc.check_permission("write")
	message = (message or "").strip()
	if not doc.phone:
		frappe.throw(_("The appeal has no phone number to send an SMS to"), title=_("No Phone"))
	if not message:
		frappe.throw(_("Write the message first"), title=_("Empty Message"))
	if len(message) > SMS_LENGTH:
		frappe.throw(
			_("The message is {0} characters long; an SMS may have at most {1}").format(
				len(message), SMS_LENGTH
			),
			title=_("Message Too Long"),
		)
	if not frappe.db.get_single_value("SMS Settings", "sms_gateway_url"):
		frappe.throw(_("Set the SMS gateway in SMS Settings first"), title=_("SMS Not Configured"))
	reason = None
	try:
		send_sms([doc.phone], message, success_msg=False)
	except requests.RequestException as e:
		reason = str(e)[:500]
	communication = keep(doc, message, reason)
	if reason:
		frappe.msgprint(
			_("The SMS gateway did not take the message: {0}").format(reason),
			title=_("SMS Not Sent"),
			indicator="red",
		)
	return {"communication": communication.name, "sent": not reason}


def keep(doc, message: str, reason: str | None):
	"""The SMS as a Communication of the appeal: the appeal's timeline shows it."""
	user = frappe.session.user
	communication = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "SMS",
			"sent_or_received": "Sent",
			"delivery_status": "Error" if reason else "Sent",
			"subject": (
				_("SMS not sent: {0}").format(reason) if reason else _("SMS to {0}").format(doc.phone)
			)[:1000],
			"content": escape_html(message),
			"phone_no": doc.phone,
			"sender": frappe.db.get_value("User", user, "email") or None,
			"sender_full_name": get_fullname(user),
			"user": user,
			"communication_date": now_datetime(),
			"reference_doctype": "Appeal",
			"reference_name": doc.name,
		}
	)
	communication.flags.skip_add_signature = True
	communication.insert(ignore_permissions=True)
	return communication
