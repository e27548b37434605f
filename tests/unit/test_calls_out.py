"""Calls out, the pure part: each provider's request as its published API describes it, and the
website callback's sequence at its boundaries.

Sources:
- Zadarma: https://zadarma.com/en/support/api/#intro (Authorization: ``ksort``, ``http_build_query
  (..., PHP_QUERY_RFC1738)``, ``base64_encode(hash_hmac('sha1', $method . $paramsStr .
  md5($paramsStr), $secret))``), github zadarma/user-api-v1 lib/Client.php (``format`` added to the
  parameters before signing) and lib/Api.php (``requestCallback``: ``request/callback`` with
  ``from``, ``to``; ``getPbxRecord``: ``pbx/record/request`` with ``call_id``, ``lifetime``),
  github zadarma/user-api-py-v1 zadarma/api.py (the same in Python). Zadarma publishes no worked
  example with numbers: the expected values below are computed from the published formula, written
  out step by step, independently of the module.
- Mango Office: "API MANGO OFFICE" v1.9 (MangoOffice_VPBX_API_v1.9.pdf; transcribed in github
  G-Ivan-A/mango_ba_prompts kb/mango-product-docs/processed/vpbx-api/sections/): 2.4.3 (sign =
  sha256(vpbx_api_key + json + vpbx_api_salt)), 3.2.1 (commands/callback: command_id, from.extension,
  to_number), 3.2.2 (commands/callback_group: from, to, line_number), 3.5.2 (recording link: sign =
  sha256(vpbx_api_key + timestamp + recording_id + vpbx_api_salt)). The document's examples use
  placeholder signatures ("sign = 1234567890qwerty"), so the expected values are computed from the
  formula.
"""

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from auto_service_crm.rules import callback_sequence as seq
from auto_service_crm.telephony import calls_out, mango, zadarma
from auto_service_crm.telephony.calls_out import DialRefused

KEY, SECRET = "a248a6a984459935b569", "8a8e91d214fb728889c7"


def test_zadarma_callback_request_is_signed_as_published():
	request = zadarma.callback_request(
		"https://api.zadarma.com/", KEY, SECRET, line="100", client="+7 (916) 123-45-67"
	)
	assert request.method == "GET"
	url = urlsplit(request.url)
	assert (url.scheme, url.netloc, url.path) == ("https", "api.zadarma.com", "/v1/request/callback/")
	assert dict(parse_qsl(url.query)) == {"format": "json", "from": "100", "to": "79161234567"}
	# the published algorithm, step by step: sorted parameters, the query, md5 of it, HMAC-SHA1 hex
	query = "format=json&from=100&to=79161234567"
	assert url.query == query
	line = "/v1/request/callback/" + query + hashlib.md5(query.encode()).hexdigest()
	signature = base64.b64encode(hmac.new(SECRET.encode(), line.encode(), hashlib.sha1).hexdigest().encode())
	assert request.headers == {"Authorization": f"{KEY}:{signature.decode()}"}


def test_zadarma_query_is_encoded_as_php_rfc1738():
	assert zadarma.api_query({"b": "x y", "a": "+7&1"}) == "a=%2B7%261&b=x+y"


def test_zadarma_record_request_and_replies():
	request = zadarma.record_request(
		KEY and "https://api.zadarma.com", KEY, SECRET, call_id="17.3", lifetime=60
	)
	assert dict(parse_qsl(urlsplit(request.url).query)) == {
		"call_id": "17.3",
		"format": "json",
		"lifetime": "180",
	}
	ok = b'{"status":"success","link":"https://api.zadarma.com/rec/1.mp3","lifetime_till":"2026-01-01"}'
	assert zadarma.read_record_reply(200, ok) == "https://api.zadarma.com/rec/1.mp3"
	zadarma.read_callback_reply(200, b'{"status":"success","from":100,"to":79161234567,"time":1}')
	with pytest.raises(DialRefused, match="Zadarma refused: Wrong number"):
		zadarma.read_callback_reply(200, b'{"status":"error","message":"Wrong number"}')
	with pytest.raises(DialRefused, match="HTTP 401"):
		zadarma.read_callback_reply(401, b"<html>Unauthorized</html>")
	with pytest.raises(DialRefused, match="not JSON"):
		zadarma.read_callback_reply(200, b"<html>ok</html>")
	with pytest.raises(DialRefused, match="key and secret"):
		zadarma.callback_request("https://api.zadarma.com", "", SECRET, line="100", client="1")


