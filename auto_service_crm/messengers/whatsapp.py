"""WhatsApp Cloud API (Meta) webhooks: incoming messages, the signature and the subscription check.

Sources (as published):
- https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/
  (the "messages" webhook: text, image, video, audio, document, sticker, location, contacts,
  button, interactive, reaction, system, unsupported);
- https://developers.facebook.com/docs/graph-api/webhooks/getting-started (GET verification with
  hub.mode / hub.verify_token / hub.challenge; ``X-Hub-Signature-256: sha256=<hex>``, the
  HMAC-SHA256 of the raw body with the app secret);
- https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids/
  (2026: users with a username may come without a phone: ``from_user_id`` / ``user_id``).

Payload: ``{"object": "whatsapp_business_account", "entry": [{"id", "changes": [{"field":
"messages", "value": {"metadata", "contacts": [{"profile": {"name"}, "wa_id"}], "messages":
[{"from", "id", "timestamp", "type", <type>: {...}}], "statuses": [...]}}]}]}``. One delivery can
carry several messages; ``statuses`` (sent/delivered/read of OUR messages) are not client messages
and are ignored, as are changes of other fields.

Mapping: external_id = the message id (``wamid...``), stable across Meta's re-deliveries;
conversation_id = the client's ``wa_id`` (or BSUID when no phone is given); sender_phone = ``from``
(digits without "+", as sent; None when only a BSUID is given); sender_name = ``profile.name`` of
the matching contact; sent_at = ``timestamp`` (Unix seconds, UTC). Text: ``text.body``; media
give "[photo]", "[video]", "[voice message]" / "[audio]", "[document: name]", "[sticker]",
followed by the caption if any; ``location`` "[location: lat, lon name address]"; ``contacts``
"[contact: name phone]"; ``button`` its text; ``interactive`` the chosen reply's title;
``order`` "[order]"; ``unsupported``/unknown types "[unsupported message]". Reactions (an emoji on
one of our messages) and ``system`` notices are not client messages: skipped.

Not confirmed: the BSUID field names (``from_user_id`` in messages, ``user_id`` in contacts) come
from Meta's announcement and partner documentation; they are read when present.

Replies out (Cloud API "messages" endpoint,
https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages and
.../cloud-api/messages/text-messages, .../cloud-api/guides/send-message-templates):
``POST {api}/{phone-number-id}/messages`` with ``Authorization: Bearer <access token>`` and JSON
``{"messaging_product": "whatsapp", "recipient_type": "individual", "to": <wa_id>, "type": "text",
"text": {"preview_url": false, "body": ...}}`` (a body of at most 4096 characters). A free-form
message may be sent only within the customer service window: 24 hours from the client's last
message (Meta refuses one later with error 131047 "Re-engagement message"). Outside it the app sends
the consultant's approved template instead: ``"type": "template", "template": {"name", "language":
{"code"}, "components": [{"type": "body", "parameters": [{"type": "text", "text": <the reply>}]}]}``:
the template must have one body variable, {{1}}, which receives the operator's text (a template of
another shape is refused by Meta, e.g. 132000 "Number of parameters does not match", and the refusal
is kept and shown like any other).

The answer: ``{"messaging_product", "contacts": [{"input", "wa_id"}], "messages": [{"id":
"wamid..."}]}`` when accepted; else the Graph API error envelope ``{"error": {"message", "type",
"code", "error_data": {"messaging_product", "details"}, "error_subcode", "fbtrace_id"}}``
(https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).

Not confirmed: how to address a reply to a client known only by a BSUID (no phone): the ``to`` of
such a conversation is the BSUID as received, which Meta may refuse; the refusal is kept and shown.
"""

import hashlib
import hmac
from datetime import datetime, timedelta

from auto_service_crm.intake._common import (
	form_value,
	from_epoch,
	items,
	mapping,
	opt_str,
	req_str,
	same_secret,
	short,
	sub,
)
from auto_service_crm.intake.errors import PayloadError, SignatureError
from auto_service_crm.intake.events import ChatMessage
from auto_service_crm.messengers.replies import ReplyOutcome, ReplyRequest, json_answer, unreadable, words

MEDIA = {
	"image": "photo",
	"video": "video",
	"audio": "audio",
	"document": "document",
	"sticker": "sticker",
}
SKIPPED_TYPES = ("reaction", "system", "request_welcome")


def verify_signature(app_secret: str, body: bytes, header: str | None) -> None:
	"""Raise SignatureError unless ``header`` (X-Hub-Signature-256) signs the raw ``body``."""
	if not app_secret:
		raise SignatureError("WhatsApp app secret is not configured")
	if not header:
		raise SignatureError("missing X-Hub-Signature-256 header")
	if not isinstance(header, str) or not header.startswith("sha256="):
		raise SignatureError("X-Hub-Signature-256 header must be 'sha256=<hex>'")
	if not isinstance(body, bytes | bytearray):
		raise SignatureError("the body to verify must be bytes")
	expected = hmac.new(app_secret.encode("utf-8"), bytes(body), hashlib.sha256).hexdigest()
	given = header.removeprefix("sha256=").strip().lower().encode("utf-8", "surrogatepass")
	if not hmac.compare_digest(given, expected.encode("ascii")):
		raise SignatureError("wrong X-Hub-Signature-256")


