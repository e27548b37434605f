"""Load: a bounded burst of concurrent webhooks on loopback, against the site behind a multi-worker
gunicorn as in production: calls and chat messages, repeated deliveries, many calls from one number
and the messages of one chat arriving at the same moment.

Every delivery is answered 2xx or with a clear retryable error (which the client, like a provider,
retries); afterwards the Intake Payloads, Call Logs, Communications and Appeals are counted and
compared exactly with what was sent: nothing lost, nothing doubled, one appeal per chat, and the
automatic category still counts every earlier appeal of a number (the per-client lock holds under
load). The size is bounded for a 2-core machine: ASC_LOAD_CLIENTS (20) clients for
ASC_LOAD_SECONDS (20) seconds.
"""

import os
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

import frappe
from frappe.utils import nowdate

from tests.integration.services import Gunicorn, ThrowawayRedis, site_session
from tests.integration.web import settled, workers

CLIENTS = int(os.environ.get("ASC_LOAD_CLIENTS", 20))
SECONDS = float(os.environ.get("ASC_LOAD_SECONDS", 20))
RUN = frappe.generate_hash(length=6)
TOKEN = "load-secret"
TELEGRAM_TOKEN = "load-telegram-secret"
# A few numbers and chats shared by every client: calls from one number and messages of one chat
# keep arriving at the same moment.
PHONES = [f"+7916{int(RUN, 16) % 1000:03d}{i:04d}" for i in range(5)]
CHATS = [7_000_000_000 + (int(RUN, 16) % 10**6) * 10 + i for i in range(5)]
ATTEMPTS = 8


@pytest.fixture(scope="module")
def server(site):
	settings = frappe.get_single("Auto Service Settings")
	secrets = {"telephony_token": TOKEN, "telegram_secret_token": TELEGRAM_TOKEN}
	previous = {field: settings.get_password(field, raise_exception=False) for field in secrets}
	settings.update(secrets)
	settings.save()
	frappe.db.commit()
	redis = ThrowawayRedis()  # jobs of the burst, if any, stay out of the bench's shared queue
	redis.start()
	web = None
	try:
		web = Gunicorn(workers=3, threads=4, redis_queue=redis.url)
		with workers(2, redis.url):  # the calls and chats are filed by background jobs
			yield web
	finally:
		if web:
			web.stop()
		redis.close()
		delete_what_the_burst_made()
		frappe.db.rollback()
		settings = frappe.get_single("Auto Service Settings")
		settings.update(previous)
		settings.save()
		frappe.db.commit()


class Sender:
	"""A provider's delivery: POST, and on a retryable answer POST the same body again."""

	def __init__(self, url: str):
		self.url = f"{url}/api/method/auto_service_crm.api."
		self.local = threading.local()
		self.lock = threading.Lock()
		self.answers: Counter = Counter()  # (status code, app status) of every answer
		self.retryable: list[str] = []  # what a retryable answer said
		self.unclear: list[str] = []  # answers that are neither 2xx nor a clear retryable error
		self.given_up: list[dict] = []

	def session(self) -> requests.Session:
		if not hasattr(self.local, "session"):
			self.local.session = site_session()
		return self.local.session

	def deliver(self, endpoint: str, body: dict, headers: dict) -> str | None:
		"""The app's status of the delivery once answered 2xx ("processed", "duplicate"), else None."""
		for attempt in range(ATTEMPTS):
			response = self.session().post(
				self.url + endpoint,
				json=body,
				# a new connection per delivery, as webhook senders do: a kept-alive one that gunicorn
				# closes after 2 idle seconds (while the clients wait for each other) would be reset
				headers={**headers, "Connection": "close"},
				timeout=120,
			)
			try:
				answer = response.json()
			except ValueError:
				answer = None
			status = (answer or {}).get("message", {}).get("status") if isinstance(answer, dict) else None
			with self.lock:
				self.answers[(response.status_code, status)] += 1
			if response.ok:
				return status
			clear = clearly_retryable(response.status_code, answer)
			with self.lock:
				(self.retryable if clear else self.unclear).append(
					f"{response.status_code} {response.text[:300]}"
				)
			if not clear:
				return None
			time.sleep(0.2 * (attempt + 1))
		with self.lock:
			self.given_up.append(body)
		return None


def clearly_retryable(code: int, answer) -> bool:
	"""The app's own answer that the payload was kept but not filed yet (500 with the payload to
	replay), or the server saying it is busy: a provider retries these. An exception's traceback is not
	an answer."""
	if code in (429, 503, 508):
		return True
	message = answer.get("message") if isinstance(answer, dict) else None
	return code == 500 and isinstance(message, dict) and bool(message.get("payload")) and "exc" not in answer


def call(call_id: str, event: str, phone: str, day: str) -> dict:
	return {
		"call_id": call_id,
		"event": event,
		"from": phone,
		"to": "+74951000000",
		# one day for every call of the burst, whatever the clock does meanwhile
		"timestamp": f"{day} 12:00:00",
		**({"talk_seconds": 30} if event == "ended" else {}),
		**({"wait_seconds": 20, "loss_reason": "queue"} if event == "missed" else {}),
	}