def test_zadarma_recordings_of_notifications():
	assert zadarma.recording_of(
		{"event": "NOTIFY_OUT_END", "is_recorded": "1", "call_id_with_rec": "9.1"}
	) == ("zadarma:9.1")
	assert (
		zadarma.recording_of({"event": "NOTIFY_END", "is_recorded": "0", "call_id_with_rec": "9.1"}) is None
	)
	event = zadarma.parse_record({"event": "NOTIFY_RECORD", "pbx_call_id": "in_1", "call_id_with_rec": "9.1"})
	assert (event.external_id, event.reference) == ("in_1", "9.1")
	assert zadarma.parse_record({"event": "NOTIFY_START"}) is None


def test_mango_callback_command_is_signed_as_published():
	request = mango.callback_request(
		"https://app.mango-office.ru/vpbx/",
		"vpbx-key",
		"salt",
		command_id="asc-call-1",
		extension="101",
		client="+79161234567",
	)
	assert (request.method, request.url) == ("POST", "https://app.mango-office.ru/vpbx/commands/callback")
	payload = json.loads(request.data["json"])
	assert payload == {"command_id": "asc-call-1", "from": {"extension": "101"}, "to_number": "79161234567"}
	expected = hashlib.sha256(("vpbx-key" + request.data["json"] + "salt").encode()).hexdigest()
	assert request.data["sign"] == expected and request.data["vpbx_api_key"] == "vpbx-key"
	mango.verify_sign("vpbx-key", request.data["json"], request.data["sign"], "salt")


def test_mango_group_command_and_replies():
	request = mango.callback_group_request(
		"https://app.mango-office.ru/vpbx",
		"k",
		"s",
		command_id="asc-cb-1-01",
		group="200",
		client="89161234567",
		line=None,
	)
	assert request.url.endswith("/commands/callback_group")
	assert json.loads(request.data["json"]) == {
		"command_id": "asc-cb-1-01",
		"from": "200",
		"to": "89161234567",
	}
	mango.read_command_reply(200, b'{"result":1000}')
	mango.read_command_reply(200, b"{}")
	with pytest.raises(DialRefused, match="3100"):
		mango.read_command_reply(200, b'{"result":3100,"message":"bad params"}')
	with pytest.raises(DialRefused, match="HTTP 503"):
		mango.read_command_reply(503, b"Service Unavailable")
	result = mango.read_command_result('{"command_id":"asc-call-1","result":2101}')
	assert (result.external_id, result.result, result.ok) == ("asc-call-1", 2101, False)
	assert mango.command_id_of({"command_id": "asc-call-1"}) == "asc-call-1"
	assert mango.command_id_of({}) is None


def test_mango_recording_event_and_link():
	done = {
		"entry_id": "E1",
		"recording_id": "r1",
		"recording_state": "Completed",
		"completion_code": 1000,
		"recipient": "Cloud",
	}
	assert mango.parse_recording(json.dumps(done)).reference == "r1"
	assert mango.parse_recording(json.dumps({**done, "recording_state": "Started"})) is None
	assert mango.parse_recording(json.dumps({**done, "completion_code": 4002})) is None
	link = mango.recording_link("https://app.mango-office.ru/vpbx", "key", "salt", "r1", 1700000000)
	sign = hashlib.sha256(b"key1700000000r1salt").hexdigest()
	assert link == f"https://app.mango-office.ru/vpbx/queries/recording/link/r1/play/key/1700000000/{sign}"


