import hashlib
import hmac
import json
from datetime import datetime, timezone

import pytest

from auto_service_crm.intake.errors import PayloadError, SignatureError, load_json
from auto_service_crm.messengers import whatsapp
from tests.unit.intake._samples import sample

UTC = timezone.utc
APP_SECRET = "6d2f7c1e9a0b4c3d8e5f6a7b8c9d0e1f"


def header_for(body: bytes, secret: str = APP_SECRET) -> str:
	return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def value_of(payload: dict) -> dict:
	return payload["entry"][0]["changes"][0]["value"]


# --- messages ------------------------------------------------------------------------------------


def test_text_message():
	(message,) = whatsapp.parse(sample("whatsapp", "text"))
	assert message.platform == "WhatsApp"
	assert message.external_id == "wamid.HBgLNzkxNjAwMDAwMDEVAgASGBQzQUI0RjI5RjQxRDM0QzVBNkQ3RQA="
	assert message.conversation_id == "79160000001"
	assert message.sender_phone == "79160000001" and message.sender_name == "Сергей Иванов"
	assert message.sender_email is None
	assert message.text == "Здравствуйте! Хочу записаться на ТО, Kia Rio 2017"
	assert message.sent_at == datetime(2024, 5, 14, 6, 21, 7, tzinfo=UTC)
	assert message.raw["object"] == "whatsapp_business_account"


def test_image_with_caption():
	(message,) = whatsapp.parse(sample("whatsapp", "image"))
	assert message.text == "[photo] Вот такая царапина на бампере"
	assert message.sender_name == "Sheena Nelson"


def test_image_without_caption_is_described():
	payload = sample("whatsapp", "image")
	del value_of(payload)["messages"][0]["image"]["caption"]
	assert whatsapp.parse(payload)[0].text == "[photo]"


def test_voice_note():
	assert whatsapp.parse(sample("whatsapp", "voice"))[0].text == "[voice message]"


@pytest.mark.parametrize(
	("kind", "body", "text"),
	[
		("video", {"id": "1", "caption": "Стук"}, "[video] Стук"),
		("audio", {"id": "1", "voice": False}, "[audio]"),
		(
			"document",
			{"id": "1", "filename": "смета.pdf", "caption": "Вот смета"},
			"[document: смета.pdf] Вот смета",
		),
		("document", {"id": "1"}, "[document]"),
		("sticker", {"id": "1", "animated": False}, "[sticker]"),
		("button", {"payload": "YES", "text": "Да, приеду"}, "Да, приеду"),
		("button", {"payload": "YES"}, "YES"),
		(
			"interactive",
			{
				"type": "list_reply",
				"list_reply": {"id": "s1", "title": "ТО-1", "description": "Масло и фильтры"},
			},
			"ТО-1 Масло и фильтры",
		),
		("interactive", {"type": "nfm_reply", "nfm_reply": {}}, "[interactive reply]"),
		("order", {"catalog_id": "1", "text": "Колодки", "product_items": []}, "[order] Колодки"),
		("location", {}, "[location]"),
		("brand_new_type", {"x": 1}, "[unsupported message]"),
	],
)
def test_other_message_types_are_described(kind, body, text):
	payload = sample("whatsapp", "text")
	message = value_of(payload)["messages"][0]
	del message["text"]
	message["type"] = kind
	message[kind] = body
	assert whatsapp.parse(payload)[0].text == text


def test_interactive_button_reply():
	assert whatsapp.parse(sample("whatsapp", "interactive_button_reply"))[0].text == "Подтверждаю запись"


def test_several_messages_in_one_delivery_keep_their_order_and_ids():
	location, contact = whatsapp.parse(sample("whatsapp", "location_and_contacts_batch"))
	assert location.text == "[location: 55.7558, 37.6173 Эвакуатор здесь Тверская ул., 1]"
	assert contact.text == "[contact: Жена +7 916 000-00-05]"
	assert location.external_id != contact.external_id
	assert location.conversation_id == contact.conversation_id == "79160000001"
	# a shared contact is someone else's number: the sender's phone stays the sender's
	assert contact.sender_phone == "79160000001"


def test_unsupported_message_is_kept_as_a_placeholder():
	(message,) = whatsapp.parse(sample("whatsapp", "unsupported"))
	assert message.text == "[unsupported message]"


@pytest.mark.parametrize("name", ["status", "reaction"])
def test_statuses_and_reactions_are_not_messages(name):
	assert whatsapp.parse(sample("whatsapp", name)) == []


def test_other_fields_and_empty_entries_give_nothing():
	payload = sample("whatsapp", "text")
	payload["entry"][0]["changes"][0]["field"] = "message_template_status_update"
	assert whatsapp.parse(payload) == []
	assert whatsapp.parse({"object": "whatsapp_business_account", "entry": []}) == []


def test_username_users_without_a_phone_use_their_business_scoped_id():
	payload = sample("whatsapp", "text")
	value = value_of(payload)
	value["contacts"] = [
		{"profile": {"name": "Sheena", "username": "@sheena"}, "user_id": "US.13491208655302741918"}
	]
	message = value["messages"][0]
	del message["from"]
	message["from_user_id"] = "US.13491208655302741918"
	(parsed,) = whatsapp.parse(payload)
	assert parsed.conversation_id == "US.13491208655302741918"
	assert parsed.sender_phone is None and parsed.sender_name == "Sheena"


