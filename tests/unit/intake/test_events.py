import dataclasses
from datetime import datetime

import pytest

from auto_service_crm.intake.events import (
	LOSS_REASONS,
	PLATFORMS,
	CallEvent,
	ChatMessage,
	FormSubmission,
	MobileAppRequest,
)


def test_events_are_frozen_and_keyword_only():
	event = CallEvent(provider="generic", external_id="c1", event="ringing")
	with pytest.raises(dataclasses.FrozenInstanceError):
		event.event = "answered"
	with pytest.raises(TypeError):
		CallEvent("generic", "c1", "ringing")


def test_the_options_match_the_appeal_doctype():
	assert LOSS_REASONS == ("IVR", "Queue Wait", "Ringing Manager", "Other")
	assert PLATFORMS == ("WhatsApp", "Telegram", "Jivosite")


@pytest.mark.parametrize(
	("changes", "message"),
	[
		({"provider": "asterisk"}, "provider must be one of"),
		({"event": "hangup"}, "event must be one of"),
		({"direction": "inbound"}, "direction must be one of"),
		({"external_id": ""}, "external_id must be a non-empty string"),
		({"loss_reason": "IVR"}, "loss_reason is only for missed calls"),
		({"event": "missed", "loss_reason": "queue"}, "loss_reason must be one of"),
		({"talk_seconds": -1}, "talk_seconds must be a whole number"),
		({"wait_seconds": True}, "wait_seconds must be a whole number"),
		({"occurred_at": "2024-05-14"}, "occurred_at must be a datetime"),
		({"caller": ""}, "caller must be a non-empty string or None"),
		({"raw": []}, "raw must be the payload as a dict"),
	],
)
def test_a_call_event_refuses_broken_invariants(changes, message):
	fields = {"provider": "generic", "external_id": "c1", "event": "ringing"} | changes
	with pytest.raises(ValueError, match=message):
		CallEvent(**fields)


def test_a_missed_call_may_carry_a_loss_reason():
	event = CallEvent(provider="mango", external_id="e1", event="missed", loss_reason="Queue Wait")
	assert event.loss_reason == "Queue Wait" and event.direction == "incoming"


def test_a_chat_message_needs_ids_and_a_known_platform():
	ok = ChatMessage(
		platform="Telegram", external_id="1:2", conversation_id="1", sent_at=datetime(2024, 1, 1)
	)
	assert ok.text == ""
	with pytest.raises(ValueError, match=r"platform must be one of"):
		ChatMessage(platform="Viber", external_id="1", conversation_id="1")
	with pytest.raises(ValueError, match=r"conversation_id must be a non-empty string"):
		ChatMessage(platform="Telegram", external_id="1", conversation_id="")


def test_a_form_needs_a_phone_or_an_email_and_a_known_mode():
	assert FormSubmission(email="a@example.com").mode == "register"
	with pytest.raises(ValueError, match=r"needs a phone or an email"):
		FormSubmission(name="Anna")
	with pytest.raises(ValueError, match=r"mode must be one of"):
		FormSubmission(phone="1", mode="order")


def test_a_mobile_request_needs_an_id_and_a_phone():
	assert MobileAppRequest(external_id="r1", phone="+7916").phone == "+7916"
	with pytest.raises(ValueError, match=r"phone must be a non-empty string"):
		MobileAppRequest(external_id="r1", phone="")


def test_raw_is_left_out_of_the_repr():
	event = CallEvent(provider="generic", external_id="c1", event="ringing", raw={"secret": "x" * 50})
	assert "secret" not in repr(event)