def test_generic_contract_is_asynchronous():
	request = calls_out.generic_request(
		"https://pbx.example/dial",
		"t0k",
		request_id="asc-call-1",
		line="101",
		client="+79161234567",
		appeal="A-1",
		answer_timeout=60,
	)
	assert request.headers == {"Authorization": "Bearer t0k"}
	assert request.json == {
		"request_id": "asc-call-1",
		"from": "101",
		"to": "+79161234567",
		"appeal": "A-1",
		"answer_timeout": 60,
	}
	assert calls_out.read_generic_reply(202, b"") is None
	assert calls_out.read_generic_reply(200, b'{"call_id": 77}') == "77"
	assert calls_out.read_generic_reply(200, b'{"answered": true}') is None  # not believed: no call_id
	for status, body, message in [
		(500, b"boom", "HTTP 500"),
		(200, b"<html>", "not JSON"),
		(200, b"[1]", "not an object"),
		(200, b'{"call_id": true}', "not an id"),
	]:
		with pytest.raises(DialRefused, match=message):
			calls_out.read_generic_reply(status, body)


def test_recording_references():
	assert calls_out.split_recording_reference("mango:r1") == ("mango", "r1")
	assert calls_out.split_recording_reference("https://x/r.mp3") == (None, "https://x/r.mp3")
	assert calls_out.split_recording_reference(None) == (None, None)
	assert calls_out.digits("sip:101@pbx") == "sip:101@pbx"


NOW = datetime(2026, 11, 23, 10, 0, 0)


def test_plan_is_the_manager_then_the_group():
	assert seq.plan("101", "200", 3) == ["101", "200", "200", "200"]
	assert seq.plan(None, "200", 3) == ["200", "200", "200"]
	assert seq.plan("101", None, 3) == ["101"]
	assert seq.plan(None, "200", 0) == []


def test_the_first_planned_attempt_is_dialled_when_due():
	planned = [seq.Attempt(seq.PLANNED, NOW), seq.Attempt(seq.PLANNED)]
	assert seq.step(planned, NOW, 60) == seq.Step(seq.DIAL, 0, NOW)
	assert seq.step(planned, NOW, 60).due(NOW)
	later = [seq.Attempt(seq.FAILED, NOW), seq.Attempt(seq.PLANNED, NOW + timedelta(seconds=30))]
	step = seq.step(later, NOW, 60)
	assert (
		step.kind == seq.DIAL
		and not step.due(NOW + timedelta(seconds=29))
		and step.due(NOW + timedelta(seconds=30))
	)


def test_a_sent_attempt_times_out_exactly_at_the_answer_timeout():
	sent = [seq.Attempt(seq.SENT, NOW), seq.Attempt(seq.PLANNED)]
	assert seq.step(sent, NOW + timedelta(seconds=59), 60) == seq.Step(
		seq.WAIT, 0, NOW + timedelta(seconds=60)
	)
	assert seq.step(sent, NOW + timedelta(seconds=60), 60) == seq.Step(seq.TIME_OUT, 0)


def test_a_reported_call_is_waited_for_until_its_end_or_the_limit():
	ringing = [seq.Attempt(seq.REPORTED, NOW), seq.Attempt(seq.PLANNED)]
	assert seq.step(ringing, NOW + timedelta(seconds=600), 60).kind == seq.WAIT  # a long talk
	assert seq.step(ringing, NOW + timedelta(seconds=3599), 60).kind == seq.WAIT
	assert seq.step(ringing, NOW + timedelta(seconds=3600), 60) == seq.Step(seq.GIVE_UP, 0)


def test_an_answer_ends_the_sequence_and_nobody_answering_exhausts_it():
	assert seq.step(
		[seq.Attempt(seq.FAILED), seq.Attempt(seq.ANSWERED), seq.Attempt(seq.PLANNED)], NOW, 60
	) == seq.Step(seq.DONE, 1)
	assert seq.step([seq.Attempt(seq.FAILED)] * 4, NOW, 60) == seq.Step(seq.EXHAUSTED)
	assert seq.step([seq.Attempt(seq.FAILED), seq.Attempt(seq.CANCELED)], NOW, 60) == seq.Step(seq.EXHAUSTED)
	assert seq.step([], NOW, 60) == seq.Step(seq.EXHAUSTED)


def test_the_next_attempt_is_due_one_interval_after_a_failure():
	assert seq.next_due(NOW, 30) == NOW + timedelta(seconds=30)
	assert seq.next_due(NOW, 0) == NOW
	assert seq.next_due(NOW, -5) == NOW
