"""Every channel through real HTTP requests to the site: appeals, Call Logs, Communications,
tasks and identification that result, with repeated deliveries, bad signatures and bad payloads."""

import hashlib
import hmac
import json

import pytest
import requests

import frappe

from auto_service_crm.telephony import zadarma
from tests.integration.factories import make_customer, make_user
from tests.integration.web import filed, outcome

SECRETS = {
	"telephony_token": "tel-secret",
	"zadarma_secret": "zd-secret",
	"mango_api_salt": "mango-salt",
	"website_form_token": "form-secret",
	"mobile_app_token": "app-secret",
	"whatsapp_app_secret": "wa-secret",
	"whatsapp_verify_token": "wa-verify",
	"telegram_secret_token": "tg-secret",
	"jivosite_token": "jivo-secret",
}
MANGO_KEY = "mango-key"
RUN = frappe.generate_hash(length=6)  # delivery ids unique per run: a repeat is only ever this run's


@pytest.fixture(scope="module", autouse=True)
def secrets(web_server):
	settings = frappe.get_single("Auto Service Settings")
	settings.update(SECRETS)
	settings.mango_api_key = MANGO_KEY
	settings.save()
	frappe.db.commit()


def post(base, method, body, headers=None, params=None, json_body=True):
	data = json.dumps(body).encode() if json_body and not isinstance(body, bytes | str) else body
	kind = "application/json" if json_body else "application/x-www-form-urlencoded"
	return filed(
		requests.post(
			f"{base}/api/method/auto_service_crm.api.{method}",
			data=data,
			headers={"Content-Type": kind, **(headers or {})},
			params=params,
			timeout=30,
		)
	)


TOKEN = {"X-Webhook-Token": SECRETS["telephony_token"]}


def call(base, call_id, event, **extra):
	return post(
		base,
		"call_event",
		{"call_id": call_id, "event": event, "from": "+7 916 700-00-01", "to": "+7 495 100-00-00", **extra},
		TOKEN,
	)


def test_incoming_call_from_ringing_to_the_end(web_server, committed):
	customer = make_customer("Клиент Звонка")
	contact = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": "Клиент",
			"phone_nos": [{"phone": "8 (916) 700-00-01"}],
			"links": [{"link_doctype": "Customer", "link_name": customer}],
		}
	).insert()
	channel = frappe.get_doc(
		{
			"doctype": "Ad Channel",
			"ad_channel_name": "Yandex Direct",
			"phone_numbers": [{"phone_number": "+7 495 100-00-00"}],
		}
	).insert()
	operator = make_user("Auto Service Operator")
	frappe.db.set_value("User", operator, "phone", f"7{RUN}")  # the PBX extension rings this user
	frappe.db.commit()
	try:
		response = call(web_server, f"c-1001-{RUN}", "ringing")
		assert response.status_code == 200, response.text
		[appeal_name] = committed.new("Appeal")
		appeal = frappe.get_doc("Appeal", appeal_name)
		assert appeal.channel == "Incoming Call" and appeal.phone_normalized == "+79167000001"
		assert (appeal.customer, appeal.contact, appeal.identification) == (
			customer,
			contact.name,
			"Identified",
		)
		assert appeal.ad_channel == "Yandex Direct" and appeal.call_log == f"c-1001-{RUN}"
		assert frappe.db.get_value("Call Log", f"c-1001-{RUN}", "status") == "Ringing"
		assert call(web_server, f"c-1001-{RUN}", "answered", agent=f"7{RUN}").ok
		assert call(web_server, f"c-1001-{RUN}", "ended", talk_seconds=95).ok
		assert call(web_server, f"c-1001-{RUN}", "answered", agent=f"7{RUN}").ok  # late: keeps «ended»
		frappe.db.rollback()
		log = frappe.get_doc("Call Log", f"c-1001-{RUN}")
		assert (log.status, log.duration, log.type) == ("Completed", 95, "Incoming")
		assert log.employee_user_id == operator
		assert frappe.db.get_value("Appeal", appeal_name, "operator") == operator, "who took the call"
		# the caller's Contact, though its number is written another way («8 (916) …»)
		assert {(row.link_doctype, row.link_name) for row in log.links} >= {
			("Appeal", appeal_name),
			("Contact", contact.name),
		}
		assert committed.new("Appeal") == [appeal_name], "one call, one appeal"
	finally:
		frappe.delete_doc("Contact", contact.name, force=True)
		frappe.delete_doc("Ad Channel", channel.name, force=True)
		frappe.delete_doc("Customer", customer, force=True)
		frappe.delete_doc("User", operator, force=True)
		frappe.db.commit()


