import hashlib
import json
from datetime import datetime, timezone

import pytest

from auto_service_crm.intake.errors import PayloadError, SignatureError
from auto_service_crm.telephony import mango
from tests.unit.intake._samples import sample

UTC = timezone.utc
KEY, SALT = "1234567890qwerty", "s4lt-fr0m-the-account"


def signed_form(payload: dict) -> dict:
	"""The three form fields as Mango posts them."""
	text = json.dumps(payload, ensure_ascii=False)
	return {
		"vpbx_api_key": KEY,
		"json": text,
		"sign": hashlib.sha256((KEY + text + SALT).encode()).hexdigest(),
	}


# --- signature -----------------------------------------------------------------------------------


def test_sign_is_sha256_hex_of_key_json_salt():
	form = signed_form(sample("mango", "call_appeared_ivr"))
	assert mango.make_sign(KEY, form["json"], SALT) == form["sign"]
	mango.verify_sign(form["vpbx_api_key"], form["json"], form["sign"], SALT)
	mango.verify_sign(form["vpbx_api_key"], form["json"], form["sign"].upper(), SALT, expected_api_key=KEY)


def test_the_signature_covers_the_json_text_exactly():
	form = signed_form(sample("mango", "call_appeared_ivr"))
	reformatted = json.dumps(json.loads(form["json"]), indent=1)
	with pytest.raises(SignatureError, match=r"^wrong sign$"):
		mango.verify_sign(KEY, reformatted, form["sign"], SALT)


@pytest.mark.parametrize(
	("changes", "message"),
	[
		({"sign": None}, "^missing field 'sign'$"),
		({"sign": ""}, "^missing field 'sign'$"),
		({"api_key": None}, "^missing field 'vpbx_api_key'$"),
		({"json_text": None}, "^missing field 'json'$"),
		({"sign": "0" * 64}, "^wrong sign$"),
		({"salt": "another-salt"}, "^wrong sign$"),
		({"salt": ""}, "^Mango vpbx_api_salt is not configured$"),
		({"expected_api_key": "someone-else"}, "^wrong vpbx_api_key$"),
	],
)
def test_missing_or_wrong_signs_are_refused(changes, message):
	form = signed_form(sample("mango", "summary_incoming_answered"))
	args = {"api_key": form["vpbx_api_key"], "json_text": form["json"], "sign": form["sign"], "salt": SALT}
	args |= changes
	with pytest.raises(SignatureError, match=message):
		mango.verify_sign(**args)


# --- events/call ---------------------------------------------------------------------------------


def test_appeared_in_ivr_is_ringing_on_the_line():
	event = mango.parse(sample("mango", "call_appeared_ivr"), "events/call")
	assert event.provider == "mango" and event.event == "ringing" and event.direction == "incoming"
	assert event.external_id == "232wc3e3w3s222"
	assert event.caller == "79000000000" and event.called == "7800123456789"
	assert event.occurred_at == datetime(2014, 5, 12, 15, 2, 56, tzinfo=UTC)
	assert event.agent is None


def test_appeared_on_an_employee_is_ringing_that_employee():
	payload = sample("mango", "call_connected_abonent") | {"call_state": "Appeared", "seq": "1"}
	event = mango.parse(payload, "events/call")
	assert event.event == "ringing" and event.agent == "123"


def test_connected_is_answered_by_the_extension():
	event = mango.parse(sample("mango", "call_connected_abonent"), "/events/call")
	assert event.event == "answered" and event.agent == "123"
	assert event.caller == "79000000000" and event.called == "7800123456789"


def test_a_legs_end_does_not_end_the_call_and_its_sip_line_gives_way_to_the_tracked_number():
	event = mango.parse(sample("mango", "call_disconnected"), "https://crm.example/api/mango/events/call")
	# the summary ends a call; a leg that ends without having talked leaves the call ringing
	assert event.event == "ringing" and event.loss_reason is None and event.agent is None
	assert event.external_id == "1MN0Q1MDOQ=="
	assert event.caller == "79001234567" and event.called == "74001234567"
	assert event.raw["disconnect_reason"] == 1131


