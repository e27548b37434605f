"""Property-based tests: on ANY JSON-like input a parser returns its result or raises PayloadError.

Nothing else may escape (no KeyError, TypeError, AttributeError, OverflowError ...): endpoints
answer PayloadError with 400 and anything else would be a 500 and a retry storm from the provider.
Random payloads are built from the fields each parser reads, and published samples are mutated by
replacing parts of them with random JSON values.
"""

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auto_service_crm.intake import mobile_app, website_form
from auto_service_crm.intake.errors import PayloadError, SignatureError, load_form, load_json
from auto_service_crm.intake.events import CallEvent, ChatMessage, FormSubmission, MobileAppRequest
from auto_service_crm.messengers import jivosite, telegram, whatsapp
from auto_service_crm.telephony import generic_call, mango, zadarma
from tests.unit.intake._samples import names, sample

SETTINGS = settings(
	max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

scalars = (
	st.none()
	| st.booleans()
	| st.integers()
	| st.integers(min_value=-(10**40), max_value=10**40)
	| st.sampled_from([10**4000, -(10**4000), 2**63, -(2**63)])
	| st.floats(allow_nan=True, allow_infinity=True)
	| st.text(max_size=30)
	| st.sampled_from(
		["", " ", "0", "1", "-1", "1715667667", "2024-05-14T09:21:07Z", "2024-05-14 09:21:07", "abc"]
	)
)


def objects(keys: list[str]):
	"""JSON-like values whose objects mostly use ``keys``."""
	key = st.sampled_from(keys) | st.text(max_size=8)
	return st.recursive(
		scalars,
		lambda children: st.lists(children, max_size=4) | st.dictionaries(key, children, max_size=8),
		max_leaves=10,
	)


def payloads(keys: list[str]):
	return st.dictionaries(st.sampled_from(keys) | st.text(max_size=8), objects(keys), max_size=10)


def mutate(data, value, draw):
	"""``value`` with some of its parts replaced by random JSON values (hypothesis decides which)."""
	if draw(st.integers(0, 9)) == 0:
		return draw(objects(["id", "type", "text", "from", "to", "number", "extension"]))
	if isinstance(value, dict):
		return {k: mutate(data, v, draw) for k, v in value.items() if draw(st.integers(0, 12))}
	if isinstance(value, list):
		return [mutate(data, v, draw) for v in value]
	return value


def outcome(parse, *args):
	"""Call the parser; return its result, or None for a PayloadError. Any other exception fails."""
	try:
		return parse(*args)
	except PayloadError as e:
		assert str(e), "a PayloadError must say what is wrong"
		return None


GENERIC_KEYS = [
	"call_id",
	"event",
	"direction",
	"from",
	"to",
	"agent",
	"timestamp",
	"talk_seconds",
	"wait_seconds",
	"loss_reason",
	"recording_url",
]
ZADARMA_KEYS = [
	"event",
	"call_start",
	"pbx_call_id",
	"caller_id",
	"called_did",
	"internal",
	"destination",
	"duration",
	"disposition",
	"status_code",
	"is_recorded",
	"call_id_with_rec",
	"last_internal",
]
MANGO_KEYS = [
	"entry_id",
	"call_id",
	"timestamp",
	"seq",
	"call_state",
	"location",
	"from",
	"to",
	"number",
	"extension",
	"line_number",
	"acd_group",
	"dct",
	"disconnect_reason",
	"call_direction",
	"create_time",
	"forward_time",
	"talk_time",
	"end_time",
	"entry_result",
]
WHATSAPP_KEYS = [
	"object",
	"entry",
	"changes",
	"field",
	"value",
	"contacts",
	"profile",
	"name",
	"wa_id",
	"user_id",
	"messages",
	"from",
	"from_user_id",
	"id",
	"timestamp",
	"type",
	"text",
	"body",
	"image",
	"caption",
	"interactive",
	"button_reply",
	"title",
	"location",
	"latitude",
	"longitude",
]
TELEGRAM_KEYS = [
	"update_id",
	"message",
	"edited_message",
	"channel_post",
	"message_id",
	"from",
	"chat",
	"id",
	"first_name",
	"last_name",
	"username",
	"title",
	"date",
	"edit_date",
	"text",
	"caption",
	"photo",
	"document",
	"file_name",
	"contact",
	"phone_number",
	"user_id",
	"location",
	"latitude",
	"longitude",
]
JIVO_KEYS = [
	"event_name",
	"chat_id",
	"visitor",
	"name",
	"email",
	"phone",
	"chat",
	"messages",
	"message",
	"timestamp",
	"type",
	"offline_message_id",
]
FORM_KEYS = [
	"mode",
	"submission_id",
	"name",
	"phone",
	"email",
	"comment",
	"form",
	"utm",
	"utm_source",
	"utm_medium",
	"utm_campaign",
	"source",
	"page_url",
]
APP_KEYS = ["request_id", "name", "phone", "email", "text", "vehicle", "plate", "vin", "preferred_time"]


@SETTINGS
@given(payloads(GENERIC_KEYS) | st.sampled_from(["", [], 5, None]))
def test_generic_call_never_crashes(payload):
	result = outcome(generic_call.parse, payload)
	assert result is None or isinstance(result, CallEvent)


@SETTINGS
@given(
	st.dictionaries(st.sampled_from(ZADARMA_KEYS) | st.text(max_size=6), objects(ZADARMA_KEYS), max_size=14)
)
def test_zadarma_never_crashes(fields):
	result = outcome(zadarma.parse, fields)
	assert result is None or isinstance(result, CallEvent)
	try:
		zadarma.verify_signature(fields, "c2lnbmF0dXJl", "secret")
	except PayloadError:  # SignatureError, or a field that is not form text
		pass


@SETTINGS
@given(
	st.data(),
	st.sampled_from(["NOTIFY_START", "NOTIFY_ANSWER", "NOTIFY_END", "NOTIFY_END_missed", "NOTIFY_OUT_END"]),
)
def test_zadarma_mutated_samples_never_crash(data, name):
	fields = mutate(data, sample("zadarma", name), data.draw)
	result = outcome(zadarma.parse, fields)
	assert result is None or isinstance(result, CallEvent)


@SETTINGS
@given(payloads(MANGO_KEYS), st.sampled_from(["events/call", "/events/summary", "events/other", ""]))
def test_mango_never_crashes(payload, path):
	result = outcome(mango.parse, payload, path)
	assert result is None or isinstance(result, CallEvent)


@SETTINGS
@given(st.data(), st.sampled_from(names("mango")), st.sampled_from([None, "ivr", "queue", "x"]))
def test_mango_mutated_samples_never_crash(data, name, location):
	payload = mutate(data, sample("mango", name), data.draw)
	path = "events/summary" if name.startswith("summary") else "events/call"
	result = outcome(lambda: mango.parse(payload, path, last_location=location))
	assert result is None or isinstance(result, CallEvent)


@SETTINGS
@given(st.text(max_size=200), st.text(max_size=70), st.text(max_size=20))
def test_mango_text_and_signature_never_crash(text, sign, key):
	outcome(mango.parse, text, "events/call")
	try:
		mango.verify_sign(key, text, sign, "salt")
	except SignatureError:
		pass


@SETTINGS
@given(payloads(WHATSAPP_KEYS) | st.just({"object": "whatsapp_business_account"}))
def test_whatsapp_never_crashes(payload):
	result = outcome(whatsapp.parse, payload)
	assert result is None or all(isinstance(m, ChatMessage) for m in result)


@SETTINGS
@given(st.data(), st.sampled_from(names("whatsapp")))
def test_whatsapp_mutated_samples_never_crash(data, name):
	payload = mutate(data, sample("whatsapp", name), data.draw)
	result = outcome(whatsapp.parse, payload)
	assert result is None or all(isinstance(m, ChatMessage) for m in result)


@SETTINGS
@given(
	st.binary(max_size=200),
	st.text(max_size=80),
	st.dictionaries(st.text(max_size=20), objects(["hub.mode"])),
)
def test_whatsapp_signatures_never_crash(body, header, params):
	for check in (
		lambda: whatsapp.verify_signature("secret", body, header),
		lambda: whatsapp.verify_subscription(params, "token"),
	):
		try:
			check()
		except SignatureError:
			pass


@SETTINGS
@given(payloads(TELEGRAM_KEYS))
def test_telegram_never_crashes(update):
	result = outcome(telegram.parse, update)
	assert result is None or isinstance(result, ChatMessage)


@SETTINGS
@given(st.data(), st.sampled_from(names("telegram")))
def test_telegram_mutated_samples_never_crash(data, name):
	update = mutate(data, sample("telegram", name), data.draw)
	result = outcome(telegram.parse, update)
	assert result is None or isinstance(result, ChatMessage)


@SETTINGS
@given(payloads(JIVO_KEYS) | st.just({"event_name": "chat_finished"}))
def test_jivosite_never_crashes(payload):
	result = outcome(jivosite.parse, payload)
	assert result is None or all(isinstance(m, ChatMessage) for m in result)


@SETTINGS
@given(st.data(), st.sampled_from(names("jivosite")))
def test_jivosite_mutated_samples_never_crash(data, name):
	payload = mutate(data, sample("jivosite", name), data.draw)
	result = outcome(jivosite.parse, payload)
	assert result is None or all(isinstance(m, ChatMessage) for m in result)


@SETTINGS
@given(payloads(FORM_KEYS))
def test_website_form_never_crashes(payload):
	result = outcome(website_form.parse, payload)
	assert result is None or isinstance(result, FormSubmission)
	if result is not None:
		assert result.phone or result.email


@SETTINGS
@given(payloads(APP_KEYS))
def test_mobile_app_never_crashes(payload):
	result = outcome(mobile_app.parse, payload)
	assert result is None or isinstance(result, MobileAppRequest)


@SETTINGS
@given(st.binary(max_size=300) | st.text(max_size=200).map(str.encode))
def test_load_json_and_load_form_never_crash(body):
	data = outcome(load_json, body)
	assert data is None or isinstance(data, dict)
	form = outcome(load_form, body)
	assert form is None or all(isinstance(k, str) and isinstance(v, str) for k, v in form.items())


@SETTINGS
@given(objects(GENERIC_KEYS + FORM_KEYS))
def test_load_json_round_trips_what_json_can_carry(value):
	try:
		body = json.dumps({"v": value}, allow_nan=False).encode()
	except (ValueError, UnicodeEncodeError):
		return
	assert load_json(body) == json.loads(body)


@SETTINGS
@given(st.data(), st.sampled_from(names("whatsapp")))
def test_parsing_is_deterministic(data, name):
	payload = mutate(data, sample("whatsapp", name), data.draw)
	first = outcome(whatsapp.parse, copy.deepcopy(payload))
	again = outcome(whatsapp.parse, copy.deepcopy(payload))
	assert first == again


def test_numbers_too_long_to_print_are_refused_cleanly():
	huge = 10**5000  # str() of it raises ValueError in Python >= 3.11
	cases = [
		(generic_call.parse, {"call_id": huge, "event": "ringing"}),
		(generic_call.parse, {"call_id": "c", "event": "ringing", "talk_seconds": huge}),
		(zadarma.parse, {"event": "NOTIFY_START", "pbx_call_id": huge, "call_start": "2024-05-14 09:21:07"}),
		(lambda p: mango.parse(p, "events/summary"), {"entry_id": "e", "call_direction": huge}),
		(
			whatsapp.parse,
			{
				"object": "whatsapp_business_account",
				"entry": [
					{
						"changes": [
							{
								"value": {
									"messages": [
										{
											"id": "m",
											"from": "7",
											"type": "location",
											"location": {"latitude": huge, "longitude": 1},
										}
									]
								}
							}
						]
					}
				],
			},
		),
		(telegram.parse, {"message": {"message_id": 1, "chat": {"id": huge}}}),
		(jivosite.parse, {"event_name": "chat_finished", "chat_id": huge}),
		(website_form.parse, {"phone": huge}),
		(mobile_app.parse, {"request_id": "r", "phone": huge}),
	]
	for parse, payload in cases:
		with pytest.raises(PayloadError, match=r"out of range|too long"):
			parse(payload)