def test_a_repeated_delivery_files_nothing_twice(web_server, committed):
	first = call(web_server, f"c-1002-{RUN}", "ringing")
	again = call(web_server, f"c-1002-{RUN}", "ringing")
	assert first.json()["message"]["status"] == "received", "kept, and filed by a background job"
	assert outcome(first)["status"] == "processed"
	assert again.status_code == 200 and again.json()["message"]["status"] == "duplicate"
	assert len(committed.new("Appeal")) == 1
	assert len(committed.new("Intake Payload")) == 1


def test_missed_call_with_reason_wait_and_a_task_for_the_operators(web_server, committed):
	operator = make_user("Auto Service Operator")
	frappe.db.commit()
	try:
		assert call(web_server, f"c-1003-{RUN}", "ringing").ok
		response = call(web_server, f"c-1003-{RUN}", "missed", wait_seconds=48, loss_reason="queue")
		assert response.ok, response.text
		[appeal_name] = committed.new("Appeal")
		appeal = frappe.get_doc("Appeal", appeal_name)
		assert (appeal.channel, appeal.loss_reason, appeal.wait_time) == ("Missed Call", "Queue Wait", 48)
		task = frappe.get_all(
			"ToDo",
			filters={"reference_name": appeal_name, "allocated_to": operator},
			fields=["description", "role"],
		)
		assert task and "missed call" in task[0].description and task[0].role == "Auto Service Operator"
		assert frappe.db.get_value("Call Log", f"c-1003-{RUN}", "status") == "No Answer"
	finally:
		frappe.delete_doc("User", operator, force=True)
		frappe.db.commit()


@pytest.mark.parametrize(
	("headers", "status"),
	[({}, 403), ({"X-Webhook-Token": "wrong"}, 403), ({"X-Webhook-Token": "tel-secret"}, 200)],
)
def test_telephony_token(web_server, committed, headers, status):
	response = post(
		web_server,
		"call_event",
		{"call_id": f"c-1004-{RUN}", "event": "ringing", "from": "+79167000004"},
		headers,
	)
	assert response.status_code == status, response.text
	assert len(committed.new("Appeal")) == (1 if status == 200 else 0)


def test_bad_payloads_get_a_clear_error_and_are_kept(web_server, committed):
	# (as text/plain: under application/json, Frappe itself refuses a body that is not JSON)
	broken = post(web_server, "call_event", b"{not json", {**TOKEN, "Content-Type": "text/plain"})
	assert broken.status_code == 400 and "not valid JSON" in broken.json()["message"]["error"]
	unknown = post(web_server, "call_event", {"call_id": f"c-1005-{RUN}", "event": "teleport"}, TOKEN)
	assert unknown.status_code == 400 and "event" in unknown.json()["message"]["error"]
	huge = post(web_server, "call_event", b"{" + b" " * 70000 + b"}", TOKEN)
	assert huge.status_code == 413
	kept = frappe.get_all(
		"Intake Payload",
		filters={"name": ["in", committed.new("Intake Payload")]},
		fields=["status", "payload", "error"],
	)
	assert sorted(k.status for k in kept) == ["Failed", "Failed"]
	assert any(k.payload == "{not json" for k in kept) and all(k.error for k in kept)
	assert not committed.new("Appeal")


def test_a_payload_is_kept_whole_with_what_no_column_holds_cut_to_fit(web_server, committed):
	long_id = f"c-1006-{RUN}-" + "9" * 100  # the parsers refuse a call id over 128 characters
	response = post(
		web_server,
		"call_event",
		{"call_id": long_id, "event": "ringing", "from": "+79167000016"},
		{**TOKEN, "Content-Type": "application/json; charset=utf-8; profile=" + "x" * 200},
	)
	assert response.ok, response.text[:500]
	[kept] = frappe.get_all(
		"Intake Payload",
		filters={"name": ["in", committed.new("Intake Payload")]},
		fields=["status", "payload", "external_id", "content_type", "received_on", "attempts"],
	)
	assert kept.status in ("Received", "Processed") and kept.received_on
	assert long_id in kept.payload, "the payload itself is kept whole"
	assert kept.external_id == long_id and kept.content_type.startswith("application/json")
	assert len(kept.content_type) == 140 and kept.attempts in (0, 1)


def zadarma_post(base, fields, secret="zd-secret"):
	return post(
		base,
		"zadarma_event",
		"&".join(f"{k}={v}" for k, v in fields.items()),
		{"Signature": zadarma.sign(fields, secret)},
		json_body=False,
	)