def verify_subscription(params: dict, verify_token: str) -> str:
	"""Meta's GET check of the webhook URL: return ``hub.challenge`` to echo, or SignatureError."""
	params = params if isinstance(params, dict) else {}
	mode = form_value(params.get("hub.mode"))
	if mode != "subscribe":
		raise SignatureError(f"hub.mode must be 'subscribe', got {short(mode)}")
	same_secret(form_value(params.get("hub.verify_token")), verify_token, "hub.verify_token")
	challenge = form_value(params.get("hub.challenge"))
	if not isinstance(challenge, str) or not challenge:
		raise SignatureError("missing hub.challenge")
	return challenge


def parse(payload: dict) -> list[ChatMessage]:
	"""The client messages of one webhook delivery (possibly none), or PayloadError."""
	payload = mapping(payload, "payload")
	kind = payload.get("object")
	if kind != "whatsapp_business_account":
		raise PayloadError(f"field 'object' must be 'whatsapp_business_account', got {short(kind)}")
	messages = []
	for i, entry in enumerate(items(payload, "entry")):
		entry_path = f"entry[{i}]"
		entry = mapping(entry, entry_path)
		for j, change in enumerate(items(entry, "changes", entry_path)):
			change_path = f"{entry_path}.changes[{j}]"
			change = mapping(change, change_path)
			if change.get("field", "messages") != "messages":
				continue
			messages.extend(_messages(sub(change, "value", change_path), f"{change_path}.value", payload))
	return messages


def _messages(value: dict, path: str, payload: dict) -> list[ChatMessage]:
	names = {}
	for k, contact in enumerate(items(value, "contacts", path)):
		contact_path = f"{path}.contacts[{k}]"
		contact = mapping(contact, contact_path)
		name = opt_str(sub(contact, "profile", contact_path), "name", f"{contact_path}.profile", limit=256)
		for key in ("wa_id", "user_id"):
			ident = opt_str(contact, key, contact_path, limit=128)
			if ident:
				names[ident] = name
	# With one contact in the change, it is the sender even if its wa_id is written differently
	# from ``from`` (Meta notes the two "may not always match").
	only_name = next(iter(names.values())) if len(set(names.values())) == 1 else None
	out = []
	for k, message in enumerate(items(value, "messages", path)):
		message_path = f"{path}.messages[{k}]"
		message = mapping(message, message_path)
		kind = opt_str(message, "type", message_path, limit=64) or "unknown"
		if kind in SKIPPED_TYPES:
			continue
		phone = opt_str(message, "from", message_path, limit=128)
		user_id = opt_str(message, "from_user_id", message_path, limit=256)
		sender = phone or user_id
		if sender is None:
			raise PayloadError(f"missing field '{message_path}.from'")
		out.append(
			ChatMessage(
				platform="WhatsApp",
				external_id=req_str(message, "id", message_path, limit=256),
				conversation_id=sender,
				text=_text(message, kind, message_path),
				sender_name=names.get(sender) or names.get(user_id or "") or only_name,
				sender_phone=phone,
				sent_at=from_epoch(message.get("timestamp"), f"{message_path}.timestamp"),
				raw=payload,
			)
		)
	return out


def _text(message: dict, kind: str, path: str) -> str:
	if kind == "contacts":
		return _shared_contacts(message, path)
	known = kind in ("text", "location", "button", "interactive", "order") or kind in MEDIA
	if not known:
		return "[unsupported message]"
	body = sub(message, kind, path)
	here = f"{path}.{kind}"
	if kind == "text":
		return opt_str(body, "body", here) or ""
	if kind in MEDIA:
		label = MEDIA[kind]
		if kind == "audio" and body.get("voice") is True:
			label = "voice message"
		if kind == "document" and opt_str(body, "filename", here, limit=512):
			label = f"document: {opt_str(body, 'filename', here, limit=512)}"
		return _join(f"[{label}]", opt_str(body, "caption", here))
	if kind == "location":
		place = " ".join(
			str(part)
			for part in (
				_coordinates(body, here),
				opt_str(body, "name", here, limit=512),
				opt_str(body, "address", here, limit=1024),
			)
			if part
		)
		return f"[location: {place}]" if place else "[location]"
	if kind == "button":
		return opt_str(body, "text", here) or opt_str(body, "payload", here) or "[button]"
	if kind == "interactive":
		for reply in ("button_reply", "list_reply"):
			chosen = sub(body, reply, here)
			if chosen:
				return (
					_join(
						opt_str(chosen, "title", f"{here}.{reply}") or "",
						opt_str(chosen, "description", f"{here}.{reply}"),
					)
					or f"[{reply.replace('_', ' ')}]"
				)
		return "[interactive reply]"
	return _join("[order]", opt_str(body, "text", here))


