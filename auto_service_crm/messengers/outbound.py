"""The operator answers the client of a chat appeal in the conversation's own messenger.

``send_reply`` (whitelisted; the operator needs write permission on the Appeal) sends the text to
the conversation of the appeal (Telegram: the chat; WhatsApp: the client's wa_id, as text within
24 hours of the client's last message and as the settings' template after that; Jivo: the chat and
its client through the Bot API) and keeps every reply it sends as a Communication of the appeal:
medium Chat, Sent, the operator as its sender, ``delivery_status`` "Sent"; a reply the provider
refused, that timed out or got an answer the app cannot read is kept too, with ``delivery_status``
"Error" and the reason as its subject, and the reason is shown to the operator. Nothing is raised
once the provider was asked, so the kept reply is committed with the request; what stops a reply
before anything is sent (no text, too long, the messenger not configured, no address) is refused
with a message and nothing is kept.

Requests and answers are the providers' own, built and read by the pure functions of
``messengers.telegram``, ``messengers.whatsapp`` and ``messengers.jivosite``; the secrets are read
from Auto Service Settings and never kept nor shown (Telegram's and Jivo's are in the URL).
"""

import time
import uuid

import requests
from urllib3.exceptions import ReadTimeoutError

import frappe
from frappe import _
from frappe.utils import escape_html, get_fullname, now_datetime

from auto_service_crm.messengers import jivosite, telegram, whatsapp
from auto_service_crm.messengers.filing import announce
from auto_service_crm.messengers.replies import ReplyOutcome, ReplyRequest
from auto_service_crm.settings import get_settings

# Seconds to connect, and to wait for the provider's answer.
TIMEOUT_SECONDS = (5, 20)
MAX_ANSWER_BYTES = 64 * 1024
JIVO_PAYLOADS_READ = 20


class NotSendable(Exception):
	"""The reply cannot be sent at all; the message says why (translated)."""


def password(field: str) -> str | None:
	return get_settings().get_password(field, raise_exception=False)


@frappe.whitelist()
def send_reply(appeal: str, text: str) -> dict:
	"""Send ``text`` to the client of the chat appeal and keep it as a Communication of the appeal,
	delivered or not. Returns the Communication's name, whether it was delivered, the reason it was
	not, and the WhatsApp template used outside the 24-hour window."""
	doc = frappe.get_doc("Appeal", appeal)
	doc.check_permission("write")
	text = (text or "").strip()
	if doc.channel != "Chat" or not doc.chat_platform or not doc.conversation_id:
		frappe.throw(_("Only an appeal of a chat can be answered in its messenger"), title=_("Not a Chat"))
	if not text:
		frappe.throw(_("Write the reply first"), title=_("Empty Reply"))
	try:
		request, read, template = prepare(doc, text)
	except NotSendable as e:
		frappe.throw(str(e), title=_("The Reply Was Not Sent"))
	outcome, failure = post(request, read, doc.chat_platform)
	reason = None if outcome and outcome.delivered else failure or refusal(outcome, doc.chat_platform)
	communication = keep(doc, text, outcome if not failure else None, reason, template)
	if reason:
		frappe.msgprint(
			_("{0} did not deliver the reply: {1}").format(doc.chat_platform, reason),
			title=_("Not Delivered"),
			indicator="red",
		)
	return {
		"communication": communication.name,
		"delivered": not reason,
		"reason": reason,
		"template": template,
	}


def prepare(doc, text: str) -> tuple[ReplyRequest, object, str | None]:
	"""The provider's request for the reply, the reader of its answer and the template used (if any)."""
	settings = get_settings()
	platform = doc.chat_platform
	if platform == "Telegram":
		token = password("telegram_bot_token")
		if not token:
			raise NotSendable(_("Set the Telegram bot token in Auto Service Settings"))
		too_long(text, telegram.MAX_REPLY)
		request = telegram.reply_request(
			settings.telegram_api_url or "https://api.telegram.org", token, doc.conversation_id, text
		)
		return request, telegram.read_reply, None
	if platform == "WhatsApp":
		token = password("whatsapp_access_token")
		if not token or not settings.whatsapp_phone_number_id:
			raise NotSendable(_("Set the WhatsApp access token and phone number ID in Auto Service Settings"))
		too_long(text, whatsapp.MAX_REPLY)
		api = settings.whatsapp_api_url or "https://graph.facebook.com/v21.0"
		args = (api, settings.whatsapp_phone_number_id, token, doc.conversation_id)
		if whatsapp.in_service_window(last_received(doc), now_datetime()):
			return whatsapp.reply_request(*args, text), whatsapp.read_reply, None
		if not settings.whatsapp_template:
			raise NotSendable(
				_(
					"More than 24 hours have passed since the client's last message: WhatsApp accepts only an approved template now. Set it in Auto Service Settings"
				)
			)
		template = settings.whatsapp_template
		request = whatsapp.template_request(
			*args, template, settings.whatsapp_template_language or "ru", text
		)
		return request, whatsapp.read_reply, template
	if platform == "Jivosite":
		bot_url = password("jivosite_bot_url")
		if not bot_url:
			raise NotSendable(_("Set the Jivo Bot API address in Auto Service Settings"))
		client_id = jivo_client_id(doc)
		if not client_id:
			raise NotSendable(_("Jivo has not told the app who the client of this chat is"))
		event_id = str(uuid.uuid4())
		request = jivosite.reply_request(
			bot_url, client_id, doc.conversation_id, text, event_id, int(time.time())
		)
		return request, lambda status, body: jivosite.read_reply(status, body, event_id), None
	raise NotSendable(_("The app cannot answer in {0}").format(platform))