def message(chat: int, number: int) -> dict:
	return {
		"update_id": number,
		"message": {
			"message_id": number,
			"date": int(time.time()),
			"chat": {"id": chat, "type": "private"},
			"from": {"id": chat, "first_name": "Load", "is_bot": False},
			"text": f"message {number}",
		},
	}


def test_a_burst_of_concurrent_webhooks_loses_and_doubles_nothing(server):
	sender = Sender(server.url)
	began_at = frappe.utils.add_to_date(frappe.utils.now_datetime(), seconds=-1)
	sent_calls: dict[str, list[str]] = {}  # call id: its events in order
	phone_of: dict[str, str] = {}
	statuses: dict[str, list[str]] = defaultdict(list)  # delivery key: the app's answers to it
	book = threading.Lock()
	day = nowdate()  # the site's date (the threads below have no site context)

	sent_messages: dict[int, set[int]] = defaultdict(set)  # chat: its message ids

	def send(call_id, event, phone):
		status = sender.deliver("call_event", call(call_id, event, phone, day), {"X-Webhook-Token": TOKEN})
		with book:
			statuses[f"{event}:{call_id}"].append(status)
			phone_of[call_id] = phone
			if event not in sent_calls.setdefault(call_id, []):
				sent_calls[call_id].append(event)

	def write(chat, number):
		headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_TOKEN}
		status = sender.deliver("telegram_update", message(chat, number), headers)
		with book:
			statuses[f"telegram:{chat}:{number}"].append(status)
			sent_messages[chat].add(number)

	start = threading.Barrier(CLIENTS)
	deadline = time.time() + SECONDS

	def client(number: int):
		# The same delivery from every client at the same moment (a provider's retries racing).
		start.wait()
		send(f"ld-{RUN}-same", "ringing", PHONES[0])
		# One call per client, all from one number at the same moment.
		start.wait()
		send(f"ld-{RUN}-{number}-0", "ringing", PHONES[1])
		send(f"ld-{RUN}-{number}-0", "ended", PHONES[1])
		# The first messages of new chats, several of one chat at the same moment.
		start.wait()
		write(CHATS[number % len(CHATS)], (number + 1) * 1000)
		n = 1
		while time.time() < deadline:
			call_id = f"ld-{RUN}-{number}-{n}"
			phone = PHONES[(number + n) % len(PHONES)]
			events = ("ringing", "missed") if n % 4 == 3 else ("ringing", "answered", "ended")
			for i, event in enumerate(events):
				send(call_id, event, phone)
				if (number + n + i) % 3 == 0:  # the provider delivers it again
					send(call_id, event, phone)
			write(CHATS[(number + n) % len(CHATS)], (number + 1) * 1000 + n)
			if n % 5 == 0:
				write(CHATS[(number + n) % len(CHATS)], (number + 1) * 1000 + n)  # again
			n += 1

	deadlocks = innodb_deadlocks()
	began = time.time()
	with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
		list(pool.map(client, range(CLIENTS)))
	took = time.time() - began

	summary = (
		f"{sum(sender.answers.values())} answers in {took:.0f} s: {dict(sender.answers)}; "
		f"deadlocks the server broke (and filed again): {innodb_deadlocks() - deadlocks}; "
		f"retryable answers: {sender.retryable[:5]}"
	)
	assert not sender.unclear, f"answers neither 2xx nor clearly retryable: {sender.unclear[:5]}; {summary}"
	assert not sender.given_up, f"deliveries never accepted: {sender.given_up[:5]}; {summary}"
	for key, answers in statuses.items():
		assert answers.count("received") == 1, f"{key} kept {answers.count('received')} times: {answers}"
		assert set(answers) <= {"received", "duplicate"}, f"{key}: {answers}"
	assert statuses[f"ringing:ld-{RUN}-same"].count("duplicate") == CLIENTS - 1

	settled(began_at, seconds=300)  # the workers filed every kept delivery (and a fresh snapshot)
	payloads = frappe.get_all(
		"Intake Payload",
		filters={"name": ["in", run_payloads()]},
		fields=["dedupe_key", "status"],
	)
	expected_keys = [
		f"telegram::{key.split(':', 1)[1]}" if key.startswith("telegram:") else f"generic:{key}"
		for key in statuses
	]
	assert Counter(p.dedupe_key for p in payloads) == Counter(expected_keys), summary
	assert {p.status for p in payloads} == {"Processed"}

	logs = {
		log.name: log
		for log in frappe.get_all(
			"Call Log", filters={"name": ["like", f"ld-{RUN}-%"]}, fields=["name", "status", "duration"]
		)
	}
	assert set(logs) == set(sent_calls), "one Call Log per call"
	final = {"ringing": "Ringing", "answered": "In Progress", "ended": "Completed", "missed": "No Answer"}
	assert {name: log.status for name, log in logs.items()} == {
		call_id: final[events[-1]] for call_id, events in sent_calls.items()
	}

	appeals = frappe.get_all(
		"Appeal",
		filters={"call_log": ["like", f"ld-{RUN}-%"]},
		fields=["name", "call_log", "channel", "phone_normalized", "category", "category_set_automatically"],
	)
	assert Counter(a.call_log for a in appeals) == Counter(set(sent_calls)), (
		"one Appeal per call, none doubled"
	)
	for appeal in appeals:
		missed = sent_calls[appeal.call_log][-1] == "missed"
		assert appeal.channel == ("Missed Call" if missed else "Incoming Call")
		assert appeal.phone_normalized == phone_of[appeal.call_log]

	# The automatic category counted every earlier appeal of the number, although they came at once.
	threshold = frappe.db.get_single_value("Auto Service Settings", "same_day_appeal_threshold")
	continuation = frappe.db.get_value(
		"Automatic Category Rule", "Call Continuation: Appeals Today", "category"
	)
	for phone in {a.phone_normalized for a in appeals}:
		of_phone = [a for a in appeals if a.phone_normalized == phone]
		categorized = [a for a in of_phone if a.category == continuation and a.category_set_automatically]
		assert len(categorized) == max(0, len(of_phone) - threshold + 1), (phone, len(of_phone))

	# Every message of a chat is one Communication, on the chat's one appeal.
	for chat, numbers in sent_messages.items():
		chat_appeals = frappe.get_all(
			"Appeal", filters={"chat_platform": "Telegram", "conversation_id": str(chat)}, pluck="name"
		)
		assert len(chat_appeals) == 1, f"chat {chat}: {len(chat_appeals)} appeals"
		messages = frappe.get_all(
			"Communication",
			filters={"message_id": ["like", f"Telegram:{chat}:%"]},
			fields=["message_id", "reference_name"],
		)
		assert Counter(m.message_id for m in messages) == Counter(f"Telegram:{chat}:{n}" for n in numbers)
		assert {m.reference_name for m in messages} == set(chat_appeals)

	print(summary)
	log = server.output()
	for trouble in ("WORKER TIMEOUT", "SIGKILL", "Traceback"):
		assert trouble not in log, log[-3000:]
	# No client lock is left taken by a connection that answered.
	for phone in PHONES:
		lock = frappe.db.sql("SELECT IS_USED_LOCK(%s)", ("asc-client-" + lock_hash(phone),))[0][0]
		assert lock is None, f"the lock of {phone} is still held by connection {lock}"


