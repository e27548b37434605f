"""Whole calls and conversations as the providers send them, over real HTTP with correct signatures:
the providers' published examples (tests/unit/intake/published, each with its source), foreign
callers written without «+», SIP lines, calls of several legs, and any number a provider can send."""

import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import pymysql
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.exceptions import ConnectionError as RedisConnectionError

import frappe

from auto_service_crm import api
from auto_service_crm.intake_filing import local_time
from auto_service_crm.telephony import zadarma
from tests.integration.factories import make_customer, make_user
from tests.integration.web import filed, outcome
from tests.unit.intake._samples import sample
from tests.unit.intake.test_published import BLIND, ROUTING, published

SECRETS = {
	"zadarma_secret": "seq-zd-secret",
	"mango_api_salt": "seq-mango-salt",
	"whatsapp_app_secret": "seq-wa-secret",
	"telegram_secret_token": "seq-tg-secret",
}
MANGO_KEY = "seq-mango-key"
RUN = frappe.generate_hash(length=6)


@pytest.fixture(scope="module", autouse=True)
def secrets(web_server):
	settings = frappe.get_single("Auto Service Settings")
	settings.update(SECRETS)
	settings.mango_api_key = MANGO_KEY
	settings.save()
	frappe.db.commit()


def url(base, path):
	return f"{base}/api/method/auto_service_crm.api.{path}"


def zadarma_post(base, fields):
	return filed(
		requests.post(
			url(base, "zadarma_event"),
			data=urlencode(fields),
			headers={
				"Content-Type": "application/x-www-form-urlencoded",
				"Signature": zadarma.sign(fields, SECRETS["zadarma_secret"]),
			},
			timeout=30,
		)
	)


def mango_post(base, path, payload):
	"""Mango posts to the one address set in the account, with the event's path after it."""
	text = json.dumps(payload, ensure_ascii=False)
	sign = hashlib.sha256((MANGO_KEY + text + SECRETS["mango_api_salt"]).encode()).hexdigest()
	return filed(
		requests.post(
			url(base, path),
			data=urlencode({"vpbx_api_key": MANGO_KEY, "sign": sign, "json": text}),
			headers={"Content-Type": "application/x-www-form-urlencoded"},
			timeout=30,
		)
	)


def answers(responses):
	"""How each delivery was filed (after the background job for those the webhook kept)."""
	assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
	return [outcome(r)["status"] for r in responses]


def contact_with(phone: str, name: str) -> tuple[str, str]:
	customer = make_customer(name)
	contact = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": name,
			"phone_nos": [{"phone": phone}],
			"links": [{"link_doctype": "Customer", "link_name": customer}],
		}
	).insert()
	frappe.db.commit()
	return customer, contact.name


def drop(customer: str, contact: str) -> None:
	frappe.delete_doc("Contact", contact, force=True)
	frappe.delete_doc("Customer", customer, force=True)
	frappe.db.commit()


# --- Zadarma ---------------------------------------------------------------------------------------


def test_zadarma_a_polish_caller_rings_two_managers_and_is_lost(web_server, committed):
	"""Zadarma's documented notifications (samples/zadarma.json) of one call from Poland: caller_id is
	digits without «+»; NOTIFY_INTERNAL rings 101, then 102; NOTIFY_END names no extension."""
	customer, contact = contact_with("+48 601 234 567", "Клиент из Польши")
	try:
		call_id, caller = f"in_seq_pl_{RUN}", "48601234567"
		start = sample("zadarma", "NOTIFY_START") | {"pbx_call_id": call_id, "caller_id": caller}
		ring_101 = sample("zadarma", "NOTIFY_INTERNAL") | {"pbx_call_id": call_id, "caller_id": caller}
		ring_102 = ring_101 | {"internal": "102"}
		end = sample("zadarma", "NOTIFY_END_missed") | {
			"pbx_call_id": call_id,
			"caller_id": caller,
			"call_start": start["call_start"],
			"duration": "41",
		}
		statuses = answers([zadarma_post(web_server, n) for n in (start, ring_101, ring_102, end)])
		assert statuses == ["processed"] * 4, "every notification of the call is its own event"
		assert answers([zadarma_post(web_server, ring_102)]) == ["duplicate"], "only a true repeat is one"
		assert len(committed.new("Intake Payload", external_id=call_id)) == 4
		[name] = committed.new("Appeal")
		appeal = frappe.get_doc("Appeal", name)
		assert (appeal.phone, appeal.phone_normalized) == (caller, "+48601234567")
		assert (appeal.customer, appeal.identification) == (customer, "Identified")
		assert (appeal.channel, appeal.loss_reason, appeal.wait_time) == (
			"Missed Call",
			"Ringing Manager",
			41,
		)
		log = frappe.get_doc("Call Log", call_id)
		started = datetime(2024, 5, 14, 9, 21, 7)  # the call's own call_start, not the time of receipt
		assert (log.status, log.start_time, log.end_time) == (
			"No Answer",
			started,
			started + timedelta(seconds=41),
		)
		assert appeal.appeal_datetime == started
	finally:
		drop(customer, contact)


