"""Telegram Bot API webhooks: an Update in, the client's message out; and the secret-token check.

Sources (as published): https://core.telegram.org/bots/api#update, #message, #user, #chat,
#contact, #setwebhook (``secret_token``, sent back in ``X-Telegram-Bot-Api-Secret-Token``).

Telegram POSTs one Update (JSON) per request. Updates that carry a message: ``message``,
``edited_message``, ``channel_post``, ``edited_channel_post``, ``business_message``,
``edited_business_message``. Every other Update (``callback_query``, ``my_chat_member``,
``message_reaction``, polls, payments ...) gives None, and so do service messages with nothing the
client wrote (``new_chat_members``, ``pinned_message``, ...).

Mapping: conversation_id = ``str(chat.id)``; external_id = ``f"{chat_id}:{message_id}"``
(message_id is unique only inside a chat); an EDITED message gets
``f"{chat_id}:{message_id}:edit:{edit_date}"``, so the edit is filed as a new message and not
dropped as a duplicate of the original, while a re-delivery of the same edit keeps its id.
sender_name = "first_name last_name" of ``from`` (else "@username", else the chat's title);
sender_phone = ``contact.phone_number`` when the client shares their OWN contact (the "share my
number" button: ``contact.user_id`` equals ``from.id``); a shared contact of someone else stays in
the text only. sent_at = ``date`` (Unix seconds, UTC). Text: ``text``, else ``caption``; media are
described in brackets ("[photo]", "[voice message]", "[document: name]", "[location: lat, lon]",
"[contact: name phone]", ...) followed by the caption.

Replies out (https://core.telegram.org/bots/api#making-requests, #sendmessage): ``POST
{api}/bot<token>/sendMessage`` with JSON ``{"chat_id": <the conversation's chat id>, "text": ...}``
(text of 1 to 4096 characters). The answer is always a JSON object with a Boolean ``ok``: true gives
the sent Message in ``result`` (its ``message_id``); false explains the error in ``description``
with an ``error_code`` (e.g. 403 "Forbidden: bot was blocked by the user", 400 "Bad Request: chat
not found"), whatever the HTTP status. The token in the URL is the only authentication.

Not confirmed: that 4096 is counted in characters of the text as sent (Telegram counts "after
entities parsing"; plain text has none, so it should be the same).
"""

from auto_service_crm.intake._common import from_epoch, integer, mapping, opt_str, same_secret, sub
from auto_service_crm.intake.errors import PayloadError
from auto_service_crm.intake.events import ChatMessage
from auto_service_crm.messengers.replies import ReplyOutcome, ReplyRequest, json_answer, unreadable, words

MESSAGE_KEYS = ("message", "channel_post", "business_message")
EDITED_KEYS = ("edited_message", "edited_channel_post", "edited_business_message")
MEDIA = (
	("photo", "photo"),
	("video", "video"),
	("video_note", "video message"),
	("animation", "GIF"),
	("voice", "voice message"),
	("audio", "audio"),
	("sticker", "sticker"),
	("story", "story"),
	("dice", "dice"),
	("poll", "poll"),
	("venue", "venue"),
	("game", "game"),
	("invoice", "invoice"),
)


def verify_secret_token(header: str | None, expected: str) -> None:
	"""Raise SignatureError unless ``header`` (X-Telegram-Bot-Api-Secret-Token) is ``expected``."""
	same_secret(header, expected, "X-Telegram-Bot-Api-Secret-Token")


def parse(update: dict) -> ChatMessage | None:
	"""The client's message in one Update, None for updates and service messages without one."""
	update = mapping(update, "update")
	key = next((k for k in MESSAGE_KEYS + EDITED_KEYS if update.get(k) is not None), None)
	if key is None:
		return None
	message = mapping(update[key], key)
	chat = mapping(message.get("chat"), f"{key}.chat")
	chat_id = _id(chat.get("id"), f"{key}.chat.id")
	message_id = _id(message.get("message_id"), f"{key}.message_id")
	sender = sub(message, "from", key)
	text = _text(message, key)
	if text is None:
		return None
	external_id = f"{chat_id}:{message_id}"
	if key in EDITED_KEYS:
		edited = integer(message.get("edit_date"), f"{key}.edit_date", maximum=10**11)
		external_id += f":edit:{edited or 0}"
	return ChatMessage(
		platform="Telegram",
		external_id=external_id,
		conversation_id=chat_id,
		text=text,
		sender_name=_name(sender, key) or opt_str(chat, "title", f"{key}.chat", limit=256),
		sender_phone=_own_phone(message, sender, key),
		sent_at=from_epoch(message.get("date"), f"{key}.date"),
		raw=update,
	)