def test_a_sip_line_without_a_tracked_number_is_kept_as_sent():
	payload = sample("mango", "call_disconnected")
	del payload["dct"]
	assert mango.parse(payload, "events/call").called == "sip:line00000@tech.mangosip.ru"


def test_a_legs_end_after_a_conversation_leaves_the_call_answered():
	talked = sample("mango", "call_connected_abonent")
	ended = talked | {"seq": "3", "call_state": "Disconnected"}
	assert mango.parse(ended, "events/call", history=[talked]).event == "answered"


def test_the_call_tracking_number_is_the_line_when_no_line_is_given():
	payload = sample("mango", "call_disconnected")
	del payload["to"]["line_number"]
	assert mango.parse(payload, "events/call").called == "74001234567"


def test_outgoing_call_puts_the_client_in_caller():
	event = mango.parse(sample("mango", "call_outgoing_appeared"), "events/call")
	assert event.direction == "outgoing" and event.event == "ringing"
	assert event.caller == "12345678" and event.agent == "1234"


def test_every_leg_of_one_entry_shares_the_external_id():
	ids = {
		mango.parse(sample("mango", name), "events/call").external_id
		for name in ("call_appeared_ivr", "call_connected_abonent")
	}
	assert ids == {"232wc3e3w3s222"}


def test_on_hold_the_call_is_still_answered():
	payload = sample("mango", "call_connected_abonent") | {"call_state": "OnHold", "seq": "3"}
	event = mango.parse(payload, "events/call")
	assert event.event == "answered" and event.event_id == "100:500:257:3:OnHold"


def test_unknown_states_give_none():
	payload = sample("mango", "call_connected_abonent") | {"call_state": "Transferring"}
	assert mango.parse(payload, "events/call") is None


def test_internal_calls_give_none():
	payload = sample("mango", "call_outgoing_appeared")
	payload["to"] = {"extension": "1235"}
	assert mango.parse(payload, "events/call") is None


def test_the_json_text_itself_can_be_parsed():
	form = signed_form(sample("mango", "call_connected_abonent"))
	assert mango.parse(form["json"], "events/call") == mango.parse(json.loads(form["json"]), "events/call")
	assert mango.parse(form["json"].encode(), "events/call").agent == "123"


# --- events/summary ------------------------------------------------------------------------------


def test_summary_answered_incoming_is_ended_with_times():
	event = mango.parse(sample("mango", "summary_incoming_answered"), "events/summary")
	assert event.event == "ended" and event.direction == "incoming"
	assert event.caller == "7800123635242" and event.called == "7800123456789" and event.agent == "123"
	assert event.talk_seconds == 10 and event.wait_seconds == 4
	assert event.occurred_at == datetime.fromtimestamp(1399906990, tz=UTC)
	assert event.loss_reason is None


def test_summary_ended_in_ivr_is_missed_even_with_entry_result_1():
	event = mango.parse(sample("mango", "summary_incoming_ended_in_ivr"), "events/summary")
	assert event.event == "missed" and event.loss_reason == "IVR"
	assert event.wait_seconds == 14 and event.talk_seconds is None and event.agent is None


def test_summary_outgoing():
	answered = mango.parse(sample("mango", "summary_outgoing_answered"), "events/summary")
	assert answered.event == "ended" and answered.direction == "outgoing"
	assert answered.caller == "7800123456789" and answered.called == "74953333357" and answered.agent == "123"
	unanswered = mango.parse(sample("mango", "summary_outgoing_unanswered"), "events/summary")
	assert unanswered.event == "missed" and unanswered.loss_reason is None


@pytest.mark.parametrize(
	("last_location", "loss"),
	[
		("ivr", "IVR"),
		("queue", "Queue Wait"),
		("abonent", "Ringing Manager"),
		("QUEUE", "Queue Wait"),
		("moon", "Other"),
	],
)
def test_the_last_location_decides_the_loss_reason(last_location, loss):
	payload = sample("mango", "summary_incoming_answered") | {"talk_time": 0, "entry_result": 0}
	event = mango.parse(payload, "events/summary", last_location=last_location)
	assert event.event == "missed" and event.loss_reason == loss


