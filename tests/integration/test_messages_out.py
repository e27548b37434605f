"""Messages out: the operator answers a chat appeal in its messenger. Each provider is played by a small
HTTP server of the test on loopback that checks the request the way the provider documents it (the
path with Telegram's bot token or Jivo's, WhatsApp's Bearer token, the JSON body) and answers as the
provider does; no mock objects."""

import json
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

import frappe
from frappe.utils import add_to_date, now_datetime

from auto_service_crm.desk import event_feed
from auto_service_crm.intake.events import ChatMessage
from auto_service_crm.messengers import outbound
from auto_service_crm.messengers.filing import file_chat
from auto_service_crm.messengers.outbound import send_reply
from tests.integration.factories import make_user
from tests.integration.services import site_session
from tests.integration.statements import sent

TELEGRAM_TOKEN = "123456:TEST-telegram-token"
WHATSAPP_TOKEN = "EAAG-test-access-token"
PHONE_NUMBER_ID = "106540352242922"
JIVO_PATH = "/webhooks/provider-7/jivo-bot-token"
EVENT = "auto_service_crm_appeal_message"


class Provider:
	"""A provider's server: ``answer(path, headers, body) -> (status, json body[, delay seconds])``;
	every request is recorded with its path, headers and JSON body."""

	def __init__(self, answer):
		self.requests = []
		provider = self

		class Handler(BaseHTTPRequestHandler):
			def do_POST(self):
				raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
				try:
					body = json.loads(raw)
				except ValueError:
					body = None
				provider.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
				status, reply, *delay = answer(self.path, self.headers, body)
				if delay:
					time.sleep(delay[0])
				data = reply if isinstance(reply, bytes) else json.dumps(reply).encode()
				try:
					self.send_response(status)
					self.send_header("Content-Type", "application/json")
					self.send_header("Content-Length", str(len(data)))
					self.end_headers()
					self.wfile.write(data)
				except (BrokenPipeError, ConnectionResetError):
					pass  # the client gave up waiting

			def log_message(self, *args):
				pass

		self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		self.url = f"http://127.0.0.1:{self.server.server_port}"
		threading.Thread(target=self.server.serve_forever, daemon=True).start()

	def close(self):
		self.server.shutdown()
		self.server.server_close()


def telegram_api(refuse: str | None = None):
	"""Telegram's Bot API: the token is the path; sendMessage wants chat_id and a text of 1-4096."""

	def answer(path, headers, body):
		if path != f"/bot{TELEGRAM_TOKEN}/sendMessage":
			return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
		if headers.get("Content-Type") != "application/json" or not isinstance(body, dict):
			return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
		if not isinstance(body.get("chat_id"), int) or not 1 <= len(body.get("text") or "") <= 4096:
			return 400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
		if refuse:
			return 403, {"ok": False, "error_code": 403, "description": refuse}
		message = {
			"message_id": 77,
			"from": {"id": 123456, "is_bot": True, "first_name": "СТО"},
			"chat": {"id": body["chat_id"], "type": "private"},
			"date": int(time.time()),
			"text": body["text"],
		}
		return 200, {"ok": True, "result": message}

	return Provider(answer)


def whatsapp_api(window_open: bool = True):
	"""Meta's Cloud API: Bearer token, /{phone-number-id}/messages, text only in the 24-hour window."""

	def answer(path, headers, body):
		if headers.get("Authorization") != f"Bearer {WHATSAPP_TOKEN}":
			error = {"message": "Invalid OAuth access token - Cannot parse access token", "code": 190}
			return 401, {"error": {**error, "type": "OAuthException", "fbtrace_id": "A1"}}
		if path != f"/v21.0/{PHONE_NUMBER_ID}/messages" or body.get("messaging_product") != "whatsapp":
			return 400, {
				"error": {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100}
			}
		if body["type"] == "text" and not window_open:
			details = (
				"Message failed to send because more than 24 hours have passed since the customer last"
				" replied to this number."
			)
			error = {
				"message": "(#131047) Re-engagement message",
				"type": "OAuthException",
				"code": 131047,
				"error_data": {"messaging_product": "whatsapp", "details": details},
				"fbtrace_id": "A2",
			}
			return 400, {"error": error}
		if body["type"] not in ("text", "template"):
			return 400, {
				"error": {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100}
			}
		return 200, {
			"messaging_product": "whatsapp",
			"contacts": [{"input": body["to"], "wa_id": body["to"]}],
			"messages": [{"id": "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"}],
		}

	return Provider(answer)


