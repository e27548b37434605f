"""Calls out through the station's PBX: each adapter against a small HTTP server of the test on
loopback that checks the request and its signature as the provider documents it (Zadarma's
Authorization header, Mango's sign, the neutral contract's Bearer token); the website callback's
sequence end to end, the PBX's outcomes sent back through the real webhooks over HTTP; recordings.
No mock objects: the provider is a real HTTP server, Frappe is the site's own."""

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests

import frappe
from frappe.utils import add_to_date, now_datetime

from auto_service_crm.telephony import callback, outbound, recordings, zadarma
from tests.integration.factories import make_user
from tests.integration.web import outcome

ZD_KEY, ZD_SECRET = "out-zd-key", "out-zd-secret"
MANGO_KEY, MANGO_SALT = "out-mango-key", "out-mango-salt"
DIAL_TOKEN = "out-dial-token"


class Provider:
	"""A PBX's API on loopback: checks each request's signature the provider's way, records it,
	and answers with the next of ``replies`` ((status, body, delay); the last one repeats)."""

	def __init__(self, kind, replies):
		self.kind, self.replies, self.calls, self.errors = kind, list(replies), [], []
		provider = self

		class Handler(BaseHTTPRequestHandler):
			def handle_one(self, method):
				body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
				try:
					provider.calls.append(provider.check(method, self.path, self.headers, body))
				except AssertionError as e:
					provider.errors.append(str(e))
					self.reply(401, b'{"status":"error","message":"bad signature"}')
					return
				status, reply, delay = (
					provider.replies[0] if len(provider.replies) == 1 else provider.replies.pop(0)
				)
				time.sleep(delay)
				self.reply(status, reply)

			def reply(self, status, body):
				try:
					self.send_response(status)
					self.send_header("Content-Type", "application/json")
					self.send_header("Content-Length", str(len(body)))
					self.end_headers()
					self.wfile.write(body)
				except BrokenPipeError:
					pass  # the app gave up waiting (the timeout test)

			def do_GET(self):
				self.handle_one("GET")

			def do_POST(self):
				self.handle_one("POST")

			def log_message(self, *args):
				pass

		self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		self.url = f"http://127.0.0.1:{self.server.server_port}"
		threading.Thread(target=self.server.serve_forever, daemon=True).start()

	def check(self, method, path, headers, body):
		url = urlsplit(path)
		if self.kind == "zadarma":
			# https://zadarma.com/en/support/api/#intro: ksort, http_build_query, md5, HMAC-SHA1, base64
			assert method == "GET", method
			params = dict(parse_qsl(url.query, keep_blank_values=True))
			query = urlencode(sorted(params.items()))
			signed = url.path + query + hashlib.md5(query.encode()).hexdigest()
			expected = base64.b64encode(
				hmac.new(ZD_SECRET.encode(), signed.encode(), hashlib.sha1).hexdigest().encode()
			)
			assert headers.get("Authorization") == f"{ZD_KEY}:{expected.decode()}", "wrong Authorization"
			return {"path": url.path, **params}
		if self.kind == "mango":
			# API MANGO OFFICE v1.9, 2.4.3: sign = sha256(vpbx_api_key + json + vpbx_api_salt)
			assert method == "POST", method
			form = dict(parse_qsl(body.decode()))
			assert form.get("vpbx_api_key") == MANGO_KEY, "wrong vpbx_api_key"
			sign = hashlib.sha256((MANGO_KEY + form["json"] + MANGO_SALT).encode()).hexdigest()
			assert form.get("sign") == sign, "wrong sign"
			return {"path": url.path, **json.loads(form["json"])}
		assert headers.get("Authorization") == f"Bearer {DIAL_TOKEN}", "wrong token"
		return {"path": url.path, **json.loads(body)}

	def close(self):
		self.server.shutdown()
		self.server.server_close()


ZD_OK = (200, b'{"status":"success","from":101,"to":79163100001,"time":1700000000}', 0)


