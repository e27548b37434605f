from datetime import datetime, timezone

import pytest

from auto_service_crm.intake.errors import PayloadError, SignatureError
from auto_service_crm.messengers import jivosite
from tests.unit.intake._samples import sample

UTC = timezone.utc


def test_chat_finished_gives_the_visitors_messages_only():
	first, second = jivosite.parse(sample("jivosite", "chat_finished"))
	assert first.platform == second.platform == "Jivosite"
	assert first.text == "Здравствуйте, сколько стоит замена ремня ГРМ?"
	assert second.text == "Skoda Octavia 2015, 1.4 TSI"
	assert first.external_id == "7607:0" and second.external_id == "7607:2"
	assert first.conversation_id == second.conversation_id == "7607"
	assert first.sender_name == "Алексей" and first.sender_phone == "+7 916 000-00-07"
	assert first.sender_email == "client@example.com"
	assert first.sent_at == datetime.fromtimestamp(1665396476, tz=UTC)
	assert first.raw["event_name"] == "chat_finished"


def test_offline_message():
	(message,) = jivosite.parse(sample("jivosite", "offline_message"))
	assert message.external_id == "offline:1665399500726"
	assert message.conversation_id == "2026"
	assert message.text == "Перезвоните мне, пожалуйста, после 18:00"
	assert message.sender_phone == "+7 916 000-00-07" and message.sent_at is None


def test_offline_message_without_its_id_falls_back_to_the_chat():
	payload = sample("jivosite", "offline_message")
	del payload["offline_message_id"]
	assert jivosite.parse(payload)[0].external_id == "offline:2026"
	del payload["chat_id"]
	with pytest.raises(PayloadError, match=r"missing field 'offline_message_id' \(and no 'chat_id'\)"):
		jivosite.parse(payload)


def test_offline_message_without_chat_uses_its_id_as_conversation():
	payload = sample("jivosite", "offline_message")
	del payload["chat_id"]
	assert jivosite.parse(payload)[0].conversation_id == "offline:1665399500726"


def test_an_empty_offline_message_keeps_the_contacts():
	payload = sample("jivosite", "offline_message") | {"message": ""}
	(message,) = jivosite.parse(payload)
	assert message.text == "" and message.sender_email == "client@example.com"


@pytest.mark.parametrize("name", ["chat_accepted", "client_updated"])
def test_events_without_client_messages_give_nothing(name):
	assert jivosite.parse(sample("jivosite", name)) == []


def test_other_events_give_nothing():
	assert jivosite.parse({"event_name": "call_event", "chat_id": 1, "call": {"status": "end"}}) == []
	assert jivosite.parse({"event_name": "created_deal", "deal_id": 3}) == []


def test_a_finished_chat_with_only_agent_messages_gives_nothing():
	payload = sample("jivosite", "chat_finished")
	payload["chat"]["messages"] = [m for m in payload["chat"]["messages"] if m["type"] == "agent"]
	assert jivosite.parse(payload) == []


def test_a_visitor_without_contacts_is_fine():
	payload = sample("jivosite", "chat_finished")
	payload["visitor"] = {"number": "2198"}
	first = jivosite.parse(payload)[0]
	assert first.sender_name is None and first.sender_phone is None and first.sender_email is None


def test_duplicate_deliveries_give_the_same_ids():
	first = [m.external_id for m in jivosite.parse(sample("jivosite", "chat_finished"))]
	again = [m.external_id for m in jivosite.parse(sample("jivosite", "chat_finished"))]
	assert first == again == ["7607:0", "7607:2"]


@pytest.mark.parametrize(
	("mutate", "message"),
	[
		(lambda p: p.pop("event_name"), r"^missing field 'event_name'$"),
		(lambda p: p.pop("chat_id"), r"^missing field 'chat_id'$"),
		(lambda p: p.update(chat_id={"id": 1}), r"^field 'chat_id' must be a string, got object$"),
		(lambda p: p.update(visitor="Алексей"), r"^field 'visitor' must be an object, got string$"),
		(
			lambda p: p["chat"].update(messages={"a": 1}),
			r"^field 'chat\.messages' must be an array, got object$",
		),
		(
			lambda p: p["chat"]["messages"][0].update(timestamp="now"),
			r"^field 'chat\.messages\[0\]\.timestamp' must be",
		),
		(
			lambda p: p["chat"]["messages"].append("hi"),
			r"^field 'chat\.messages\[3\]' must be an object, got string$",
		),
	],
)
def test_malformed_events_are_refused(mutate, message):
	payload = sample("jivosite", "chat_finished")
	mutate(payload)
	with pytest.raises(PayloadError, match=message):
		jivosite.parse(payload)


def test_verify_token():
	jivosite.verify_token("Xk2-very-long-url-token", "Xk2-very-long-url-token")
	with pytest.raises(SignatureError, match=r"^wrong Jivo webhook token$"):
		jivosite.verify_token("Xk2", "Xk2-very-long-url-token")
	with pytest.raises(SignatureError, match=r"^missing Jivo webhook token$"):
		jivosite.verify_token(None, "Xk2-very-long-url-token")
	with pytest.raises(SignatureError, match=r"^Jivo webhook token is not configured$"):
		jivosite.verify_token("", "")
