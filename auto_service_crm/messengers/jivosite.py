"""Jivo (Jivosite) Webhooks API: chat events in, the client's messages out; and the URL token check.

Source (as published): https://www.jivo.ru/docs/webhooks/ (English: https://www.jivochat.com/docs/webhooks/):
events ``chat_accepted``, ``chat_updated``, ``chat_finished``, ``offline_message``,
``client_updated``, ``client_attribute_updated``, ``call_event`` and the CRM events, each a JSON
object POSTed to the channel's webhook URL with ``event_name``, ``chat_id``, ``visitor``
{name, email, phone, number, description, chats_count}, ``session``, ``page`` ...

Jivo signs nothing: the only proof that a request comes from Jivo is a secret we put in the
webhook URL (``https://crm.example/api/method/...?token=<secret>``); ``verify_token`` compares it.

Mapping (conversation_id = ``str(chat_id)``; sender name/phone/email from ``visitor``, as sent):

- ``offline_message``: the form the visitor fills when no agent is online -> one message with
  text ``message``, external_id ``"offline:<offline_message_id>"`` (``"offline:<chat_id>"`` when the
  id is missing). The event carries no time of the message: sent_at is None.
- ``chat_finished``: every ``chat.messages[]`` item of ``type`` "visitor" -> one message, with
  external_id ``"<chat_id>:<index in chat.messages>"`` (Jivo gives messages no id; the index is
  stable when the same event is delivered again) and sent_at = ``timestamp`` (Unix seconds, UTC).
  Agents' messages are not the client's words and are left out (they stay in ``raw``).
- Every other event (``chat_accepted``, ``chat_updated``, ``client_updated``, ``call_event``,
  CRM events ...) carries no message of the client -> [].

Not confirmed: whether Jivo ever sends ``chat.messages`` in ``chat_accepted`` / ``chat_updated``
(the published examples do not); they are not read there.

Replies out: Jivo's Bot API (https://www.jivochat.com/docs/bot/, https://www.jivo.ru/help/api/bot-api.html):
a bot provider POSTs its events as JSON to Jivo's endpoint ``https://bot.jivosite.com/webhooks/
{provider_id}/{token}`` (the settings' ``jivosite_bot_url``, token included: the URL is the only
authentication). The operator's reply is the event ``BOT_MESSAGE``: ``{"id": <unique event id>,
"client_id", "chat_id", "message": {"type": "TEXT", "text", "timestamp": <Unix seconds>}, "event":
"BOT_MESSAGE"}``. Jivo answers 200 for a regular, successful response and 400 (invalid format), 401,
403, 404 (wrong endpoint), 405 (event not supported), 429, 5xx otherwise.

Ids for replying: ``chat_id`` is the conversation (the Appeal's conversation_id, the webhooks'
``chat_id``); ``client_id`` is not in the Webhooks API events that carry messages: their
``visitor.number`` is taken for it, as the one published event that carries both (``client_updated``)
gives the same value in ``client_id`` and ``visitor.number``; a ``client_id`` in an event (Bot API
events, ``client_updated``) is taken first.

Not confirmed (nothing published says so): that ``visitor.number`` is the Bot API's ``client_id``;
that Jivo delivers a BOT_MESSAGE into a chat it did not route to the bot, or into a finished chat or
an offline message's conversation; the body of Jivo's answers (an error is read from JSON
``{"error": {"code", "message"}}`` or ``{"error": "..."}`` / ``{"message": "..."}`` when given, else
its HTTP status and the start of its body are shown).
"""

from auto_service_crm.intake._common import (
	from_epoch,
	items,
	mapping,
	opt_str,
	req_str,
	same_secret,
	sub,
	text,
)
from auto_service_crm.intake.errors import PayloadError
from auto_service_crm.intake.events import ChatMessage
from auto_service_crm.messengers.replies import ReplyOutcome, ReplyRequest, json_answer, snippet, words


def verify_token(given: str | None, expected: str) -> None:
	"""Raise SignatureError unless the token from the webhook URL is ``expected``."""
	same_secret(given, expected, "Jivo webhook token")


