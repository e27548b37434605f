"""Replies out: each provider's request and the reading of its answer, and WhatsApp's 24-hour window.

Sources of the examples below:
- Telegram: https://core.telegram.org/bots/api#making-requests (the answer "always has a Boolean field
  'ok' ... If 'ok' equals True ... the result of the query can be found in the 'result' field. In
  case of an unsuccessful request, 'ok' equals false and the error is explained in the
  'description'. An Integer 'error_code' field is also returned"), #sendmessage (chat_id, text of
  1-4096 characters; returns the sent Message), #message (message_id, date, chat). Telegram
  publishes no full answer of sendMessage: the answers below are assembled from those fields; the
  descriptions are the ones the Bot API sends ("Forbidden: bot was blocked by the user", "Bad
  Request: chat not found").
- WhatsApp Cloud API: developers.facebook.com/docs/whatsapp/cloud-api/reference/messages (the text
  message request and its answer with wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA, as
  Meta publishes it), .../cloud-api/guides/send-message-templates (type template, name, language
  code, body parameters) and .../cloud-api/support/error-codes (the error envelope; 131047
  "Re-engagement message": "Message failed to send because more than 24 hours have passed since the
  customer last replied to this number.").
- Jivo Bot API: https://www.jivochat.com/docs/bot/ and https://www.jivo.ru/docs/bot/ (BOT_MESSAGE from
  the bot provider to Jivo's bot.jivosite.com/webhooks/{provider_id}/{token}; the CLIENT_MESSAGE
  example's ids client_id "1233" and chat_id "2037"; the response codes 200, 400, 401, 403, 404, 405,
  429, 5xx). The body of Jivo's error answers is not published: the error bodies below are
  assumptions, said so at each.
"""

import json
from datetime import datetime, timedelta

import pytest

from auto_service_crm.messengers import jivosite, telegram, whatsapp
from auto_service_crm.messengers.replies import json_answer, snippet
from tests.unit.intake.test_published import published

# --- Telegram ------------------------------------------------------------------------------


def test_telegram_send_message_request():
	request = telegram.reply_request("https://api.telegram.org/", "123456:ABC-DEF", "111222333", "Готово")
	assert request.url == "https://api.telegram.org/bot123456:ABC-DEF/sendMessage"
	assert request.body == {"chat_id": 111222333, "text": "Готово"}
	assert request.headers == {}
	assert telegram.reply_request("http://x", "t", "-1001234567890", "a").body["chat_id"] == -1001234567890
	assert telegram.reply_request("http://x", "t", "@channel", "a").body["chat_id"] == "@channel"


def test_telegram_replies_to_the_chat_of_a_published_update():
	update = published("telegram", "webhooks_text_start")
	chat_id = telegram.parse(update).conversation_id
	assert telegram.reply_request("https://api.telegram.org", "t", chat_id, "hi").body["chat_id"] == 1111111


def test_telegram_ok_answer_is_delivered():
	answer = {
		"ok": True,
		"result": {
			"message_id": 58,
			"from": {"id": 123456, "is_bot": True, "first_name": "СТО"},
			"chat": {"id": 111222333, "type": "private", "first_name": "Дмитрий"},
			"date": 1715667700,
			"text": "Готово",
		},
	}
	outcome = telegram.read_reply(200, json.dumps(answer).encode())
	assert outcome.delivered and outcome.message_id == "111222333:58"


@pytest.mark.parametrize(
	("status", "description", "code"),
	[(403, "Forbidden: bot was blocked by the user", "403"), (400, "Bad Request: chat not found", "400")],
)
def test_telegram_refusal_gives_its_description(status, description, code):
	body = json.dumps({"ok": False, "error_code": status, "description": description})
	outcome = telegram.read_reply(status, body)
	assert not outcome.delivered and outcome.reason == description and outcome.code == code


def test_telegram_garbage_is_not_delivered():
	for body in (b"<html>502 Bad Gateway</html>", b"", b'{"result": 1}', b"[1]"):
		outcome = telegram.read_reply(502, body)
		assert not outcome.delivered and outcome.reason is None and outcome.http_status == 502
	assert telegram.read_reply(502, b"<html>502 Bad Gateway</html>").answer == "<html>502 Bad Gateway</html>"


# --- WhatsApp ------------------------------------------------------------------------------


def test_whatsapp_text_request():
	request = whatsapp.reply_request(
		"https://graph.facebook.com/v21.0/", "106540352242922", "EAAJB...", "16505551234", "Машина готова"
	)
	assert request.url == "https://graph.facebook.com/v21.0/106540352242922/messages"
	assert request.headers == {"Authorization": "Bearer EAAJB..."}
	assert request.body == {
		"messaging_product": "whatsapp",
		"recipient_type": "individual",
		"to": "16505551234",
		"type": "text",
		"text": {"preview_url": False, "body": "Машина готова"},
	}


def test_whatsapp_template_request():
	request = whatsapp.template_request(
		"https://graph.facebook.com/v21.0", "1065", "tok", "79161234567", "reply_later", "ru", "Машина готова"
	)
	assert request.body["type"] == "template" and "text" not in request.body
	assert request.body["template"] == {
		"name": "reply_later",
		"language": {"code": "ru"},
		"components": [{"type": "body", "parameters": [{"type": "text", "text": "Машина готова"}]}],
	}


def test_whatsapp_replies_to_the_sender_of_a_published_message():
	message = whatsapp.parse(published("whatsapp", next(iter(_whatsapp_text_examples()))))[0]
	assert (
		whatsapp.reply_request("u", "1", "t", message.conversation_id, "x").body["to"] == message.sender_phone
	)