def _text(message: dict, key: str) -> str | None:
	caption = opt_str(message, "caption", key)
	written = opt_str(message, "text", key)
	if written:
		return written
	for field, label in MEDIA:
		if message.get(field) not in (None, [], {}):  # an empty ``photo`` list is no photo
			return _join(f"[{label}]", caption)
	document = sub(message, "document", key)
	if message.get("document") is not None:
		name = opt_str(document, "file_name", f"{key}.document", limit=512)
		return _join(f"[document: {name}]" if name else "[document]", caption)
	if message.get("location") is not None:
		where = sub(message, "location", key)
		lat, lon = where.get("latitude"), where.get("longitude")
		if _is_number(lat) and _is_number(lon):
			return _join(f"[location: {lat}, {lon}]", caption)
		return _join("[location]", caption)
	if message.get("contact") is not None:
		card = sub(message, "contact", key)
		parts = [
			opt_str(card, "first_name", f"{key}.contact", limit=256),
			opt_str(card, "last_name", f"{key}.contact", limit=256),
			opt_str(card, "phone_number", f"{key}.contact", limit=128),
		]
		shown = " ".join(p for p in parts if p)
		return f"[contact: {shown}]" if shown else "[contact]"
	if caption:
		return caption
	if "text" in message:  # an empty text: the client sent something, Telegram kept nothing
		return ""
	return None


def _own_phone(message: dict, sender: dict, key: str) -> str | None:
	card = sub(message, "contact", key)
	phone = opt_str(card, "phone_number", f"{key}.contact", limit=128)
	if not phone:
		return None
	owner = integer(card.get("user_id"), f"{key}.contact.user_id", minimum=-(10**15), maximum=10**15)
	sender_id = integer(sender.get("id"), f"{key}.from.id", minimum=-(10**15), maximum=10**15)
	return phone if owner is not None and owner == sender_id else None


def _name(sender: dict, key: str) -> str | None:
	path = f"{key}.from"
	full = " ".join(
		p
		for p in (
			opt_str(sender, "first_name", path, limit=256),
			opt_str(sender, "last_name", path, limit=256),
		)
		if p
	)
	if full:
		return full
	username = opt_str(sender, "username", path, limit=256)
	return f"@{username}" if username else None


def _id(value, name: str) -> str:
	if value is None:
		raise PayloadError(f"missing field '{name}'")
	number = integer(value, name, minimum=-(10**15), maximum=10**15)
	if number is None:
		raise PayloadError(f"field '{name}' is empty")
	return str(number)


def _is_number(value) -> bool:
	return isinstance(value, int | float) and not isinstance(value, bool) and -180 <= value <= 180


def _join(head: str, tail: str | None) -> str:
	return f"{head} {tail}" if tail else head


MAX_REPLY = 4096  # sendMessage: "1-4096 characters after entities parsing"


def reply_request(api_url: str, token: str, chat_id: str, text: str) -> ReplyRequest:
	"""sendMessage of ``text`` to the chat: ``POST {api_url}/bot<token>/sendMessage``. The chat id is sent
	as the integer it is (Telegram's chat ids are integers; a non-numeric one, a channel's
	"@username", goes as the string)."""
	chat = chat_id.strip()
	return ReplyRequest(
		url=f"{api_url.rstrip('/')}/bot{token}/sendMessage",
		body={"chat_id": int(chat) if chat.lstrip("-").isdigit() else chat, "text": text},
	)


def read_reply(status: int, body: bytes | str | None) -> ReplyOutcome:
	"""Delivered when the answer says ``"ok": true`` (the id: the chat's and the message's); else the
	``description`` and ``error_code`` Telegram gave; any other answer is unreadable."""
	answer = json_answer(body)
	if not isinstance(answer, dict) or not isinstance(answer.get("ok"), bool):
		return unreadable(status, body)
	if answer["ok"]:
		result = answer.get("result") if isinstance(answer.get("result"), dict) else {}
		chat = result.get("chat") if isinstance(result.get("chat"), dict) else {}
		message_id = result.get("message_id")
		ident = f"{chat.get('id')}:{message_id}" if chat.get("id") is not None else message_id
		return ReplyOutcome(delivered=True, message_id=words(ident), http_status=status)
	code = answer.get("error_code")
	return ReplyOutcome(
		delivered=False,
		reason=words(answer.get("description")),
		code=words(code) if code is not None else str(status),
		http_status=status,
	)