def configure(kind, provider, **extra):
	settings = frappe.get_single("Auto Service Settings")
	settings.update(
		{
			"outgoing_telephony": {"zadarma": "Zadarma", "mango": "Mango Office", "generic": "Generic"}[kind],
			"zadarma_api_url": provider.url,
			"zadarma_api_key": ZD_KEY,
			"zadarma_secret": ZD_SECRET,
			"mango_api_url": f"{provider.url}/vpbx",
			"mango_api_key": MANGO_KEY,
			"mango_api_salt": MANGO_SALT,
			"dial_url": f"{provider.url}/dial",
			"dial_token": DIAL_TOKEN,
			"group_number": "200",
			"dial_attempts": 2,
			"dial_interval_seconds": 0,
			"answer_timeout_seconds": 60,
			"work_day_start": "00:00:00",
			"work_day_end": "23:59:59",
			"holiday_list": None,
			**extra,
		}
	)
	settings.save()


def operator(line):
	user = make_user("Auto Service Operator")
	frappe.db.set_value(
		"User",
		user,
		"asc_phone_line" if frappe.get_meta("User").has_field("asc_phone_line") else "phone",
		line,
	)
	return user


def appeal_for(phone):
	return frappe.get_doc({"doctype": "Appeal", "channel": "Missed Call", "phone": phone}).insert()


def requested_logs(appeal):
	names = frappe.get_all(
		"Dynamic Link",
		filters={"parenttype": "Call Log", "link_name": appeal, "parent": ["like", "asc-%"]},
		pluck="parent",
	)
	return frappe.get_all(
		"Call Log", filters={"name": ["in", names or [""]]}, fields=["*"], order_by="name asc"
	)


@pytest.fixture
def provider_of():
	started = []

	def start(kind, replies):
		started.append(Provider(kind, replies))
		return started[-1]

	yield start
	for provider in started:
		provider.close()


@pytest.mark.parametrize("kind", ["zadarma", "mango", "generic"])
def test_call_back_rings_the_operator_first_and_returns_at_once(provider_of, kind):
	reply = {"zadarma": ZD_OK, "mango": (200, b'{"result":1000}', 0), "generic": (202, b"", 0)}[kind]
	provider = provider_of(kind, [reply])
	configure(kind, provider)
	me, other = operator("101"), operator("102")
	appeal = appeal_for("+79163100001")
	frappe.get_doc(
		{
			"doctype": "ToDo",
			"allocated_to": other,
			"reference_type": "Appeal",
			"reference_name": appeal.name,
			"description": "x",
		}
	).insert(ignore_permissions=True)
	frappe.set_user(me)
	answer = callback.call_client(appeal.name)
	frappe.set_user("Administrator")
	assert not provider.errors, provider.errors
	[call] = provider.calls
	if kind == "zadarma":
		assert (call["path"], call["from"], call["to"], call["format"]) == (
			"/v1/request/callback/",
			"101",
			"79163100001",
			"json",
		)
	elif kind == "mango":
		assert call == {
			"path": "/vpbx/commands/callback",
			"command_id": answer["call_log"],
			"from": {"extension": "101"},
			"to_number": "79163100001",
		}
	else:
		assert call == {
			"path": "/dial",
			"request_id": answer["call_log"],
			"from": "101",
			"to": "+79163100001",
			"appeal": appeal.name,
			"answer_timeout": 60,
		}
	[log] = requested_logs(appeal.name)
	assert answer == {"call_log": log.name, "status": "Queued"}
	assert (log.status, log.type, log.medium, log.employee_user_id) == ("Queued", "Outgoing", kind, me)
	assert (
		frappe.db.get_value("ToDo", {"reference_name": appeal.name, "allocated_to": other}, "status")
		== "Closed"
	)