def jivo_api():
	"""Jivo's bot endpoint: /webhooks/{provider_id}/{token}, the event BOT_MESSAGE."""

	def answer(path, headers, body):
		if path != JIVO_PATH:
			return 404, {"error": {"code": "not_found", "message": "Incorrectly formed endpoint"}}
		if body.get("event") != "BOT_MESSAGE" or body.get("message", {}).get("type") != "TEXT":
			return 400, {"error": {"code": "bad_request", "message": "Invalid request format"}}
		if not body.get("client_id") or not body.get("chat_id") or not body.get("id"):
			return 400, {"error": {"code": "bad_request", "message": "Invalid request format"}}
		return 200, {}

	return Provider(answer)


def configure(**values):
	settings = frappe.get_single("Auto Service Settings")
	settings.update(values)
	settings.save()


def chat(platform: str, conversation: str, text: str = "Когда будет готова машина?", when=None, **extra):
	"""A client's message filed as the webhooks file it: the appeal of the conversation."""
	sent_at = when or datetime.now(timezone.utc)
	message = ChatMessage(
		platform=platform,
		external_id=f"{conversation}:{frappe.generate_hash(length=8)}",
		conversation_id=conversation,
		text=text,
		sender_name="Ольга Клиентова",
		sent_at=sent_at,
		**extra,
	)
	return file_chat(message)


def sent_replies(appeal: str) -> list[dict]:
	return frappe.get_all(
		"Communication",
		filters={"reference_doctype": "Appeal", "reference_name": appeal, "sent_or_received": "Sent"},
		fields=["name", "content", "delivery_status", "subject", "sender", "sender_full_name", "message_id"],
		order_by="creation",
	)


@pytest.fixture
def operator():
	user = make_user("Auto Service Operator")
	frappe.set_user(user)
	return user


def test_telegram_reply_goes_to_the_chat_and_is_kept(operator):
	server = telegram_api()
	try:
		frappe.set_user("Administrator")
		configure(telegram_api_url=server.url, telegram_bot_token=TELEGRAM_TOKEN)
		appeal = chat("Telegram", "111222333")
		frappe.set_user(operator)
		result = send_reply(appeal, "  Машина будет готова к 18:00  ")
		assert server.requests[0]["body"] == {"chat_id": 111222333, "text": "Машина будет готова к 18:00"}
		assert result["delivered"] and result["reason"] is None
		[kept] = sent_replies(appeal)
		assert kept.name == result["communication"] and kept.delivery_status == "Sent"
		assert kept.content == "Машина будет готова к 18:00" and kept.sender == operator
		assert kept.message_id == "Telegram:sent:111222333:77"
		assert TELEGRAM_TOKEN not in json.dumps(kept, default=str)
	finally:
		server.close()


def test_a_refused_reply_is_kept_failed_and_shown_with_the_providers_reason(operator):
	server = telegram_api(refuse="Forbidden: bot was blocked by the user")
	try:
		frappe.set_user("Administrator")
		configure(telegram_api_url=server.url, telegram_bot_token=TELEGRAM_TOKEN)
		appeal = chat("Telegram", "111222334")
		frappe.set_user(operator)
		frappe.local.message_log = []
		result = send_reply(appeal, "Вы нас заблокировали?")
		assert not result["delivered"]
		assert result["reason"] == "Forbidden: bot was blocked by the user (403)"
		[kept] = sent_replies(appeal)
		assert kept.delivery_status == "Error" and kept.subject == result["reason"]
		assert kept.content == "Вы нас заблокировали?" and not kept.message_id
		shown = " ".join(
			(m if isinstance(m, dict) else json.loads(m)).get("message", "") for m in frappe.local.message_log
		)
		assert "Forbidden: bot was blocked by the user" in shown
		# the feed marks it with the reason
		[row] = [r for r in event_feed(appeal) if r["name"] == kept.name]
		assert row["failed"] and row["error"] == result["reason"] and row["direction"] == "Sent"
		assert "Forbidden: bot was blocked by the user" in row["text"]
	finally:
		server.close()


