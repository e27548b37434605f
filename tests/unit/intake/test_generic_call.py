from datetime import datetime, timezone

import pytest

from auto_service_crm.intake.errors import PayloadError
from auto_service_crm.telephony.generic_call import parse

UTC = timezone.utc


def payload(**changes):
	base = {
		"call_id": "4f1c-77a0",
		"event": "missed",
		"direction": "incoming",
		"from": "+79160000001",
		"to": "+74950000000",
		"agent": None,
		"timestamp": "2024-05-14T09:21:07+03:00",
		"talk_seconds": 0,
		"wait_seconds": 35,
		"loss_reason": "queue",
		"recording_url": None,
	}
	base.update(changes)
	return {k: v for k, v in base.items() if v is not ...}


def test_the_documented_example():
	event = parse(payload())
	assert event.provider == "generic"
	assert event.external_id == "4f1c-77a0"
	assert event.event == "missed" and event.direction == "incoming"
	assert event.caller == "+79160000001" and event.called == "+74950000000"
	assert event.occurred_at == datetime(2024, 5, 14, 6, 21, 7, tzinfo=UTC)
	assert event.talk_seconds == 0 and event.wait_seconds == 35
	assert event.loss_reason == "Queue Wait"
	assert event.agent is None and event.recording_url is None
	assert event.raw["call_id"] == "4f1c-77a0"


@pytest.mark.parametrize("name", ["ringing", "answered", "ended", "missed", "ANSWERED"])
def test_every_event(name):
	event = parse(payload(event=name, loss_reason=None))
	assert event.event == name.lower()


@pytest.mark.parametrize(
	("given", "stored"),
	[("ivr", "IVR"), ("queue", "Queue Wait"), ("ringing_manager", "Ringing Manager"), ("other", "Other")],
)
def test_every_loss_reason(given, stored):
	assert parse(payload(loss_reason=given)).loss_reason == stored


def test_a_full_answered_then_ended_call_shares_its_id():
	ringing = parse(payload(event="ringing", loss_reason=None, wait_seconds=None))
	answered = parse(payload(event="answered", agent="101", loss_reason=None, wait_seconds=12))
	ended = parse(
		payload(
			event="ended",
			agent=101,
			talk_seconds="184",
			loss_reason=None,
			recording_url="https://pbx.example/rec/4f1c-77a0.mp3",
		)
	)
	assert {ringing.external_id, answered.external_id, ended.external_id} == {"4f1c-77a0"}
	assert answered.agent == "101" and ended.agent == "101"
	assert ended.talk_seconds == 184
	assert ended.recording_url == "https://pbx.example/rec/4f1c-77a0.mp3"


def test_outgoing_calls_swap_from_and_to_so_caller_is_the_client():
	event = parse(
		payload(
			direction="outgoing",
			event="ended",
			loss_reason=None,
			**{"from": "74950000000", "to": "79160000009"},
		)
	)
	assert event.direction == "outgoing"
	assert event.caller == "79160000009" and event.called == "74950000000"


def test_numbers_are_kept_as_sent():
	event = parse(payload(**{"from": " 8 (916) 000-00-01 ", "to": 74950000000}))
	assert event.caller == "8 (916) 000-00-01" and event.called == "74950000000"


def test_timestamps_without_zone_stay_naive_and_epoch_is_utc():
	assert parse(payload(timestamp="2024-05-14T09:21:07")).occurred_at == datetime(2024, 5, 14, 9, 21, 7)
	assert parse(payload(timestamp="2024-05-14T06:21:07Z")).occurred_at.tzinfo is not None
	assert parse(payload(timestamp=1715667667)).occurred_at == datetime(2024, 5, 14, 6, 21, 7, tzinfo=UTC)
	assert parse(payload(timestamp=None)).occurred_at is None


def test_the_same_payload_gives_the_same_event():
	assert parse(payload()) == parse(payload())
	assert parse(payload()).external_id == parse(payload()).external_id


def test_numeric_call_ids_and_unicode_are_fine():
	event = parse(payload(call_id=123456789, agent="Мария"))
	assert event.external_id == "123456789" and event.agent == "Мария"


@pytest.mark.parametrize(
	("changes", "message"),
	[
		({"call_id": ...}, r"^missing field 'call_id'$"),
		({"call_id": "  "}, r"^field 'call_id' is empty$"),
		({"call_id": {"id": 1}}, r"^field 'call_id' must be a string, got object$"),
		({"event": ...}, r"^missing field 'event'$"),
		(
			{"event": "hangup"},
			r"^field 'event' must be one of ringing, answered, ended, missed; got 'hangup'$",
		),
		({"direction": "inbound"}, r"^field 'direction' must be one of incoming, outgoing; got 'inbound'$"),
		({"loss_reason": "busy"}, r"^field 'loss_reason' must be one of ivr, queue, ringing_manager, other"),
		({"event": "ended"}, r"^field 'loss_reason' is only allowed with event 'missed', not 'ended'$"),
		({"direction": "outgoing"}, r"^field 'loss_reason' is only allowed on incoming calls$"),
		({"timestamp": "yesterday"}, r"^field 'timestamp' is not an ISO 8601 date-time: 'yesterday'$"),
		({"timestamp": [2024]}, r"^field 'timestamp' must be an ISO 8601 date-time, got array$"),
		({"talk_seconds": "3 min"}, r"^field 'talk_seconds' must be a whole number, got '3 min'$"),
		({"wait_seconds": -5}, r"^field 'wait_seconds' is out of range: -5$"),
		({"from": ["+7916"]}, r"^field 'from' must be a string, got array$"),
	],
)
def test_bad_payloads_are_refused_clearly(changes, message):
	with pytest.raises(PayloadError, match=message):
		parse(payload(**changes))


def test_a_payload_must_be_an_object():
	with pytest.raises(PayloadError, match=r"field 'payload' must be an object, got array"):
		parse([])