def test_zadarma_webhooks(web_server, committed):
	start = {
		"event": "NOTIFY_START",
		"call_start": "2026-11-23 10:00:00",
		"pbx_call_id": f"zd-1-{RUN}",
		"caller_id": "79167000006",
		"called_did": "74951000000",
	}
	end = {
		**start,
		"event": "NOTIFY_END",
		"disposition": "answered",
		"duration": "61",
		"status_code": "16",
		"is_recorded": "0",
		"call_id_with_rec": "",
	}
	assert zadarma_post(web_server, start).ok
	assert zadarma_post(web_server, end).ok
	assert zadarma_post(web_server, start, secret="forged").status_code == 403
	[appeal] = committed.new("Appeal")
	assert frappe.db.get_value("Appeal", appeal, "phone_normalized") == "+79167000006"
	assert frappe.db.get_value("Call Log", f"zd-1-{RUN}", ["status", "duration"]) == ("Completed", 61)
	echo = requests.get(
		f"{web_server}/api/method/auto_service_crm.api.zadarma_event",
		params={"zd_echo": "abc123"},
		timeout=10,
	)
	assert echo.status_code == 200 and echo.text == "abc123"


def test_mango_office_webhooks(web_server, committed):
	payload = json.dumps(
		{
			"entry_id": f"mg-entry-1-{RUN}",
			"call_id": f"mg-call-1-{RUN}",
			"timestamp": 1795428000,
			"seq": 1,
			"call_state": "Appeared",
			"location": "ivr",
			"from": {"number": "79167000007"},
			"to": {"number": "74951000000", "line_number": "74951000000"},
		}
	)
	sign = hashlib.sha256((MANGO_KEY + payload + SECRETS["mango_api_salt"]).encode()).hexdigest()
	form = requests.models.RequestEncodingMixin._encode_params(
		{"vpbx_api_key": MANGO_KEY, "sign": sign, "json": payload}
	)
	assert post(web_server, "mango_call", form, json_body=False).ok
	forged = requests.models.RequestEncodingMixin._encode_params(
		{"vpbx_api_key": MANGO_KEY, "sign": "0" * 64, "json": payload}
	)
	assert post(web_server, "mango_call", forged, json_body=False).status_code == 403
	[appeal] = committed.new("Appeal")
	assert frappe.db.get_value("Appeal", appeal, "call_log") == f"mg-entry-1-{RUN}"


def mango_form(payload: dict) -> str:
	text = json.dumps(payload)
	sign = hashlib.sha256((MANGO_KEY + text + SECRETS["mango_api_salt"]).encode()).hexdigest()
	return requests.models.RequestEncodingMixin._encode_params(
		{"vpbx_api_key": MANGO_KEY, "sign": sign, "json": text}
	)


def test_mango_missed_call_lost_in_the_queue(web_server, committed):
	entry = f"mg-entry-2-{RUN}"
	base = {
		"entry_id": entry,
		"from": {"number": "79167000014"},
		"to": {"number": "74951000000", "line_number": "74951000000"},
	}
	for seq, (state, location) in enumerate(
		(("Appeared", "ivr"), ("Appeared", "queue"), ("Disconnected", "queue")), 1
	):
		event = {
			**base,
			"call_id": f"{entry}-leg",
			"timestamp": 1795428000 + seq,
			"seq": seq,
			"call_state": state,
			"location": location,
		}
		assert post(web_server, "mango_call", mango_form(event), json_body=False).ok
	summary = {
		**base,
		"call_direction": 1,
		"entry_result": 0,
		"create_time": 1795428000,
		"forward_time": 0,
		"talk_time": 0,
		"end_time": 1795428040,
		"disconnect_reason": 1110,
	}
	response = post(web_server, "mango_summary", mango_form(summary), json_body=False)
	assert response.ok, response.text
	[appeal] = committed.new("Appeal")
	assert frappe.db.get_value("Appeal", appeal, ["channel", "loss_reason"]) == ("Missed Call", "Queue Wait")