def test_a_wrong_token_is_telegrams_refusal_too(operator):
	server = telegram_api()
	try:
		frappe.set_user("Administrator")
		configure(telegram_api_url=server.url, telegram_bot_token="999:wrong")
		appeal = chat("Telegram", "111222335")
		frappe.set_user(operator)
		result = send_reply(appeal, "Проверка")
		assert result["reason"] == "Unauthorized (401)"
		assert "999:wrong" not in result["reason"]
	finally:
		server.close()


def test_a_provider_that_does_not_answer_in_time_gives_a_failed_reply(operator, monkeypatch):
	def slow(path, headers, body):
		return 200, {"ok": True, "result": {"message_id": 1, "chat": {"id": 1}}}, 3

	server = Provider(slow)
	try:
		frappe.set_user("Administrator")
		configure(telegram_api_url=server.url, telegram_bot_token=TELEGRAM_TOKEN)
		appeal = chat("Telegram", "111222336")
		frappe.set_user(operator)
		monkeypatch.setattr(outbound, "TIMEOUT_SECONDS", (2, 0.5))
		started = time.monotonic()
		result = send_reply(appeal, "Алло?")
		assert time.monotonic() - started < 2.5
		assert not result["delivered"] and "did not answer within 0.5 seconds" in result["reason"]
		assert [r.delivery_status for r in sent_replies(appeal)] == ["Error"]
	finally:
		server.close()


def test_garbage_and_an_unreachable_provider_are_failed_replies(operator):
	server = Provider(lambda path, headers, body: (502, b"<html>Bad Gateway</html>"))
	try:
		frappe.set_user("Administrator")
		configure(telegram_api_url=server.url, telegram_bot_token=TELEGRAM_TOKEN)
		appeal = chat("Telegram", "111222337")
		frappe.set_user(operator)
		result = send_reply(appeal, "Раз")
		assert result["reason"] == "unreadable answer (HTTP 502): <html>Bad Gateway</html>"
	finally:
		server.close()
	result = send_reply(appeal, "Два")  # the server is gone: nothing listens on its port
	assert result["reason"] == "Telegram could not be reached (ConnectionError)"
	assert TELEGRAM_TOKEN not in result["reason"]
	assert [r.delivery_status for r in sent_replies(appeal)] == ["Error", "Error"]


def test_whatsapp_within_24_hours_is_text(operator):
	server = whatsapp_api()
	try:
		frappe.set_user("Administrator")
		configure(
			whatsapp_api_url=f"{server.url}/v21.0",
			whatsapp_phone_number_id=PHONE_NUMBER_ID,
			whatsapp_access_token=WHATSAPP_TOKEN,
			whatsapp_template="reply_later",
		)
		when = datetime.now(timezone.utc) - timedelta(hours=23, minutes=50)
		appeal = chat("WhatsApp", "79161234567", when=when, sender_phone="79161234567")
		frappe.set_user(operator)
		result = send_reply(appeal, "Ждём вас завтра")
		[request] = server.requests
		assert request["headers"]["Authorization"] == f"Bearer {WHATSAPP_TOKEN}"
		assert request["body"] == {
			"messaging_product": "whatsapp",
			"recipient_type": "individual",
			"to": "79161234567",
			"type": "text",
			"text": {"preview_url": False, "body": "Ждём вас завтра"},
		}
		assert result["delivered"] and result["template"] is None
		assert sent_replies(appeal)[0].message_id.startswith("WhatsApp:sent:wamid.")
	finally:
		server.close()