@pytest.mark.parametrize(
	("kind", "reply", "message"),
	[
		(
			"zadarma",
			(200, b'{"status":"error","message":"Wrong number"}', 0),
			"Zadarma refused: Wrong number",
		),
		("zadarma", (200, b"<html>maintenance</html>", 0), "not JSON"),
		("mango", (200, b'{"result":3100}', 0), "3100"),
		("generic", (503, b"busy", 0), "HTTP 503"),
		("generic", (200, b"", 3), "did not answer within 1 s"),
	],
)
def test_a_refusing_or_silent_pbx_is_told_to_the_operator_and_kept(
	provider_of, monkeypatch, kind, reply, message
):
	monkeypatch.setattr(outbound, "TIMEOUT_SECONDS", 1)
	provider = provider_of(kind, [reply])
	configure(kind, provider)
	me = operator("101")
	appeal = appeal_for("+79163100002")
	frappe.set_user(me)
	with pytest.raises(frappe.ValidationError, match=message):
		callback.call_client(appeal.name)
	frappe.set_user("Administrator")
	[log] = requested_logs(appeal.name)
	assert log.status == "Failed" and message.split(":")[0] in log.summary
	assert frappe.db.exists(
		"Comment", {"reference_name": appeal.name, "content": ["like", "%did not place the call%"]}
	)


def test_a_wrong_signature_is_refused_by_the_provider(provider_of):
	provider = provider_of("zadarma", [ZD_OK])
	configure("zadarma", provider, zadarma_secret="not-the-secret")
	frappe.set_user(operator("101"))
	with pytest.raises(frappe.ValidationError, match="bad signature"):
		callback.call_client(appeal_for("+79163100003").name)
	assert len(provider.errors) == 1 and provider.errors[0].startswith("wrong Authorization")


def test_without_a_line_or_telephony_the_operator_is_told(provider_of):
	provider = provider_of("generic", [(202, b"", 0)])
	configure("generic", provider)
	appeal = appeal_for("+79163100004")
	frappe.set_user(make_user("Auto Service Operator"))
	with pytest.raises(frappe.ValidationError, match="PBX line or phone number"):
		callback.call_client(appeal.name)
	frappe.set_user("Administrator")
	configure("generic", provider, outgoing_telephony="", dial_url="")
	frappe.set_user(operator("101"))
	with pytest.raises(frappe.ValidationError, match="Choose the telephony"):
		callback.call_client(appeal.name)


def test_an_attempt_nobody_reports_times_out_and_the_next_is_dialled(provider_of):
	provider = provider_of("generic", [(202, b"", 0)])
	configure("generic", provider)
	manager = operator("101")
	appeal = appeal_for("+79163100005")
	frappe.desk.form.assign_to.add({"doctype": "Appeal", "name": appeal.name, "assign_to": [manager]})
	callback.start_sequence(appeal.name)
	assert [c["from"] for c in provider.calls] == ["101"]
	first, *rest = requested_logs(appeal.name)
	assert (
		first.status == "Queued"
		and first.medium == "generic"
		and [r.status for r in rest] == ["Queued", "Queued"]
	)
	assert callback.advance(appeal.name) == "wait"  # within the answer time: nothing happens
	frappe.db.set_value("Call Log", first.name, "start_time", add_to_date(now_datetime(), seconds=-61))
	assert callback.advance(appeal.name) == "dial"
	assert [c["from"] for c in provider.calls] == ["101", "200"]
	assert [r.status for r in requested_logs(appeal.name)] == ["No Answer", "Queued", "Queued"]


def test_outside_working_hours_nobody_is_dialled_and_the_task_waits_for_the_morning(provider_of):
	provider = provider_of("generic", [(202, b"", 0)])
	now = now_datetime()
	start, end = ("22:00:00", "23:59:00") if now.hour < 21 else ("01:00:00", "03:00:00")
	configure("generic", provider, work_day_start=start, work_day_end=end)
	user = make_user("Auto Service Operator")
	appeal = appeal_for("+79163100006")
	callback.start_sequence(appeal.name)
	assert provider.calls == [] and requested_logs(appeal.name) == []
	assert frappe.db.get_value("Appeal", appeal.name, "call_back")
	assert frappe.db.exists("ToDo", {"reference_name": appeal.name, "allocated_to": user, "status": "Open"})