def _whatsapp_text_examples():
	from tests.unit.intake.test_published import examples

	return [name for name in examples("whatsapp") if "text" in name]


def test_whatsapp_accepted_answer_is_delivered():
	answer = {
		"messaging_product": "whatsapp",
		"contacts": [{"input": "16505555555", "wa_id": "16505555555"}],
		"messages": [{"id": "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"}],
	}
	outcome = whatsapp.read_reply(200, json.dumps(answer))
	assert outcome.delivered
	assert outcome.message_id == "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"


def test_whatsapp_refusal_gives_message_details_and_code():
	answer = {
		"error": {
			"message": "(#131047) Re-engagement message",
			"type": "OAuthException",
			"code": 131047,
			"error_data": {
				"messaging_product": "whatsapp",
				"details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
			},
			"fbtrace_id": "AbCdEf123",
		}
	}
	outcome = whatsapp.read_reply(400, json.dumps(answer))
	assert not outcome.delivered and outcome.code == "131047"
	assert outcome.reason == (
		"(#131047) Re-engagement message: Message failed to send because more than 24 hours have passed"
		" since the customer last replied to this number."
	)
	token = {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}}
	outcome = whatsapp.read_reply(401, json.dumps(token))
	assert outcome.reason == "Invalid OAuth access token." and outcome.code == "190"


def test_whatsapp_garbage_is_not_delivered():
	for status, body in ((200, b"not json"), (200, b"{}"), (200, b'{"messages": []}'), (500, b"")):
		outcome = whatsapp.read_reply(status, body)
		assert not outcome.delivered and outcome.reason is None and outcome.http_status == status


NOW = datetime(2026, 3, 10, 12, 0, 0)


@pytest.mark.parametrize(
	("last", "open_"),
	[
		(NOW - timedelta(hours=24) + timedelta(seconds=1), True),
		(NOW - timedelta(hours=23, minutes=59), True),
		(NOW - timedelta(hours=24), False),  # at 24 hours exactly the window has closed
		(NOW - timedelta(hours=24, seconds=1), False),
		(NOW - timedelta(days=3), False),
		(NOW, True),
		(NOW + timedelta(minutes=1), True),  # a clock ahead: the client wrote just now
		(None, False),  # the client never wrote: only a template
	],
)
def test_whatsapp_24_hour_window_at_its_boundaries(last, open_):
	assert whatsapp.in_service_window(last, NOW) is open_


# --- Jivo ----------------------------------------------------------------------------------


def test_jivo_bot_message_request():
	url = "https://bot.jivosite.com/webhooks/provider/secret-token"
	request = jivosite.reply_request(f" {url} ", "1233", "2037", "Можем в 15:00", "ev-1", 1665415880)
	assert request.url == url and request.headers == {}
	assert request.body == {
		"id": "ev-1",
		"client_id": "1233",
		"chat_id": "2037",
		"message": {"type": "TEXT", "text": "Можем в 15:00", "timestamp": 1665415880},
		"event": "BOT_MESSAGE",
	}


def test_jivo_client_id_of_the_published_events():
	# client_updated carries both: client_id "1217" and visitor.number 1217
	assert jivosite.client_id_of(published("jivosite", "client_updated")) == "1217"
	# the events with messages carry visitor.number only
	assert jivosite.client_id_of(published("jivosite", "chat_finished")) == "2198"
	assert jivosite.client_id_of(published("jivosite", "offline_message")) == "2198"
	bot_event = {"id": "9661ab9c", "client_id": "1233", "chat_id": "2037", "event": "CLIENT_MESSAGE"}
	assert jivosite.client_id_of(bot_event) == "1233"
	assert jivosite.client_id_of({"visitor": {"number": ""}}) is None
	assert jivosite.client_id_of({"visitor": {"number": True}}) is None
	assert jivosite.client_id_of(None) is None and jivosite.client_id_of([1]) is None


def test_jivo_200_is_delivered():
	for body in (b"", b'{"result": "ok"}', b"OK"):
		outcome = jivosite.read_reply(200, body, "ev-1")
		assert outcome.delivered and outcome.message_id == "ev-1"


def test_jivo_refusals():
	# assumed shapes (Jivo publishes the codes, not the bodies of its error answers)
	outcome = jivosite.read_reply(
		400, b'{"error": {"code": "invalid_request", "message": "chat not found"}}', "e"
	)
	assert not outcome.delivered and outcome.reason == "chat not found" and outcome.code == "invalid_request"
	outcome = jivosite.read_reply(200, b'{"error": "chat is closed"}', "e")
	assert not outcome.delivered and outcome.reason == "chat is closed" and outcome.code == "200"
	outcome = jivosite.read_reply(404, b"<html>Not Found</html>", "e")
	assert not outcome.delivered and outcome.reason is None and outcome.code == "404"
	assert outcome.answer == "<html>Not Found</html>"
	outcome = jivosite.read_reply(429, b"", "e")
	assert not outcome.delivered and outcome.code == "429" and outcome.answer == ""


# --- shared --------------------------------------------------------------------------------


def test_answers_are_read_safely():
	assert json_answer(b"\xef\xbb\xbf{}") == {}
	assert json_answer(b"\xff\xfe") is None and json_answer(None) is None
	assert json_answer(b"[" * 100_000) is None
	assert snippet("a\n b" + "x" * 1000).startswith("a bxx") and len(snippet("x" * 1000)) == 300