def innodb_deadlocks() -> int:
	return int(frappe.db.sql("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'")[0][1])


def lock_hash(phone: str) -> str:
	import hashlib

	return hashlib.sha1(f"{frappe.local.site}:{phone}".encode()).hexdigest()[:40]


def run_payloads() -> list[str]:
	"""The Intake Payloads of this run's calls and chats."""
	return frappe.get_all(
		"Intake Payload",
		or_filters=[
			["dedupe_key", "like", f"generic:%:ld-{RUN}-%"],
			*[["dedupe_key", "like", f"telegram::{chat}:%"] for chat in CHATS],
		],
		pluck="name",
	)


def delete_what_the_burst_made():
	"""Bulk deletes by this run's ids: hundreds of documents, too many to delete one by one."""
	frappe.db.rollback()
	calls = frappe.get_all("Call Log", filters={"name": ["like", f"ld-{RUN}-%"]}, pluck="name")
	appeals = frappe.get_all("Appeal", filters={"call_log": ["like", f"ld-{RUN}-%"]}, pluck="name")
	appeals += frappe.get_all(
		"Appeal",
		filters={"chat_platform": "Telegram", "conversation_id": ["in", [str(c) for c in CHATS]]},
		pluck="name",
	)
	for chat in CHATS:
		frappe.db.delete("Communication", {"message_id": ["like", f"Telegram:{chat}:%"]})
	if appeals:
		# the operators' mail of the burst's tasks and appeals (the missed calls' tasks, assignments)
		todos = frappe.get_all("ToDo", filters={"reference_name": ["in", appeals]}, pluck="name")
		mails = frappe.get_all(
			"Email Queue",
			or_filters=[["reference_name", "in", appeals], ["reference_name", "in", todos or [""]]],
			pluck="name",
		)
		if mails:
			frappe.db.delete("Email Queue Recipient", {"parent": ["in", mails]})
			frappe.db.delete("Email Queue", {"name": ["in", mails]})
		frappe.db.delete("Notification Log", {"document_name": ["in", appeals + todos]})
		for child in ("Work Type Detail", "Service Request Item"):
			frappe.db.delete(child, {"parenttype": "Appeal", "parent": ["in", appeals]})
		for doctype, field in (
			("ToDo", "reference_name"),
			("Comment", "reference_name"),
			("Version", "docname"),
		):
			frappe.db.delete(doctype, {field: ["in", appeals]})
		frappe.db.delete("Appeal", {"name": ["in", appeals]})
	if calls:
		frappe.db.delete("Dynamic Link", {"parenttype": "Call Log", "parent": ["in", calls]})
		frappe.db.delete("Version", {"ref_doctype": "Call Log", "docname": ["in", calls]})
		frappe.db.delete("Call Log", {"name": ["in", calls]})
	payloads = run_payloads()
	if payloads:
		frappe.db.delete("Intake Payload", {"name": ["in", payloads]})
	frappe.db.commit()