def too_long(text: str, limit: int) -> None:
	if len(text) > limit:
		raise NotSendable(_("The reply is longer than {0} characters").format(limit))


def conversation_appeals(doc) -> list[str]:
	"""Every appeal of the same conversation: a conversation continues after its appeal is done."""
	return frappe.get_all(
		"Appeal",
		filters={"chat_platform": doc.chat_platform, "conversation_id": doc.conversation_id},
		pluck="name",
	)


def last_received(doc):
	"""When the client last wrote in this conversation (None: never, as far as the app knows)."""
	found = frappe.get_all(
		"Communication",
		filters={
			"reference_doctype": "Appeal",
			"reference_name": ["in", conversation_appeals(doc)],
			"communication_medium": "Chat",
			"sent_or_received": "Received",
		},
		fields=["communication_date"],
		order_by="communication_date desc",
		limit=1,
	)
	return found[0].communication_date if found else None


def jivo_client_id(doc) -> str | None:
	"""The Jivo client of the conversation, from the newest Jivo events kept for its appeals."""
	payloads = frappe.get_all(
		"Intake Payload",
		filters={"provider": "jivosite", "appeal": ["in", conversation_appeals(doc)]},
		pluck="payload",
		order_by="creation desc",
		limit=JIVO_PAYLOADS_READ,
	)
	for body in payloads:
		client_id = jivosite.client_id_of(frappe.parse_json(body) if body else None)
		if client_id:
			return client_id
	return None


def post(request: ReplyRequest, read, platform: str) -> tuple[ReplyOutcome | None, str | None]:
	"""POST the request; the provider's answer read, or (None, why no answer came)."""
	try:
		with requests.post(
			request.url, json=request.body, headers=request.headers, timeout=TIMEOUT_SECONDS, stream=True
		) as response:
			body = b""
			for chunk in response.iter_content(8192):
				body += chunk
				if len(body) >= MAX_ANSWER_BYTES:
					break
			status = response.status_code
	except requests.Timeout:
		return None, no_answer(platform)
	except (requests.RequestException, OSError) as e:
		if e.args and isinstance(e.args[0], ReadTimeoutError):  # the body stopped coming
			return None, no_answer(platform)
		# the exception's text holds the URL, and Telegram's and Jivo's URLs hold their token
		return None, _("{0} could not be reached ({1})").format(platform, type(e).__name__)
	return read(status, body), None


def no_answer(platform: str) -> str:
	return _("{0} did not answer within {1} seconds").format(platform, TIMEOUT_SECONDS[1])


def refusal(outcome: ReplyOutcome, platform: str) -> str:
	"""The provider's reason for not delivering, for the operator."""
	if outcome.reason:
		if outcome.code and outcome.code not in outcome.reason:
			return f"{outcome.reason} ({outcome.code})"
		return outcome.reason
	if outcome.answer is not None:
		return _("unreadable answer (HTTP {0}): {1}").format(outcome.http_status, outcome.answer or "-")
	return _("refused with code {0}").format(outcome.code)


def keep(doc, text: str, outcome: ReplyOutcome | None, reason: str | None, template: str | None):
	"""The reply as a Communication of the appeal: delivered, or failed with its reason as subject."""
	user = frappe.session.user
	sender_name = get_fullname(user)
	sender = frappe.db.get_value("User", user, "email") or None
	if reason:
		subject = reason
	elif template:
		subject = _("{0}: {1}, template {2}").format(doc.chat_platform, sender_name, template)
	else:
		subject = f"{doc.chat_platform}: {sender_name}"
	communication = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Chat",
			"sent_or_received": "Sent",
			"delivery_status": "Error" if reason else "Sent",
			"subject": subject[:1000],
			"content": escape_html(text),
			"sender": sender,
			"sender_full_name": sender_name,
			"user": user,
			"communication_date": now_datetime(),
			"reference_doctype": "Appeal",
			"reference_name": doc.name,
			"message_id": f"{doc.chat_platform}:sent:{outcome.message_id}"
			if outcome and outcome.delivered and outcome.message_id
			else None,
		}
	)
	communication.flags.skip_add_signature = True
	communication.insert(ignore_permissions=True)
	announce(doc.name, communication.name, "Sent")
	return communication