def test_whatsapp_after_24_hours_is_the_approved_template(operator):
	server = whatsapp_api(window_open=False)
	try:
		frappe.set_user("Administrator")
		configure(
			whatsapp_api_url=f"{server.url}/v21.0",
			whatsapp_phone_number_id=PHONE_NUMBER_ID,
			whatsapp_access_token=WHATSAPP_TOKEN,
			whatsapp_template="reply_later",
			whatsapp_template_language="ru",
		)
		when = datetime.now(timezone.utc) - timedelta(hours=24, minutes=1)
		appeal = chat("WhatsApp", "79161234568", when=when, sender_phone="79161234568")
		frappe.set_user(operator)
		result = send_reply(appeal, "Ваш заказ-наряд готов")
		[request] = server.requests
		assert request["body"]["type"] == "template"
		assert request["body"]["template"] == {
			"name": "reply_later",
			"language": {"code": "ru"},
			"components": [
				{"type": "body", "parameters": [{"type": "text", "text": "Ваш заказ-наряд готов"}]}
			],
		}
		assert result["delivered"] and result["template"] == "reply_later"
		[kept] = sent_replies(appeal)
		assert kept.delivery_status == "Sent" and "reply_later" in kept.subject
	finally:
		server.close()


def test_whatsapp_refusal_of_text_outside_the_window_is_kept_with_metas_reason(operator):
	"""The app's clock says the window is open, Meta's says it is closed: Meta's refusal is kept."""
	server = whatsapp_api(window_open=False)
	try:
		frappe.set_user("Administrator")
		configure(
			whatsapp_api_url=f"{server.url}/v21.0",
			whatsapp_phone_number_id=PHONE_NUMBER_ID,
			whatsapp_access_token=WHATSAPP_TOKEN,
		)
		appeal = chat("WhatsApp", "79161234569", sender_phone="79161234569")
		frappe.set_user(operator)
		result = send_reply(appeal, "Здравствуйте")
		assert not result["delivered"]
		assert result["reason"].startswith("(#131047) Re-engagement message: Message failed to send")
		assert result["reason"].endswith("last replied to this number.")  # the code is in it already
	finally:
		server.close()


def test_whatsapp_without_a_template_after_24_hours_refuses_before_sending(operator):
	server = whatsapp_api()
	try:
		frappe.set_user("Administrator")
		configure(
			whatsapp_api_url=f"{server.url}/v21.0",
			whatsapp_phone_number_id=PHONE_NUMBER_ID,
			whatsapp_access_token=WHATSAPP_TOKEN,
			whatsapp_template="",
		)
		appeal = chat("WhatsApp", "79161234570", when=datetime.now(timezone.utc) - timedelta(days=2))
		frappe.set_user(operator)
		with pytest.raises(frappe.ValidationError, match="approved template"):
			send_reply(appeal, "Здравствуйте")
		assert server.requests == [] and sent_replies(appeal) == []
	finally:
		server.close()


def kept_jivo_event(appeal: str, event: dict) -> None:
	"""A Jivo webhook the intake kept for the appeal: where a reply finds the chat's client."""
	frappe.get_doc(
		{
			"doctype": "Intake Payload",
			"provider": "jivosite",
			"channel": "Chat",
			"status": "Processed",
			"appeal": appeal,
			"payload": json.dumps(event),
		}
	).insert(ignore_permissions=True)


def test_jivo_reply_is_a_bot_message_to_the_chat_and_its_client(operator):
	server = jivo_api()
	try:
		frappe.set_user("Administrator")
		configure(jivosite_bot_url=f"{server.url}{JIVO_PATH}")
		appeal = chat("Jivosite", "7607")
		# the Jivo event the intake kept for this appeal (chat_finished: visitor.number, no client_id)
		kept_jivo_event(
			appeal,
			{"event_name": "chat_finished", "chat_id": 7607, "visitor": {"name": "Ольга", "number": "2198"}},
		)
		frappe.set_user(operator)
		result = send_reply(appeal, "Можем принять в 15:00")
		[request] = server.requests
		body = request["body"]
		assert request["path"] == JIVO_PATH
		assert body["event"] == "BOT_MESSAGE" and body["client_id"] == "2198" and body["chat_id"] == "7607"
		assert body["message"]["type"] == "TEXT" and body["message"]["text"] == "Можем принять в 15:00"
		assert abs(body["message"]["timestamp"] - time.time()) < 60 and body["id"]
		assert result["delivered"]
		assert sent_replies(appeal)[0].message_id == f"Jivosite:sent:{body['id']}"
	finally:
		server.close()