def test_zadarma_an_answered_call_ends_after_its_duration(web_server, committed):
	call_id = f"in_seq_ok_{RUN}"
	start = sample("zadarma", "NOTIFY_START") | {"pbx_call_id": call_id}
	answer = sample("zadarma", "NOTIFY_ANSWER") | {"pbx_call_id": call_id}
	end = sample("zadarma", "NOTIFY_END") | {"pbx_call_id": call_id}
	assert answers([zadarma_post(web_server, n) for n in (start, answer, end)]) == ["processed"] * 3
	log = frappe.get_doc("Call Log", call_id)
	started = datetime(2024, 5, 14, 9, 21, 7)
	assert (log.status, log.duration) == ("Completed", 184)
	assert (log.start_time, log.end_time) == (started, started + timedelta(seconds=184))


# --- Mango Office ----------------------------------------------------------------------------------


def mango_run(name: str, entry: str) -> dict:
	"""A published Mango example made this run's own: its entry (and the legs' ids) renamed."""
	payload = published("mango", name)
	payload["entry_id"] = entry
	if "call_id" in payload:
		payload["call_id"] = f"{entry}:{payload['call_id']}"
	return payload


def test_mango_a_call_routed_to_a_manager_through_the_one_address(web_server, committed):
	"""Mango's routing example (voice menu leg, then the manager's leg) and its summary of an answered
	call, posted to …api.mango_event/events/call and …/events/summary as Mango posts them."""
	operator = make_user("Auto Service Operator")
	frappe.db.set_value("User", operator, "phone", "123")  # Mango's example: extension 123 answers
	frappe.db.commit()
	try:
		entry = f"seq-route-{RUN}"
		responses = [mango_post(web_server, "mango_event/events/call", mango_run(n, entry)) for n in ROUTING]
		assert answers(responses) == ["processed"] * 5, "both legs, every sequence number"
		assert frappe.db.get_value("Call Log", entry, "status") == "In Progress", (
			"the menu's end did not end it"
		)
		summary = mango_run("events_summary_incoming_answered", entry)
		assert answers([mango_post(web_server, "mango_event/events/summary", summary)]) == ["processed"]
		assert answers([mango_post(web_server, "mango_event/events/recording", {"entry_id": entry})]) == [
			"ignored"
		]
		[name] = committed.new("Appeal")
		appeal = frappe.get_doc("Appeal", name)
		assert appeal.channel == "Incoming Call" and appeal.operator == operator
		log = frappe.get_doc("Call Log", entry)
		assert log.status == "Completed" and log.employee_user_id == operator
		first = datetime.fromtimestamp(int(published("mango", ROUTING[0])["timestamp"]), timezone.utc)
		assert log.start_time == local_time(first), "the call began when its first leg appeared"
		assert len(committed.new("Intake Payload", external_id=entry)) == 6
		assert committed.new("Intake Payload", provider="mango:events/recording", status="Ignored"), (
			"the recording event is kept (one not completed files nothing)"
		)
	finally:
		frappe.delete_doc("User", operator, force=True)
		frappe.db.commit()


