import json

import pytest

from auto_service_crm.intake._common import from_epoch, from_iso, integer, text
from auto_service_crm.intake.errors import (
	MAX_PAYLOAD_BYTES,
	PayloadError,
	SignatureError,
	load_form,
	load_json,
	type_name,
)


def test_errors_are_value_errors_and_signature_errors_are_payload_errors():
	assert issubclass(PayloadError, ValueError)
	assert issubclass(SignatureError, PayloadError)
	assert MAX_PAYLOAD_BYTES == 65536


def test_load_json_returns_the_object():
	body = json.dumps({"name": "Пётр", "n": [1, 2]}, ensure_ascii=False).encode()
	assert load_json(body) == {"name": "Пётр", "n": [1, 2]}


def test_load_json_accepts_a_utf8_byte_order_mark():
	assert load_json(b"\xef\xbb\xbf" + b'{"a": 1}') == {"a": 1}


def test_load_json_accepts_exactly_the_limit():
	body = b'{"a": "' + b"x" * (MAX_PAYLOAD_BYTES - 9) + b'"}'
	assert len(body) == MAX_PAYLOAD_BYTES
	assert load_json(body)["a"].startswith("x")


def test_load_json_refuses_a_body_over_the_limit_before_reading_it():
	body = b"{" + b" " * 70000 + b"}"
	with pytest.raises(PayloadError, match=r"^payload too large: 70002 bytes > 65536$"):
		load_json(body)


@pytest.mark.parametrize(
	("body", "message"),
	[
		(b"", "payload is empty"),
		(b"   \n", "payload is empty"),
		(b'{"a": "\xff"}', r"payload is not valid UTF-8 \(byte 7\)"),
		(b'{"a": 1,}', r"payload is not valid JSON: .* at line 1 column 9"),
		(b"[1, 2]", r"payload is not a JSON object \(got array\)"),
		(b'"text"', r"payload is not a JSON object \(got string\)"),
		(b"42", r"payload is not a JSON object \(got number\)"),
		(b"null", r"payload is not a JSON object \(got null\)"),
		(b'{"a": NaN}', "NaN is not allowed"),
		(b'{"a": -Infinity}', "-Infinity is not allowed"),
		(b"[" * 30000 + b"]" * 30000, "payload is not valid JSON"),
		(b'{"a": ' + b"9" * 5000 + b"}", "payload is not valid JSON"),
	],
)
def test_load_json_says_what_is_wrong(body, message):
	with pytest.raises(PayloadError, match=message):
		load_json(body)


def test_load_json_refuses_what_is_not_bytes():
	with pytest.raises(PayloadError, match=r"payload must be bytes, got str"):
		load_json('{"a": 1}')


def test_load_form_reads_url_encoded_fields():
	body = b"event=NOTIFY_START&caller_id=%2B79160000001&called_did=74950000000&empty="
	assert load_form(body) == {
		"event": "NOTIFY_START",
		"caller_id": "+79160000001",
		"called_did": "74950000000",
		"empty": "",
	}


def test_load_form_keeps_the_last_of_repeated_fields_and_reads_utf8():
	assert load_form(b"a=1&a=2&name=%D0%90%D0%BD%D0%BD%D0%B0") == {"a": "2", "name": "Анна"}


def test_load_form_refuses_bad_percent_encoding_and_oversize():
	with pytest.raises(PayloadError, match=r"payload is not a valid form"):
		load_form(b"name=%ff%fe")
	with pytest.raises(PayloadError, match=r"payload too large"):
		load_form(b"a=" + b"1" * MAX_PAYLOAD_BYTES)


@pytest.mark.parametrize(
	("value", "name"),
	[
		(None, "null"),
		(True, "boolean"),
		(1, "number"),
		(1.5, "number"),
		("", "string"),
		([], "array"),
		({}, "object"),
	],
)
def test_type_names_are_json_names(value, name):
	assert type_name(value) == name


def test_text_reader_strips_and_turns_integers_into_digits():
	assert text("  +7 916 000-00-01 ", "phone") == "+7 916 000-00-01"
	assert text(79160000001, "phone") == "79160000001"
	assert text("   ", "phone") is None
	with pytest.raises(PayloadError, match=r"field 'phone' must be a string, got boolean"):
		text(True, "phone")
	with pytest.raises(PayloadError, match=r"field 'note' is too long: 11 characters > 10"):
		text("x" * 11, "note", limit=10)


def test_integer_reader():
	assert integer("184", "duration") == 184
	assert integer(12.0, "duration") == 12
	assert integer("", "duration") is None
	with pytest.raises(PayloadError, match=r"field 'duration' must be a whole number, got '1\.5'"):
		integer("1.5", "duration")
	with pytest.raises(PayloadError, match=r"field 'duration' is out of range: -1"):
		integer(-1, "duration")


def test_time_readers():
	assert from_epoch(0, "t") is None
	assert from_epoch("1399906976", "t").isoformat() == "2014-05-12T15:02:56+00:00"
	assert from_iso("2024-05-14T09:21:07Z", "t").isoformat() == "2024-05-14T09:21:07+00:00"
	assert from_iso("2024-05-14T09:21:07+03:00", "t").isoformat() == "2024-05-14T06:21:07+00:00"
	naive = from_iso("2024-05-14 09:21:07", "t")
	assert naive.tzinfo is None and naive.hour == 9
	with pytest.raises(PayloadError, match=r"field 't' is not an ISO 8601 date-time: '14.05.2024'"):
		from_iso("14.05.2024", "t")