def test_jivo_wrong_endpoint_is_kept_with_jivos_answer(operator):
	server = jivo_api()
	try:
		frappe.set_user("Administrator")
		configure(jivosite_bot_url=f"{server.url}/webhooks/provider-7/wrong")
		appeal = chat("Jivosite", "7608")
		kept_jivo_event(
			appeal, {"event_name": "offline_message", "chat_id": 7608, "visitor": {"number": "5"}}
		)
		frappe.set_user(operator)
		result = send_reply(appeal, "Ответ")
		assert result["reason"] == "Incorrectly formed endpoint (not_found)"
		assert [r.delivery_status for r in sent_replies(appeal)] == ["Error"]
	finally:
		server.close()


def test_what_cannot_be_sent_is_refused_before_anything_is_sent(operator):
	frappe.set_user("Administrator")
	configure(telegram_bot_token="", jivosite_bot_url="")
	telegram_appeal = chat("Telegram", "111222338")
	jivo_appeal = chat("Jivosite", "7609")
	call = frappe.get_doc({"doctype": "Appeal", "channel": "Incoming Call", "phone": "+79165550001"}).insert()
	frappe.set_user(operator)
	with pytest.raises(frappe.ValidationError, match="Telegram bot token"):
		send_reply(telegram_appeal, "Текст")
	with pytest.raises(frappe.ValidationError, match="Write the reply first"):
		send_reply(telegram_appeal, "   ")
	with pytest.raises(frappe.ValidationError, match="Jivo Bot API address"):
		send_reply(jivo_appeal, "Текст")
	with pytest.raises(frappe.ValidationError, match="Only an appeal of a chat"):
		send_reply(call.name, "Текст")
	frappe.set_user("Administrator")
	configure(jivosite_bot_url="http://127.0.0.1:9/webhooks/x/y")
	frappe.set_user(operator)
	with pytest.raises(frappe.ValidationError, match="who the client of this chat is"):
		send_reply(jivo_appeal, "Текст")  # no Jivo event of this chat kept: no client id
	assert sent_replies(telegram_appeal) == [] and sent_replies(jivo_appeal) == []


def test_only_who_may_write_the_appeal_replies():
	appeal = chat("Telegram", "111222339")
	frappe.set_user(make_user("Sales User"))
	with pytest.raises(frappe.PermissionError):
		send_reply(appeal, "Текст")


def test_the_feed_is_one_conversation_in_order_of_time(operator):
	server = telegram_api()
	try:
		frappe.set_user("Administrator")
		configure(telegram_api_url=server.url, telegram_bot_token=TELEGRAM_TOKEN)
		start = datetime.now(timezone.utc) - timedelta(minutes=30)
		appeal = chat("Telegram", "111222340", "Здравствуйте, нужна замена масла", when=start)
		chat("Telegram", "111222340", "И фильтр тоже", when=start + timedelta(minutes=1))
		frappe.set_user(operator)
		send_reply(appeal, "Добрый день! Когда вам удобно?")
		frappe.set_user("Administrator")
		chat("Telegram", "111222340", "Завтра в 10", when=datetime.now(timezone.utc) + timedelta(seconds=5))
		frappe.set_user(operator)
		messages = [row for row in event_feed(appeal) if row["kind"] == "Message"]
		operator_name = frappe.utils.get_fullname(operator)
		assert [(row["direction"], row["sender"], row["text"]) for row in reversed(messages)] == [
			("Received", "Ольга Клиентова", "Ольга Клиентова: Здравствуйте, нужна замена масла"),
			("Received", "Ольга Клиентова", "Ольга Клиентова: И фильтр тоже"),
			("Sent", operator_name, f"{operator_name}: Добрый день! Когда вам удобно?"),
			("Received", "Ольга Клиентова", "Ольга Клиентова: Завтра в 10"),
		]
		assert not any(row["failed"] for row in messages)
	finally:
		server.close()