def test_recordings_are_played_only_by_the_allowed_roles(provider_of):
	link = "https://api.zadarma.com/v1/pbx/record/file/1.mp3"
	provider = provider_of("zadarma", [(200, json.dumps({"status": "success", "link": link}).encode(), 0)])
	configure("zadarma", provider)
	log = frappe.get_doc(
		{
			"doctype": "Call Log",
			"id": "asc-rec-test-1",
			"type": "Outgoing",
			"status": "Completed",
			"recording_url": "zadarma:9.1",
		}
	).insert(ignore_permissions=True)
	frappe.set_user(make_user("Auto Service Operator"))
	assert recordings.recording_url(log.name) == link
	assert provider.calls[0]["call_id"] == "9.1" and provider.calls[0]["path"] == "/v1/pbx/record/request/"
	frappe.set_user(make_user("Service Advisor"))
	with pytest.raises(frappe.PermissionError):
		recordings.recording_url(log.name)
	frappe.set_user("Administrator")
	frappe.db.set_value("Call Log", log.name, "recording_url", "mango:r-7")
	played = recordings.recording_url(log.name)
	assert played.startswith(f"{provider.url}/vpbx/queries/recording/link/r-7/play/{MANGO_KEY}/")
	expires, sign = played.rsplit("/", 2)[1:]
	assert sign == hashlib.sha256(f"{MANGO_KEY}{expires}r-7{MANGO_SALT}".encode()).hexdigest()


# End to end over HTTP: the PBX's outcomes come back through the webhooks ------------------------


def webhook(base, path):
	return f"{base}/api/method/auto_service_crm.api.{path}"


def zadarma_post(base, fields):
	response = requests.post(
		webhook(base, "zadarma_event"),
		data=urlencode(fields),
		headers={
			"Content-Type": "application/x-www-form-urlencoded",
			"Signature": zadarma.sign(fields, ZD_SECRET),
		},
		timeout=30,
	)
	assert response.status_code == 200, response.text
	return outcome(response)  # once filed by the background job


def mango_post(base, path, payload):
	text = json.dumps(payload)
	sign = hashlib.sha256((MANGO_KEY + text + MANGO_SALT).encode()).hexdigest()
	response = requests.post(
		webhook(base, f"mango_event/{path}"),
		data=urlencode({"vpbx_api_key": MANGO_KEY, "sign": sign, "json": text}),
		headers={"Content-Type": "application/x-www-form-urlencoded"},
		timeout=30,
	)
	assert response.status_code == 200, response.text
	return outcome(response)  # once filed by the background job


@pytest.fixture
def restore_settings():
	keep = frappe.get_single("Auto Service Settings").as_dict()
	yield
	frappe.db.rollback()
	settings = frappe.get_single("Auto Service Settings")
	for field in (
		"outgoing_telephony",
		"zadarma_api_url",
		"mango_api_url",
		"dial_url",
		"group_number",
		"dial_attempts",
		"dial_interval_seconds",
		"answer_timeout_seconds",
		"work_day_start",
		"work_day_end",
		"holiday_list",
	):
		settings.set(field, keep.get(field))
	settings.save()
	frappe.db.commit()