def test_website_form_register_with_utm_and_several_matching_clients(web_server, committed):
	one, two = make_customer("Форма Один"), make_customer("Форма Два")
	contacts = [
		frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": "Форма",
				"phone_nos": [{"phone": "+7 916 700-00-08"}],
				"links": [{"link_doctype": "Customer", "link_name": c}],
			}
		).insert()
		for c in (one, two)
	]
	channel = frappe.get_doc(
		{"doctype": "Ad Channel", "ad_channel_name": "VK Ads", "utm_source": "vk"}
	).insert()
	frappe.db.commit()
	try:
		body = {
			"submission_id": f"f-1-{RUN}",
			"name": "Ольга",
			"phone": "+7 916 700-00-08",
			"comment": "Запись на диагностику",
			"page_url": "https://sto.example/?utm_source=vk&utm_medium=cpc",
		}
		assert post(web_server, "website_form_submission", body, {"X-Webhook-Token": "form-secret"}).ok
		assert (
			post(web_server, "website_form_submission", body, {"X-Webhook-Token": "form-secret"}).json()[
				"message"
			]["status"]
			== "duplicate"
		)
		assert post(web_server, "website_form_submission", body).status_code == 403
		[appeal_name] = committed.new("Appeal")
		appeal = frappe.get_doc("Appeal", appeal_name)
		assert (appeal.channel, appeal.client_name, appeal.utm_source, appeal.ad_channel) == (
			"Website Form",
			"Ольга",
			"vk",
			"VK Ads",
		)
		assert appeal.identification == "Several Matches" and not appeal.customer
		assert appeal.client_comment == "Запись на диагностику"
	finally:
		for contact in contacts:
			frappe.delete_doc("Contact", contact.name, force=True)
		for name in (one, two):
			frappe.delete_doc("Customer", name, force=True)
		frappe.delete_doc("Ad Channel", channel.name, force=True)
		frappe.db.commit()


def test_mobile_app_request(web_server, committed):
	body = {
		"request_id": f"m-1-{RUN}",
		"name": "Игорь",
		"phone": "89167000009",
		"text": "Стук в подвеске",
		"vehicle": "Kia Rio 2017",
	}
	response = post(web_server, "mobile_app_request", body, {"X-Webhook-Token": "app-secret"})
	assert response.ok, response.text
	[appeal_name] = committed.new("Appeal")
	appeal = frappe.get_doc("Appeal", appeal_name)
	assert appeal.channel == "Mobile App" and appeal.phone_normalized == "+79167000009"
	assert "Стук в подвеске" in appeal.client_comment and "Kia Rio 2017" in appeal.client_comment
	assert (
		post(
			web_server, "mobile_app_request", {"name": "no id"}, {"X-Webhook-Token": "app-secret"}
		).status_code
		== 400
	)


CHAT_ID = int("5551" + str(int(RUN, 16) % 10000))


def telegram_update(update_id, message_id, text, chat_id=CHAT_ID):
	return {
		"update_id": update_id,
		"message": {
			"message_id": message_id,
			"date": 1795428000,
			"chat": {"id": chat_id, "type": "private"},
			"from": {"id": chat_id, "first_name": "Пётр", "is_bot": False},
			"text": text,
		},
	}


def test_telegram_messages_of_one_chat_go_to_one_open_appeal(web_server, committed):
	headers = {"X-Telegram-Bot-Api-Secret-Token": "tg-secret"}
	assert post(web_server, "telegram_update", telegram_update(1, 10, "Здравствуйте"), headers).ok
	assert post(web_server, "telegram_update", telegram_update(2, 11, "Нужна замена масла"), headers).ok
	assert (
		post(web_server, "telegram_update", telegram_update(2, 11, "Нужна замена масла"), headers).json()[
			"message"
		]["status"]
		== "duplicate"
	)
	assert (
		post(
			web_server,
			"telegram_update",
			telegram_update(3, 12, "x"),
			{"X-Telegram-Bot-Api-Secret-Token": "no"},
		).status_code
		== 403
	)
	[appeal_name] = committed.new("Appeal")
	appeal = frappe.get_doc("Appeal", appeal_name)
	assert (appeal.channel, appeal.chat_platform, appeal.conversation_id, appeal.client_name) == (
		"Chat",
		"Telegram",
		str(CHAT_ID),
		"Пётр",
	)
	messages = frappe.get_all(
		"Communication",
		filters={"reference_name": appeal_name},
		fields=["content", "communication_medium"],
		order_by="creation",
	)
	assert [m.content for m in messages] == ["Здравствуйте", "Нужна замена масла"]
	assert {m.communication_medium for m in messages} == {"Chat"}


