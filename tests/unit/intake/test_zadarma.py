import base64
import hashlib
import hmac
from datetime import datetime
from urllib.parse import parse_qs, urlencode

import pytest

from auto_service_crm.intake.errors import PayloadError, SignatureError, load_form
from auto_service_crm.telephony import zadarma
from tests.unit.intake._samples import sample

SECRET = "8a8e91d214fb728889c7"
CALL_ID = "in_0f4e2a9c1b7d4e8a9c3b5d7f1e2a4c6b"


def php_signature(text: str, secret: str = SECRET) -> str:
	"""base64_encode(hash_hmac('sha1', $text, $secret)): base64 of the HEX digest, as PHP does."""
	return base64.b64encode(
		hmac.new(secret.encode(), text.encode(), hashlib.sha1).hexdigest().encode()
	).decode()


# --- mapping -------------------------------------------------------------------------------------


def test_notify_start_is_ringing_on_the_dialled_line():
	event = zadarma.parse(sample("zadarma", "NOTIFY_START"))
	assert event.provider == "zadarma" and event.event == "ringing" and event.direction == "incoming"
	assert event.external_id == CALL_ID
	assert event.caller == "79160000001" and event.called == "74950000000"
	assert event.occurred_at == datetime(2024, 5, 14, 9, 21, 7)
	assert event.occurred_at.tzinfo is None  # Zadarma's local time, no zone
	assert event.agent is None and event.loss_reason is None
	assert event.raw["event"] == "NOTIFY_START"


def test_notify_internal_is_ringing_an_extension():
	event = zadarma.parse(sample("zadarma", "NOTIFY_INTERNAL"))
	assert event.event == "ringing" and event.agent == "101" and event.called == "74950000000"


def test_notify_answer_is_answered_by_the_extension():
	event = zadarma.parse(sample("zadarma", "NOTIFY_ANSWER"))
	assert event.event == "answered" and event.agent == "101" and event.caller == "79160000001"


def test_notify_answer_without_internal_takes_the_destination():
	fields = sample("zadarma", "NOTIFY_ANSWER")
	del fields["internal"]
	fields["destination"] = "79261234567"
	assert zadarma.parse(fields).agent == "79261234567"


def test_notify_end_answered_is_ended_with_talk_time():
	event = zadarma.parse(sample("zadarma", "NOTIFY_END"))
	assert event.event == "ended" and event.talk_seconds == 184 and event.wait_seconds is None
	assert event.agent == "101" and event.loss_reason is None
	assert event.recording_url is None
	assert zadarma.recording_id(sample("zadarma", "NOTIFY_END")) == "1715667667.1234567"


def test_notify_end_prefers_last_internal():
	fields = sample("zadarma", "NOTIFY_END") | {"last_internal": "105"}
	assert zadarma.parse(fields).agent == "105"


def test_notify_end_cancelled_before_any_extension_is_lost_in_the_ivr():
	event = zadarma.parse(sample("zadarma", "NOTIFY_END_missed"))
	assert event.event == "missed" and event.loss_reason == "IVR"
	assert event.wait_seconds is None and event.talk_seconds is None and event.agent is None
	assert zadarma.recording_id(sample("zadarma", "NOTIFY_END_missed")) is None


@pytest.mark.parametrize(
	("disposition", "internal", "loss"),
	[
		("no answer", "101", "Ringing Manager"),
		("cancel", "101", "Ringing Manager"),
		("busy", "101", "Ringing Manager"),
		("no answer", None, "IVR"),
		("cancel", None, "IVR"),
		("failed", "101", "Other"),
		("no money", None, "Other"),
		("unallocated number", None, "Other"),
		("line limit", None, "Other"),
		("No Answer", "101", "Ringing Manager"),
	],
)
def test_notify_end_missed_loss_reasons(disposition, internal, loss):
	fields = sample("zadarma", "NOTIFY_END_missed") | {"disposition": disposition, "duration": "37"}
	if internal:
		fields["internal"] = internal
	event = zadarma.parse(fields)
	assert event.event == "missed" and event.loss_reason == loss
	assert event.wait_seconds == 37 and event.agent is None