def test_a_new_client_message_is_announced_to_the_appeals_screen():
	appeal = chat("Telegram", "111222341")
	communication = frappe.db.get_value(
		"Communication", {"reference_name": appeal, "sent_or_received": "Received"}, "name"
	)
	# published to the appeal's document room once the transaction commits
	pending = [log for log in frappe.local._realtime_log if log[0] == EVENT]
	assert pending == [
		[
			EVENT,
			{
				"appeal": appeal,
				"communication": communication,
				"sent_or_received": "Received",
				"user": "Administrator",
			},
			f"doc:Appeal/{appeal}",
		]
	]
	# and it reaches Redis, where Frappe's socket.io server takes it to the browsers
	from frappe.utils.background_jobs import get_redis_connection_without_auth

	pubsub = get_redis_connection_without_auth().pubsub(ignore_subscribe_messages=True)
	pubsub.subscribe("events")
	try:
		frappe.realtime.flush_realtime_log()  # what the commit runs
		deadline = time.time() + 5
		got = None
		while time.time() < deadline and got is None:
			message = pubsub.get_message(timeout=0.5)
			if message and json.loads(message["data"]).get("event") == EVENT:
				got = json.loads(message["data"])
		assert got and got["room"] == f"doc:Appeal/{appeal}" and got["message"]["appeal"] == appeal
		assert got["namespace"] == frappe.local.site
	finally:
		pubsub.close()


def test_a_new_chats_message_neither_loads_its_appeal_again_nor_shares_it_uncommitted():
	"""The Communication of a new chat's first message takes the appeal the filing has in hand: its
	document is not loaded from the database again, and the appeal, not yet committed, is in this
	process's copy of the cache only, never in Redis for other processes to read."""
	message = ChatMessage(
		platform="Telegram", external_id="111222343:1", conversation_id="111222343", text="Здравствуйте"
	)
	with sent() as statements:
		appeal = file_chat(message)
	assert not [q for q in statements if q.startswith("SELECT * FROM `tabAppeal`")], statements
	key = frappe.cache.make_key(frappe.get_document_cache_key("Appeal", appeal))
	assert frappe.cache.get(key) is None, "not in Redis before its commit"
	assert frappe.db.exists("Communication", {"message_id": "Telegram:111222343:1", "reference_name": appeal})


def test_a_repeated_delivery_announces_nothing():
	message = ChatMessage(
		platform="Telegram", external_id="111222342:1", conversation_id="111222342", text="Привет"
	)
	file_chat(message)
	frappe.local._realtime_log = []
	file_chat(message)
	assert frappe.local._realtime_log == []


def test_a_refused_reply_survives_the_request_over_http(web_server, committed):
	"""Through the site's web server: the request commits the failed reply and shows the reason."""
	server = telegram_api(refuse="Forbidden: bot was blocked by the user")
	settings = frappe.get_single("Auto Service Settings")
	before = {
		"telegram_api_url": settings.telegram_api_url,
		"telegram_bot_token": settings.get_password("telegram_bot_token", raise_exception=False) or "",
	}
	user = make_user("Auto Service Operator")
	try:
		from frappe.utils.password import update_password

		update_password(user, "Operator-pass-123")
		configure(telegram_api_url=server.url, telegram_bot_token=TELEGRAM_TOKEN)
		appeal = chat("Telegram", "111222343")
		frappe.db.commit()
		session = site_session()
		login = session.post(f"{web_server}/api/method/login", data={"usr": user, "pwd": "Operator-pass-123"})
		assert login.ok, login.text
		response = session.post(
			f"{web_server}/api/method/auto_service_crm.messengers.outbound.send_reply",
			data={"appeal": appeal, "text": "Вы здесь?"},
		)
		assert response.status_code == 200, response.text
		answer = response.json()
		assert answer["message"]["delivered"] is False
		shown = [json.loads(m)["message"] for m in json.loads(answer.get("_server_messages") or "[]")]
		assert any("Forbidden: bot was blocked by the user" in m for m in shown)
		frappe.db.rollback()
		[kept] = sent_replies(appeal)
		assert kept.delivery_status == "Error" and kept.sender == user
	finally:
		server.close()
		frappe.db.rollback()
		configure(**before)
		frappe.delete_doc("User", user, force=True, ignore_permissions=True)
		frappe.db.commit()