def test_whatsapp_signed_delivery_and_subscription(web_server, committed):
	body = json.dumps(
		{
			"object": "whatsapp_business_account",
			"entry": [
				{
					"id": "1",
					"changes": [
						{
							"field": "messages",
							"value": {
								"messaging_product": "whatsapp",
								"contacts": [{"profile": {"name": "Анна"}, "wa_id": "79167000010"}],
								"messages": [
									{
										"from": "79167000010",
										"id": f"wamid.A1-{RUN}",
										"timestamp": "1795428000",
										"type": "text",
										"text": {"body": "Есть колодки на Солярис?"},
									}
								],
							},
						}
					],
				}
			],
		}
	).encode()
	signature = "sha256=" + hmac.new(b"wa-secret", body, hashlib.sha256).hexdigest()
	assert post(web_server, "whatsapp_webhook", body, {"X-Hub-Signature-256": signature}).ok
	assert (
		post(web_server, "whatsapp_webhook", body, {"X-Hub-Signature-256": "sha256=" + "0" * 64}).status_code
		== 403
	)
	[appeal_name] = committed.new("Appeal")
	appeal = frappe.get_doc("Appeal", appeal_name)
	assert (appeal.chat_platform, appeal.phone_normalized) == ("WhatsApp", "+79167000010")
	check = requests.get(
		f"{web_server}/api/method/auto_service_crm.api.whatsapp_webhook",
		params={"hub.mode": "subscribe", "hub.verify_token": "wa-verify", "hub.challenge": "42"},
		timeout=10,
	)
	assert check.status_code == 200 and check.text == "42"


def test_jivosite_offline_message(web_server, committed):
	body = {
		"event_name": "offline_message",
		"chat_id": 777,
		"widget_id": "w1",
		"visitor": {"name": "Сергей", "email": "sergey@example.com", "phone": "+79167000011"},
		"message": "Перезвоните по поводу ТО",
		"offline_message_id": f"9001{RUN}",
	}
	response = post(web_server, "jivosite_event", body, params={"token": "jivo-secret"})
	assert response.ok, response.text
	[appeal_name] = committed.new("Appeal")
	assert frappe.db.get_value("Appeal", appeal_name, "chat_platform") == "Jivosite"
	assert post(web_server, "jivosite_event", body, params={"token": "bad"}).status_code == 403


def test_a_payload_that_failed_to_file_is_kept_reported_and_replayed(web_server, committed):
	manager = make_user("Auto Service Manager")
	frappe.db.set_value("Appeal Channel", "Mobile App", "channel_name", "Mobile App")  # exists
	frappe.rename_doc("Appeal Channel", "Mobile App", "Mobile Application", force=True)
	frappe.db.commit()
	try:
		body = {"request_id": f"m-2-{RUN}", "phone": "+79167000012", "text": "Запишите на шиномонтаж"}
		failed = post(web_server, "mobile_app_request", body, {"X-Webhook-Token": "app-secret"})
		# the same payload would fail the same way on every retry: not a status that asks for one
		assert failed.status_code == 200, failed.text
		assert failed.json()["message"]["status"] == "failed"
		name = failed.json()["message"]["payload"]
		assert frappe.db.get_value("Intake Payload", name, "status") == "Failed"
		assert not committed.new("Appeal")
		assert frappe.get_all(
			"Error Log", filters={"reference_doctype": "Intake Payload", "reference_name": name}, pluck="name"
		), "the failure is in the Error Log with the payload's name"
		assert frappe.get_all(
			"Notification Log",
			filters={"for_user": manager, "document_type": "Intake Payload", "document_name": name},
			pluck="name",
		), "the manager is told in the desk"
	finally:
		frappe.rename_doc("Appeal Channel", "Mobile Application", "Mobile App", force=True)
		frappe.db.delete("Notification Log", {"document_type": "Intake Payload", "document_name": name})
		frappe.db.delete("Error Log", {"reference_doctype": "Intake Payload", "reference_name": name})
		frappe.delete_doc("User", manager, force=True)
		frappe.db.commit()
	appeals = frappe.get_doc("Intake Payload", name).replay()
	frappe.db.commit()
	assert frappe.db.get_value("Intake Payload", name, ["status", "appeal"]) == ("Processed", appeals[0])
	assert frappe.db.get_value("Appeal", appeals[0], "channel") == "Mobile App"


def test_the_same_delivery_twice_at_the_same_moment_is_filed_once(web_server, committed):
	from concurrent.futures import ThreadPoolExecutor

	body = {"request_id": f"m-3-{RUN}", "phone": "+79167000013", "text": "Дважды"}
	with ThreadPoolExecutor(max_workers=4) as pool:
		responses = list(
			pool.map(
				lambda _: post(web_server, "mobile_app_request", body, {"X-Webhook-Token": "app-secret"}),
				range(4),
			)
		)
	assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
	assert sorted(r.json()["message"]["status"] for r in responses).count("processed") == 1
	assert len(committed.new("Appeal")) == 1