def test_outgoing_events_put_the_client_in_caller():
	start = zadarma.parse(sample("zadarma", "NOTIFY_OUT_START"))
	assert start.event == "ringing" and start.direction == "outgoing"
	assert start.caller == "79160000003" and start.called is None and start.agent == "102"
	end = zadarma.parse(sample("zadarma", "NOTIFY_OUT_END"))
	assert end.event == "ended" and end.direction == "outgoing" and end.talk_seconds == 95
	assert end.caller == "79160000003" and end.called == "74950000000" and end.agent == "102"
	assert start.external_id == end.external_id


def test_outgoing_unanswered_is_missed_without_loss_reason():
	fields = sample("zadarma", "NOTIFY_OUT_END") | {"disposition": "no answer", "duration": "0"}
	event = zadarma.parse(fields)
	assert event.event == "missed" and event.loss_reason is None and event.agent == "102"


@pytest.mark.parametrize("name", ["NOTIFY_RECORD", "NOTIFY_IVR", "NOTIFY_SMS", "SOMETHING_NEW"])
def test_events_that_are_not_call_states_give_none(name):
	assert zadarma.parse({"event": name, "pbx_call_id": CALL_ID}) is None


def test_every_event_of_one_call_shares_the_external_id():
	ids = {
		zadarma.parse(sample("zadarma", n)).external_id
		for n in ("NOTIFY_START", "NOTIFY_INTERNAL", "NOTIFY_ANSWER", "NOTIFY_END")
	}
	assert ids == {CALL_ID}


def test_duplicate_deliveries_give_equal_events():
	assert zadarma.parse(sample("zadarma", "NOTIFY_END")) == zadarma.parse(sample("zadarma", "NOTIFY_END"))


def test_form_bodies_and_parse_qs_lists_are_both_accepted():
	fields = sample("zadarma", "NOTIFY_START")
	body = urlencode(fields).encode()
	from_form = zadarma.parse(load_form(body))
	from_lists = zadarma.parse(parse_qs(body.decode()))
	assert from_form == zadarma.parse(fields)
	assert from_lists.caller == "79160000001" and from_lists.external_id == CALL_ID


@pytest.mark.parametrize(
	("name", "drop", "message"),
	[
		("NOTIFY_START", "event", r"^missing field 'event'$"),
		("NOTIFY_START", "pbx_call_id", r"^missing field 'pbx_call_id'$"),
		("NOTIFY_START", "call_start", r"^missing field 'call_start'$"),
		("NOTIFY_END", "disposition", r"^missing field 'disposition'$"),
		("NOTIFY_OUT_START", "destination", r"^missing field 'destination'$"),
	],
)
def test_missing_fields_are_named(name, drop, message):
	fields = sample("zadarma", name)
	del fields[drop]
	with pytest.raises(PayloadError, match=message):
		zadarma.parse(fields)


@pytest.mark.parametrize(
	("changes", "message"),
	[
		({"call_start": "14.05.2024 09:21"}, r"field 'call_start' is not 'YYYY-MM-DD HH:MM:SS'"),
		({"duration": "abc"}, r"field 'duration' must be a whole number, got 'abc'"),
		({"pbx_call_id": ""}, r"missing field 'pbx_call_id'"),
	],
)
def test_malformed_fields_are_refused(changes, message):
	with pytest.raises(PayloadError, match=message):
		zadarma.parse(sample("zadarma", "NOTIFY_END") | changes)


def test_fields_must_be_a_form():
	with pytest.raises(PayloadError, match=r"must be a form"):
		zadarma.parse("event=NOTIFY_START")


# --- signature -----------------------------------------------------------------------------------