def test_the_only_contact_names_the_sender_even_if_its_wa_id_differs():
	payload = sample("whatsapp", "text")
	value_of(payload)["contacts"][0]["wa_id"] = "7916000000l"
	assert whatsapp.parse(payload)[0].sender_name == "Сергей Иванов"


def test_duplicate_deliveries_give_the_same_ids():
	first = whatsapp.parse(sample("whatsapp", "location_and_contacts_batch"))
	again = whatsapp.parse(sample("whatsapp", "location_and_contacts_batch"))
	assert [m.external_id for m in first] == [m.external_id for m in again]
	assert first == again


def test_a_body_read_with_load_json_parses():
	body = json.dumps(sample("whatsapp", "text"), ensure_ascii=False).encode()
	assert whatsapp.parse(load_json(body))[0].sender_phone == "79160000001"


@pytest.mark.parametrize(
	("mutate", "message"),
	[
		(
			lambda p: p.update(object="page"),
			r"^field 'object' must be 'whatsapp_business_account', got 'page'$",
		),
		(lambda p: p.pop("object"), r"^field 'object' must be 'whatsapp_business_account', got None$"),
		(lambda p: p.update(entry={"id": 1}), r"^field 'entry' must be an array, got object$"),
		(
			lambda p: p["entry"][0].update(changes="x"),
			r"^field 'entry\[0\]\.changes' must be an array, got string$",
		),
		(
			lambda p: value_of(p)["messages"][0].pop("id"),
			r"^missing field 'entry\[0\]\.changes\[0\]\.value\.messages\[0\]\.id'$",
		),
		(
			lambda p: value_of(p)["messages"][0].pop("from"),
			r"^missing field 'entry\[0\]\.changes\[0\]\.value\.messages\[0\]\.from'$",
		),
		(
			lambda p: value_of(p)["messages"][0].update(timestamp="today"),
			r"messages\[0\]\.timestamp' must be a whole number, got 'today'$",
		),
		(
			lambda p: value_of(p)["messages"][0].update(text="hello"),
			r"messages\[0\]\.text' must be an object, got string$",
		),
	],
)
def test_malformed_payloads_are_refused_with_the_path(mutate, message):
	payload = sample("whatsapp", "text")
	mutate(payload)
	with pytest.raises(PayloadError, match=message):
		whatsapp.parse(payload)


# --- signature and subscription ------------------------------------------------------------------


def test_good_signature_passes():
	body = json.dumps(sample("whatsapp", "text")).encode()
	whatsapp.verify_signature(APP_SECRET, body, header_for(body))
	whatsapp.verify_signature(APP_SECRET, body, header_for(body).upper().replace("SHA256=", "sha256="))


@pytest.mark.parametrize(
	("header", "secret", "message"),
	[
		(None, APP_SECRET, "^missing X-Hub-Signature-256 header$"),
		("", APP_SECRET, "^missing X-Hub-Signature-256 header$"),
		("abc", APP_SECRET, "must be 'sha256=<hex>'"),
		("sha1=abc", APP_SECRET, "must be 'sha256=<hex>'"),
		("sha256=" + "0" * 64, APP_SECRET, "^wrong X-Hub-Signature-256$"),
		("GOOD", "another-secret", "^wrong X-Hub-Signature-256$"),
		("GOOD", "", "^WhatsApp app secret is not configured$"),
	],
)
def test_bad_or_missing_signatures_are_refused(header, secret, message):
	body = json.dumps(sample("whatsapp", "text")).encode()
	if header == "GOOD":
		header = header_for(body)
	with pytest.raises(SignatureError, match=message):
		whatsapp.verify_signature(secret, body, header)


def test_a_changed_body_breaks_the_signature():
	body = json.dumps(sample("whatsapp", "text")).encode()
	header = header_for(body)
	with pytest.raises(SignatureError, match=r"wrong"):
		whatsapp.verify_signature(APP_SECRET, body.replace(b"79160000001", b"79160000002"), header)


def test_subscription_handshake_returns_the_challenge():
	params = {"hub.mode": "subscribe", "hub.verify_token": "my-verify-token", "hub.challenge": "1158201444"}
	assert whatsapp.verify_subscription(params, "my-verify-token") == "1158201444"
	as_lists = {k: [v] for k, v in params.items()}
	assert whatsapp.verify_subscription(as_lists, "my-verify-token") == "1158201444"


@pytest.mark.parametrize(
	("changes", "token", "message"),
	[
		({"hub.verify_token": "guess"}, "my-verify-token", "^wrong hub.verify_token$"),
		({"hub.verify_token": None}, "my-verify-token", "^missing hub.verify_token$"),
		({"hub.mode": "unsubscribe"}, "my-verify-token", "hub.mode must be 'subscribe'"),
		({"hub.challenge": None}, "my-verify-token", "^missing hub.challenge$"),
		({}, "", "^hub.verify_token is not configured$"),
	],
)
def test_subscription_handshake_refusals(changes, token, message):
	params = {"hub.mode": "subscribe", "hub.verify_token": "my-verify-token", "hub.challenge": "1158201444"}
	params.update(changes)
	with pytest.raises(SignatureError, match=message):
		whatsapp.verify_subscription(params, token)