def test_website_callback_manager_misses_the_group_answers_through_zadarma_webhooks(
	web_server, committed, provider_of, restore_settings
):
	provider = provider_of("zadarma", [ZD_OK])
	configure("zadarma", provider)
	manager, member = operator("101"), operator("201")
	client = "+79163100007"
	appeal = frappe.get_doc({"doctype": "Appeal", "channel": "Website Form", "phone": client}).insert()
	frappe.desk.form.assign_to.add({"doctype": "Appeal", "name": appeal.name, "assign_to": [manager]})
	callback.start_sequence(appeal.name)
	frappe.db.commit()
	assert [(c["from"], c["to"]) for c in provider.calls] == [("101", "79163100007")]

	start = now_datetime().strftime("%Y-%m-%d %H:%M:%S")
	out = {"pbx_call_id": "out_e2e_1", "call_start": start, "internal": "101", "destination": "79163100007"}
	zadarma_post(web_server, {"event": "NOTIFY_OUT_START", **out})
	zadarma_post(web_server, {"event": "NOTIFY_OUT_END", **out, "disposition": "no answer", "duration": "0"})
	frappe.db.rollback()
	# the manager did not answer: the web server's webhook dialled the group at once (interval 0)
	assert [c["from"] for c in provider.calls] == ["101", "200"]
	out = {"pbx_call_id": "out_e2e_2", "call_start": start, "internal": "201", "destination": "79163100007"}
	zadarma_post(web_server, {"event": "NOTIFY_OUT_START", **out})
	answer = zadarma_post(
		web_server,
		{
			"event": "NOTIFY_OUT_END",
			**out,
			"disposition": "answered",
			"duration": "42",
			"is_recorded": "1",
			"call_id_with_rec": "1700.42",
		},
	)
	assert answer["appeals"] == [appeal.name]
	frappe.db.rollback()
	logs = requested_logs(appeal.name)
	assert [log.status for log in logs] == ["No Answer", "Completed", "Canceled"]
	assert logs[1].duration == 42 and logs[1].recording_url == "zadarma:1700.42"
	assert frappe.db.get_value("Appeal", appeal.name, "operator") == member
	assert frappe.db.exists(
		"ToDo",
		{
			"reference_name": appeal.name,
			"allocated_to": member,
			"status": "Open",
			"description": ["like", "%result%"],
		},
	)
	assert (
		frappe.db.get_value("ToDo", {"reference_name": appeal.name, "allocated_to": manager}, "status")
		!= "Open"
	)
	assert committed.new("Appeal") == [appeal.name]  # no appeal made for the calls out
	assert provider.calls[2:] == []


def test_call_back_through_mango_is_filed_by_its_command_id(
	web_server, committed, provider_of, restore_settings
):
	provider = provider_of("mango", [(200, b'{"result":1000}', 0)])
	configure("mango", provider)
	me = operator("101")
	appeal = appeal_for("+79163100008")
	frappe.set_user(me)
	log = callback.call_client(appeal.name)["call_log"]
	frappe.set_user("Administrator")
	frappe.db.commit()
	entry = f"E2E{frappe.generate_hash(length=6)}"
	ts = int(time.time())
	# the employee's leg first (Mango may report it either way): filed on the request all the same
	for seq, state in ((1, "Appeared"), (2, "Connected")):
		mango_post(
			web_server,
			"events/call",
			{
				"entry_id": entry,
				"call_id": "leg1",
				"timestamp": ts,
				"seq": seq,
				"call_state": state,
				"command_id": log,
				"from": {"extension": "101"},
				"to": {"number": "79163100008"},
			},
		)
	summary = mango_post(
		web_server,
		"events/summary",
		{
			"entry_id": entry,
			"call_direction": 2,
			"from": {"extension": "101"},
			"to": {"number": "79163100008"},
			"create_time": ts,
			"talk_time": ts + 5,
			"end_time": ts + 65,
			"entry_result": 1,
		},
	)
	assert summary["appeals"] == [appeal.name]
	mango_post(
		web_server,
		"events/recording",
		{
			"entry_id": entry,
			"recording_id": "rec-e2e",
			"recording_state": "Completed",
			"completion_code": 1000,
			"recipient": "Cloud",
			"seq": 2,
			"timestamp": ts,
		},
	)
	frappe.db.rollback()
	done = frappe.get_doc("Call Log", log)
	assert (done.status, done.duration, done.recording_url) == ("Completed", 60, "mango:rec-e2e")
	assert committed.new("Appeal") == [appeal.name]  # the call out made no appeal of its own