def test_mango_a_call_lost_while_the_manager_rang_is_ringing_manager(web_server, committed):
	entry = f"seq-lost-{RUN}"
	for name in ROUTING[:3]:  # the voice menu, then the manager's phone rings: nobody answers
		assert mango_post(web_server, "mango_call", mango_run(name, entry)).ok
	summary = mango_run("events_summary_incoming_ended_in_ivr", entry)
	assert answers([mango_post(web_server, "mango_summary", summary)]) == ["processed"]
	[name] = committed.new("Appeal")
	assert frappe.db.get_value("Appeal", name, ["channel", "loss_reason"]) == (
		"Missed Call",
		"Ringing Manager",
	)
	log = frappe.get_doc("Call Log", entry)
	assert log.status == "No Answer"
	assert log.end_time > log.start_time, "the call ends when it ended, not when it started"


def test_mango_a_blind_transfer_is_one_appeal_with_every_event_kept(web_server, committed):
	entry = f"seq-blind-{RUN}"
	statuses = answers([mango_post(web_server, "mango_call", mango_run(n, entry)) for n in BLIND])
	# the managers' own leg (extension to extension) is kept and not filed: no appeal of its own
	assert statuses == ["processed"] * 3 + ["ignored"] + ["processed"] * 4
	assert len(committed.new("Appeal")) == 1
	assert frappe.db.get_value("Call Log", entry, "status") == "In Progress"


def test_mango_sip_lines_and_a_sip_caller_are_kept_as_sent(web_server, committed):
	entry = f"seq-sip-{RUN}"
	event = mango_run("events_call_disconnected_sip_line_dct", entry)
	assert answers([mango_post(web_server, "mango_call", event)]) == ["processed"]
	[tracked] = committed.new("Appeal")
	# the line is a SIP address: the call-tracking number stands for it
	assert frappe.db.get_value("Appeal", tracked, "dialled_number") == "74001234567"

	sip_only = mango_run("events_call_disconnected_sip_line_dct", f"{entry}-2")
	del sip_only["dct"]
	sip_only["from"]["number"] = "sip:client@voip.example"
	assert answers([mango_post(web_server, "mango_call", sip_only)]) == ["processed"]
	[name] = [n for n in committed.new("Appeal") if n != tracked]
	appeal = frappe.get_doc("Appeal", name)
	assert appeal.dialled_number == "sip:line00000@tech.mangosip.ru"
	assert (appeal.phone, appeal.phone_normalized, appeal.identification) == (
		"sip:client@voip.example",
		None,
		"Not Found",
	)
	assert frappe.db.get_value("Call Log", f"{entry}-2", "from") == "sip:client@voip.example"


# --- Chats -----------------------------------------------------------------------------------------


def test_whatsapp_a_client_abroad_is_identified(web_server, committed):
	"""Meta's own text-message example: wa_id 16505551234, an American number without «+»."""
	customer, contact = contact_with("+1 650-555-1234", "Sheena Nelson")
	try:
		body = published("whatsapp", "meta_text_sheena_nelson")
		message = body["entry"][0]["changes"][0]["value"]["messages"][0]
		message["id"] = f"{message['id']}-{RUN}"
		raw = json.dumps(body).encode()
		signature = (
			"sha256=" + hmac.new(SECRETS["whatsapp_app_secret"].encode(), raw, hashlib.sha256).hexdigest()
		)
		response = requests.post(  # the answer is waited for in answers()
			url(web_server, "whatsapp_webhook"),
			data=raw,
			headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
			timeout=30,
		)
		assert answers([response]) == ["processed"]
		[name] = committed.new("Appeal")
		appeal = frappe.get_doc("Appeal", name)
		assert (appeal.phone_normalized, appeal.customer) == ("+16505551234", customer)
	finally:
		drop(customer, contact)


def telegram_post(base, update):
	return filed(
		requests.post(
			url(base, "telegram_update"),
			data=json.dumps(update).encode(),
			headers={
				"Content-Type": "application/json",
				"X-Telegram-Bot-Api-Secret-Token": SECRETS["telegram_secret_token"],
			},
			timeout=30,
		)
	)