def parse(payload: dict) -> list[ChatMessage]:
	"""The client's messages in one Jivo event (often none), or PayloadError."""
	payload = mapping(payload, "payload")
	event = req_str(payload, "event_name", limit=64)
	if event not in ("offline_message", "chat_finished"):
		return []
	visitor = sub(payload, "visitor")
	sender = {
		"sender_name": opt_str(visitor, "name", "visitor", limit=256),
		"sender_phone": opt_str(visitor, "phone", "visitor", limit=128),
		"sender_email": opt_str(visitor, "email", "visitor", limit=256),
	}
	chat_id = text(payload.get("chat_id"), "chat_id", limit=128)
	if event == "offline_message":
		return [_offline(payload, chat_id, sender)]
	if chat_id is None:
		raise PayloadError("missing field 'chat_id'")
	out = []
	for i, message in enumerate(items(sub(payload, "chat"), "messages", "chat")):
		path = f"chat.messages[{i}]"
		message = mapping(message, path)
		if opt_str(message, "type", path, limit=64) != "visitor":
			continue
		out.append(
			ChatMessage(
				platform="Jivosite",
				external_id=f"{chat_id}:{i}",
				conversation_id=chat_id,
				text=opt_str(message, "message", path) or "",
				sent_at=from_epoch(message.get("timestamp"), f"{path}.timestamp"),
				raw=payload,
				**sender,
			)
		)
	return out


def _offline(payload: dict, chat_id: str | None, sender: dict) -> ChatMessage:
	message_id = text(payload.get("offline_message_id"), "offline_message_id", limit=128)
	if message_id is None and chat_id is None:
		raise PayloadError("missing field 'offline_message_id' (and no 'chat_id')")
	return ChatMessage(
		platform="Jivosite",
		external_id=f"offline:{message_id or chat_id}",
		conversation_id=chat_id or f"offline:{message_id}",
		text=opt_str(payload, "message") or "",
		raw=payload,
		**sender,
	)


def client_id_of(payload) -> str | None:
	"""The Bot API's ``client_id`` of the client of one received Jivo event: its ``client_id``, else
	``visitor.number``; None when it has neither (or is no event)."""
	if not isinstance(payload, dict):
		return None
	visitor = payload.get("visitor") if isinstance(payload.get("visitor"), dict) else {}
	for value in (payload.get("client_id"), visitor.get("number")):
		if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
			return str(value).strip()
	return None


def reply_request(
	bot_url: str, client_id: str, chat_id: str, text: str, event_id: str, timestamp: int
) -> ReplyRequest:
	"""The event BOT_MESSAGE with ``text`` to the client's chat, POSTed to the bot URL as it is set."""
	return ReplyRequest(
		url=bot_url.strip(),
		body={
			"id": event_id,
			"client_id": client_id,
			"chat_id": chat_id,
			"message": {"type": "TEXT", "text": text, "timestamp": int(timestamp)},
			"event": "BOT_MESSAGE",
		},
	)


def read_reply(status: int, body: bytes | str | None, event_id: str) -> ReplyOutcome:
	"""Delivered on a 2xx answer that carries no error (the message's id is the event's own, Jivo
	gives none); else the error Jivo gave in its body, or its HTTP status and the body's start."""
	answer = json_answer(body)
	error = answer.get("error") if isinstance(answer, dict) else None
	if 200 <= status < 300 and not error:
		return ReplyOutcome(delivered=True, message_id=event_id, http_status=status)
	reason, code = None, None
	if isinstance(error, dict):
		reason, code = words(error.get("message")), words(error.get("code"))
	elif isinstance(error, str):
		reason = words(error)
	elif isinstance(answer, dict):
		reason = words(answer.get("message"))
	elif isinstance(answer, str):
		reason = words(answer)
	return ReplyOutcome(
		delivered=False,
		reason=reason,
		code=code or str(status),
		http_status=status,
		answer=None if reason else snippet(body),
	)