def _shared_contacts(message: dict, path: str) -> str:
	parts = []
	for k, card in enumerate(items(message, "contacts", path)):
		card_path = f"{path}.contacts[{k}]"
		card = mapping(card, card_path)
		name = opt_str(sub(card, "name", card_path), "formatted_name", f"{card_path}.name", limit=256)
		phones = []
		for m, phone in enumerate(items(card, "phones", card_path)):
			phone = mapping(phone, f"{card_path}.phones[{m}]")
			number = opt_str(phone, "phone", f"{card_path}.phones[{m}]", limit=128)
			if number:
				phones.append(number)
		parts.append(" ".join([p for p in [name, *phones] if p]))
	shown = "; ".join(p for p in parts if p)
	return f"[contact: {shown}]" if shown else "[contact]"


def _coordinates(body: dict, path: str) -> str | None:
	lat, lon = body.get("latitude"), body.get("longitude")
	for key, value in (("latitude", lat), ("longitude", lon)):
		if value is None:
			continue
		if isinstance(value, bool) or not isinstance(value, int | float) or not -180 <= value <= 180:
			raise PayloadError(f"field '{path}.{key}' must be a number from -180 to 180, got {short(value)}")
	if lat is None or lon is None:
		return None
	return f"{lat}, {lon}"


def _join(head: str, tail: str | None) -> str:
	return f"{head} {tail}".strip() if tail else head


MAX_REPLY = 4096  # text.body: "Maximum 4096 characters"
SERVICE_WINDOW = timedelta(hours=24)


def in_service_window(last_received: datetime | None, now: datetime) -> bool:
	"""A free-form reply is allowed while less than 24 hours have passed since the client's last
	message (at 24 hours exactly the window is closed); never when the client has not written."""
	if last_received is None:
		return False
	return now - last_received < SERVICE_WINDOW


def _messages_url(api_url: str, phone_number_id: str) -> str:
	return f"{api_url.rstrip('/')}/{phone_number_id.strip()}/messages"


def _headers(access_token: str) -> dict:
	return {"Authorization": f"Bearer {access_token}"}


def reply_request(api_url: str, phone_number_id: str, access_token: str, to: str, text: str) -> ReplyRequest:
	"""A text message to the client ``to`` (the wa_id), within the service window."""
	return _message_request(
		api_url, phone_number_id, access_token, to, "text", {"preview_url": False, "body": text}
	)


def template_request(
	api_url: str, phone_number_id: str, access_token: str, to: str, template: str, language: str, text: str
) -> ReplyRequest:
	"""The approved template ``template`` in ``language`` to the client ``to``, outside the service
	window, with the operator's text as its one body variable {{1}}."""
	return _message_request(
		api_url,
		phone_number_id,
		access_token,
		to,
		"template",
		{
			"name": template,
			"language": {"code": language},
			"components": [{"type": "body", "parameters": [{"type": "text", "text": text}]}],
		},
	)


def _message_request(
	api_url: str, phone_number_id: str, access_token: str, to: str, kind: str, content: dict
) -> ReplyRequest:
	"""A message of ``kind`` (text, template) to the client ``to``: Cloud API's /messages request."""
	return ReplyRequest(
		url=_messages_url(api_url, phone_number_id),
		headers=_headers(access_token),
		body={
			"messaging_product": "whatsapp",
			"recipient_type": "individual",
			"to": to,
			"type": kind,
			kind: content,
		},
	)


def read_reply(status: int, body: bytes | str | None) -> ReplyOutcome:
	"""Accepted when the answer lists the message's id (``messages[0].id``); else the Graph API
	error's ``message`` (with ``error_data.details`` when it adds to it) and ``code``; any other
	answer is unreadable."""
	answer = json_answer(body)
	if not isinstance(answer, dict):
		return unreadable(status, body)
	error = answer.get("error")
	if isinstance(error, dict):
		message = words(error.get("message"))
		data = error.get("error_data") if isinstance(error.get("error_data"), dict) else {}
		details = words(data.get("details"))
		reason = message
		if details and (not message or details not in message):
			reason = f"{message}: {details}" if message else details
		code = error.get("code")
		return ReplyOutcome(
			delivered=False,
			reason=words(reason),
			code=words(code) if code is not None else str(status),
			http_status=status,
		)
	messages = answer.get("messages")
	if 200 <= status < 300 and isinstance(messages, list) and messages and isinstance(messages[0], dict):
		ident = words(messages[0].get("id"))
		if ident:
			return ReplyOutcome(delivered=True, message_id=ident, http_status=status)
	return unreadable(status, body)