def test_telegram_a_phone_shared_later_identifies_the_client(web_server, committed):
	"""aiogram's text and contact messages of one chat: the client first writes, then shares their
	own contact (user_id = from.id, as the «share my number» button sends it)."""
	customer, contact = contact_with("8 800 555-35-35", "John Smith")
	try:
		chat_id = int(frappe.utils.now_datetime().strftime("%H%M%S%f"))
		first = published("telegram", "aiogram_photo_with_caption")
		first["message"]["chat"]["id"] = chat_id
		shared = published("telegram", "aiogram_contact_no_plus_no_user_id")
		shared["message"]["chat"]["id"] = chat_id
		shared["message"]["contact"]["user_id"] = shared["message"]["from"]["id"]
		assert answers([telegram_post(web_server, first)]) == ["processed"]
		[name] = committed.new("Appeal")
		assert frappe.db.get_value("Appeal", name, "identification") in (None, "")
		assert answers([telegram_post(web_server, shared)]) == ["processed"]
		assert committed.new("Appeal") == [name], "the same conversation, the same appeal"
		appeal = frappe.get_doc("Appeal", name)
		assert (appeal.phone, appeal.phone_normalized) == ("88005553535", "+78005553535")
		assert (appeal.customer, appeal.identification) == (customer, "Identified")
	finally:
		drop(customer, contact)


# --- Any number ------------------------------------------------------------------------------------

numbers = (
	st.from_regex(r"\+?[0-9]{4,15}", fullmatch=True)
	| st.from_regex(r"sips?:[a-z0-9.]{1,20}@[a-z0-9.]{1,20}", fullmatch=True)
	| st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60)
)


@settings(
	max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(caller=numbers, line=numbers)
def test_no_number_a_pbx_sends_makes_filing_fail(web_server, committed, caller, line):
	caller, line = caller.strip() or "0", line.strip() or "0"
	call_id = f"in_prop_{frappe.generate_hash(length=10)}"
	start = sample("zadarma", "NOTIFY_START") | {
		"pbx_call_id": call_id,
		"caller_id": caller,
		"called_did": line,
	}
	assert answers([zadarma_post(web_server, start)]) == ["processed"]
	frappe.db.rollback()
	appeal = frappe.db.get_value("Appeal", {"call_log": call_id}, ["phone", "dialled_number"], as_dict=True)
	assert appeal is not None, "the call was filed"
	assert (appeal.phone, appeal.dialled_number) == (caller, line)
	assert frappe.db.get_value("Call Log", call_id, "from") == caller


# --- Failures that pass, and failures that come back -----------------------------------------------


def failing_endpoint(error: Exception):
	def file(event):
		raise error

	return api.Endpoint("generic", "Incoming Call", None, None, None, file)


@pytest.mark.parametrize(
	("error", "transient"),
	[
		(pymysql.OperationalError(2006, "MySQL server has gone away"), True),
		(pymysql.OperationalError(2013, "Lost connection to MySQL server during query"), True),
		(pymysql.OperationalError(1205, "Lock wait timeout exceeded"), True),
		(frappe.QueryTimeoutError("timeout"), True),
		(RedisConnectionError("Connection refused"), True),
		(frappe.ValidationError("Could not find Appeal Channel: Mobile App"), False),
		(KeyError("channel"), False),
	],
	ids=["server gone", "connection lost", "lock wait", "query timeout", "redis away", "validation", "bug"],
)
def test_a_failure_that_would_come_back_is_reported_and_a_transient_one_is_not(error, transient):
	manager = make_user("Auto Service Manager")
	log = frappe.get_doc(
		{"doctype": "Intake Payload", "provider": "generic", "status": "Received", "payload": "{}"}
	).insert(ignore_permissions=True)
	event = sample("zadarma", "NOTIFY_START")  # any event: the endpoint fails before it reads it
	assert api.process(log, failing_endpoint(error), [event]) == []
	assert log.status == "Failed" and bool(log.flags.transient) is transient
	assert type(error).__name__ in log.error
	reported = frappe.get_all(
		"Error Log", filters={"reference_doctype": "Intake Payload", "reference_name": log.name}, pluck="name"
	)
	told = frappe.get_all(
		"Notification Log",
		filters={"for_user": manager, "document_type": "Intake Payload", "document_name": log.name},
		pluck="name",
	)
	assert bool(reported) is not transient and bool(told) is not transient