def test_signature_of_notify_start_is_base64_of_the_hex_hmac():
	fields = sample("zadarma", "NOTIFY_START")
	expected = "ZTIwZjNkYmEyM2I2ODkxMGY0MWYwZTcyNmQ2NWUzMDgzZDM4MmUyYw=="
	assert (
		zadarma.sign(fields, SECRET) == expected == php_signature("79160000001749500000002024-05-14 09:21:07")
	)
	zadarma.verify_signature(fields, expected, SECRET)


@pytest.mark.parametrize(
	("name", "signed"),
	[
		("NOTIFY_START", ("caller_id", "called_did", "call_start")),
		("NOTIFY_INTERNAL", ("caller_id", "called_did", "call_start")),
		("NOTIFY_END", ("caller_id", "called_did", "call_start")),
		("NOTIFY_ANSWER", ("caller_id", "destination", "call_start")),
		("NOTIFY_OUT_START", ("internal", "destination", "call_start")),
		("NOTIFY_OUT_END", ("internal", "destination", "call_start")),
		("NOTIFY_RECORD", ("pbx_call_id", "call_id_with_rec")),
	],
)
def test_each_event_signs_its_own_fields(name, signed):
	fields = sample("zadarma", name)
	header = php_signature("".join(fields[k] for k in signed))
	zadarma.verify_signature(fields, header, SECRET)
	assert zadarma.signature_string(fields) == "".join(fields[k] for k in signed)


def test_a_changed_field_breaks_the_signature():
	fields = sample("zadarma", "NOTIFY_START")
	header = zadarma.sign(fields, SECRET)
	fields["caller_id"] = "79169999999"
	with pytest.raises(SignatureError, match=r"^wrong Signature$"):
		zadarma.verify_signature(fields, header, SECRET)


def test_a_raw_digest_signature_as_zadarmas_typescript_library_checks_it_is_accepted():
	# github zadarma/user-api-typescript src/Webhook.ts: base64 of the raw HMAC-SHA1 digest
	fields = sample("zadarma", "NOTIFY_START")
	raw = hmac.new(SECRET.encode(), zadarma.signature_string(fields).encode(), hashlib.sha1).digest()
	zadarma.verify_signature(fields, base64.b64encode(raw).decode(), SECRET)
	other = hmac.new(b"another secret", zadarma.signature_string(fields).encode(), hashlib.sha1).digest()
	with pytest.raises(SignatureError, match=r"^wrong Signature$"):
		zadarma.verify_signature(fields, base64.b64encode(other).decode(), SECRET)


@pytest.mark.parametrize(
	("header", "secret", "message"),
	[
		(None, SECRET, "^missing Signature header$"),
		("", SECRET, "^missing Signature header$"),
		("bm90IGl0", SECRET, "^wrong Signature$"),
		("ZTIwZjNkYmEyM2I2ODkxMGY0MWYwZTcyNmQ2NWUzMDgzZDM4MmUyYw==", "other-secret", "^wrong Signature$"),
		("ZTIw", "", "^Zadarma API secret is not configured$"),
	],
)
def test_missing_or_wrong_signatures_are_refused(header, secret, message):
	with pytest.raises(SignatureError, match=message):
		zadarma.verify_signature(sample("zadarma", "NOTIFY_START"), header, secret)


def test_an_unknown_event_cannot_be_verified():
	with pytest.raises(SignatureError, match=r"cannot verify the signature of event 'NOTIFY_NEW'"):
		zadarma.verify_signature({"event": "NOTIFY_NEW"}, "abc", SECRET)


def test_echo_reply_answers_the_url_check():
	assert zadarma.echo_reply({"zd_echo": "a1b2c3"}) == "a1b2c3"
	assert zadarma.echo_reply({"zd_echo": ["a1b2c3"]}) == "a1b2c3"
	assert zadarma.echo_reply({}) is None
	assert zadarma.echo_reply(None) is None