@pytest.mark.parametrize(
	("reason", "to", "loss"),
	[
		(1110, {"extension": "123", "number": "sip:a@x"}, "Ringing Manager"),
		(1111, {"extension": "123"}, "Ringing Manager"),
		(1163, {"extension": "303"}, "Queue Wait"),
		(1164, {}, "Queue Wait"),
		(1110, {}, "IVR"),
		(1170, {}, "IVR"),
		(2240, {"extension": "123"}, "Other"),
		(5003, {}, "Other"),
		(None, {}, "IVR"),
	],
)
def test_without_location_the_summary_fields_decide_the_loss_reason(reason, to, loss):
	payload = sample("mango", "summary_incoming_answered") | {"talk_time": 0, "entry_result": 0, "to": to}
	payload["disconnect_reason"] = reason
	if reason is None:
		del payload["disconnect_reason"]
	assert mango.parse(payload, "events/summary").loss_reason == loss


def test_entry_result_decides_when_talk_time_is_absent():
	payload = sample("mango", "summary_incoming_answered")
	del payload["talk_time"]
	assert mango.parse(payload, "events/summary").event == "ended"
	payload["entry_result"] = "0"
	assert mango.parse(payload, "events/summary").event == "missed"


def test_internal_summaries_give_none():
	payload = sample("mango", "summary_incoming_answered") | {"call_direction": 0}
	assert mango.parse(payload, "events/summary") is None


def test_loss_reason_for_location():
	assert mango.loss_reason_for_location("ivr") == "IVR"
	assert mango.loss_reason_for_location(" Abonent ") == "Ringing Manager"
	assert mango.loss_reason_for_location(None) is None


def test_duplicate_deliveries_give_equal_events():
	first = mango.parse(sample("mango", "summary_incoming_answered"), "events/summary")
	again = mango.parse(sample("mango", "summary_incoming_answered"), "events/summary")
	assert first == again and first.external_id == again.external_id


@pytest.mark.parametrize(
	("name", "path", "changes", "message"),
	[
		("call_appeared_ivr", "events/call", {"entry_id": None}, r"^missing field 'entry_id'$"),
		("call_appeared_ivr", "events/call", {"call_state": None}, r"^missing field 'call_state'$"),
		(
			"call_appeared_ivr",
			"events/call",
			{"from": "79000000000"},
			r"^field 'from' must be an object, got string$",
		),
		(
			"call_appeared_ivr",
			"events/call",
			{"timestamp": "yesterday"},
			r"^field 'timestamp' must be a whole number",
		),
		(
			"summary_incoming_answered",
			"events/summary",
			{"call_direction": None},
			r"^missing field 'call_direction'$",
		),
		(
			"summary_incoming_answered",
			"events/summary",
			{"call_direction": 3},
			r"^field 'call_direction' must be 0, 1 or 2; got 3$",
		),
		(
			"summary_incoming_answered",
			"events/summary",
			{"talk_time": None, "entry_result": None},
			r"^missing field 'entry_result'$",
		),
		(
			"summary_incoming_answered",
			"events/summary",
			{"entry_result": 2, "talk_time": None},
			r"^field 'entry_result' is out of range: 2$",
		),
		(
			"summary_incoming_answered",
			"events/summary",
			{"end_time": -1},
			r"^field 'end_time' is out of range: -1$",
		),
	],
)
def test_malformed_events_are_refused(name, path, changes, message):
	payload = sample("mango", name)
	for key, value in changes.items():
		if value is None:
			payload.pop(key, None)
		else:
			payload[key] = value
	with pytest.raises(PayloadError, match=message):
		mango.parse(payload, path)


def test_unknown_paths_and_bad_json_are_refused():
	with pytest.raises(PayloadError, match=r"unknown Mango event path 'events/recording'"):
		mango.parse(sample("mango", "call_appeared_ivr"), "events/recording")
	with pytest.raises(PayloadError, match=r"payload is not valid JSON"):
		mango.parse('{"entry_id": ', "events/call")
	with pytest.raises(PayloadError, match=r"payload is not a JSON object \(got array\)"):
		mango.parse("[]", "events/call")
