"""The call and chat webhooks answer once the payload is kept; background jobs file it.

Against the site behind a multi-worker gunicorn with real rq workers on a queue Redis of the tests:
the events of one call and the messages of one chat are filed in the order received even with
several workers, nothing is filed twice, a failed filing stays Failed and replayable, a lost job is
made good by the sweep, the queue's Redis down files inline, and routing happens after the filing:
a form or a chat through the consultant's Assignment Rule, a call by the operator who answered.
"""

import threading
import time
from collections import defaultdict

import pytest

import frappe

from tests.integration.factories import make_user
from tests.integration.services import (
	Gunicorn,
	ThrowawayRedis,
	enqueue_job,
	lingering,
	run_worker,
	site_secrets,
	site_session,
	wait_for,
)
from tests.integration.statements import sent
from tests.integration.web import Committed, settled, workers

RUN = frappe.generate_hash(length=6)
SECRETS = {
	"telephony_token": "bg-tel",
	"telegram_secret_token": "bg-tg",
	"website_form_token": "bg-form",
}


@pytest.fixture(scope="module")
def redis(site):
	server = ThrowawayRedis()
	server.start()
	yield server
	server.close()


@pytest.fixture(scope="module")
def web(site, redis):
	with site_secrets(SECRETS):
		server = Gunicorn(workers=2, threads=4, redis_queue=redis.url)
		try:
			yield server
		finally:
			server.stop()


@pytest.fixture
def made(web, redis):
	record = Committed()
	yield record
	if not redis.process:
		redis.start()
	redis.client().flushall()
	frappe.db.rollback()
	appeals = frappe.get_all("Appeal", filters={"creation": [">=", record.since]}, pluck="name")
	todos = frappe.get_all("ToDo", filters={"reference_name": ["in", appeals or [""]]}, pluck="name")
	mails = frappe.get_all(
		"Email Queue", filters={"reference_name": ["in", [*appeals, *todos] or [""]]}, pluck="name"
	)
	frappe.db.delete("Email Queue Recipient", {"parent": ["in", mails or [""]]})
	frappe.db.delete("Email Queue", {"name": ["in", mails or [""]]})
	frappe.db.delete("Notification Log", {"document_name": ["in", [*appeals, *todos] or [""]]})
	frappe.db.commit()
	record.clean()


def post(web, method: str, body: dict, headers: dict):
	response = site_session().post(
		f"{web.url}/api/method/auto_service_crm.api.{method}",
		json=body,
		headers={**headers, "Connection": "close"},
		timeout=60,
	)
	assert response.status_code in (200, 500), response.text[:2000]
	return response


def call(web, call_id: str, event: str, **extra):
	body = {"call_id": call_id, "event": event, "from": extra.pop("phone", "+79169990201"), **extra}
	return post(web, "call_event", body, {"X-Webhook-Token": SECRETS["telephony_token"]})


def telegram(web, chat: int, number: int, text: str):
	update = {
		"update_id": number,
		"message": {
			"message_id": number,
			"date": int(time.time()),
			"chat": {"id": chat, "type": "private"},
			"from": {"id": chat, "first_name": "Фон", "is_bot": False},
			"text": text,
		},
	}
	return post(
		web, "telegram_update", update, {"X-Telegram-Bot-Api-Secret-Token": SECRETS["telegram_secret_token"]}
	)


def status_of(response) -> str:
	return response.json()["message"]["status"]


def test_the_events_of_each_call_and_chat_are_filed_in_the_order_received(web, redis, made):
	"""Six calls and two chats at once, each sender delivering its events one after another as a
	PBX does, some twice: three workers file them, and every thread's payloads were filed in the
	order received, each once."""
	calls = [f"bg-{RUN}-order-{n}" for n in range(6)]
	chats = [8_000_000_000 + (int(RUN, 16) % 10**6) * 10 + n for n in range(2)]
	answers = defaultdict(list)
	lock = threading.Lock()

	def one_call(n, call_id):
		for event, extra in (("ringing", {}), ("answered", {}), ("ended", {"talk_seconds": 30 + n})):
			for _ in range(2 if n % 2 else 1):  # the provider delivers some of them again
				response = call(web, call_id, event, phone=f"+7916999{n:04d}", **extra)
				with lock:
					answers[f"{call_id}:{event}"].append(status_of(response))

	def one_chat(chat):
		for number in range(1, 6):
			response = telegram(web, chat, number, f"сообщение {number}")
			with lock:
				answers[f"{chat}:{number}"].append(status_of(response))

	with workers(3, redis.url):
		senders = [threading.Thread(target=one_call, args=(n, c)) for n, c in enumerate(calls)]
		senders += [threading.Thread(target=one_chat, args=(chat,)) for chat in chats]
		for sender in senders:
			sender.start()
		for sender in senders:
			sender.join(timeout=120)
		settled(made.since, seconds=120)

	for key, statuses in answers.items():
		assert statuses[0] == "received", (
			f"{key}: the first delivery is kept and answered at once: {statuses}"
		)
		assert set(statuses[1:]) <= {"duplicate"}, f"{key}: {statuses}"
	payloads = frappe.get_all(
		"Intake Payload",
		filters={"creation": [">=", made.since]},
		fields=["name", "thread", "status", "creation", "modified"],
		order_by="creation asc",
	)
	assert len(payloads) == len(calls) * 3 + len(chats) * 5, "each delivery kept once"
	assert {p.status for p in payloads} == {"Processed"}
	by_thread = defaultdict(list)
	for payload in payloads:
		by_thread[payload.thread].append(payload)
	assert len(by_thread) == len(calls) + len(chats)
	for thread, kept in by_thread.items():
		filed_order = sorted(kept, key=lambda p: p.modified)
		assert [p.name for p in filed_order] == [p.name for p in kept], f"{thread} filed out of order"
	for n, call_id in enumerate(calls):
		log = frappe.get_doc("Call Log", call_id)
		assert (log.status, log.duration) == ("Completed", 30 + n)
		assert len(frappe.get_all("Appeal", filters={"call_log": call_id})) == 1
	for chat in chats:
		[appeal] = frappe.get_all(
			"Appeal", filters={"conversation_id": str(chat), "creation": [">=", made.since]}, pluck="name"
		)
		texts = frappe.get_all(
			"Communication",
			filters={"reference_doctype": "Appeal", "reference_name": appeal},
			pluck="content",
			order_by="creation asc",
		)
		assert [t.strip() for t in texts] == [f"сообщение {n}" for n in range(1, 6)]


@pytest.fixture
def rule():
	"""The app's Assignment Rule on Appeal with two operators, as a consultant sets it up."""
	first, second = make_user("Auto Service Operator"), make_user("Auto Service Operator")
	doc = frappe.get_doc("Assignment Rule", "Appeals to Operators")
	before = {"disabled": doc.disabled, "users": [u.user for u in doc.users], "last_user": doc.last_user}
	doc.users = []
	for user in (first, second):
		doc.append("users", {"user": user})
	doc.disabled = 0
	doc.last_user = None
	doc.save()
	frappe.db.commit()
	yield first, second
	doc = frappe.get_doc("Assignment Rule", "Appeals to Operators")
	doc.users = []
	for user in before["users"]:
		doc.append("users", {"user": user})
	doc.disabled = before["disabled"]
	doc.last_user = before["last_user"]
	doc.save()
	for user in (first, second):
		frappe.delete_doc("User", user, force=True)
	frappe.db.commit()


def assignees(appeal: str) -> list[str]:
	frappe.db.rollback()
	return frappe.parse_json(frappe.db.get_value("Appeal", appeal, "_assign") or "[]")


def told(todo: str) -> bool:
	frappe.db.rollback()
	return bool(frappe.db.exists("Email Queue", {"reference_doctype": "ToDo", "reference_name": todo}))


def test_routing_after_the_filing_forms_and_chats_by_the_rule_a_call_by_who_answered(web, redis, made, rule):
	first, second = rule
	frappe.db.set_value("User", first, "asc_phone_line", f"71{int(RUN, 16) % 1000:03d}")
	frappe.db.commit()
	with workers(1, redis.url):
		forms = [
			post(
				web,
				"website_form_submission",
				{"submission_id": f"bg-{RUN}-form-{n}", "name": "Ирина", "phone": f"+7916999100{n}"},
				{"X-Webhook-Token": SECRETS["website_form_token"]},
			).json()["message"]
			for n in range(2)
		]
		assert [f["status"] for f in forms] == ["processed", "processed"], (
			"a form is answered with its appeal"
		)
		routed = [assignees(f["appeals"][0]) for f in forms]
		assert sorted(a[0] for a in routed) == sorted([first, second]), "the rule's round robin, one each"
		assert all(len(a) == 1 for a in routed)
		for form in forms:
			[todo] = frappe.get_all("ToDo", filters={"reference_name": form["appeals"][0]}, pluck="name")
			# the website was answered before its assignee's alert was rendered: the teller tells them
			wait_for(lambda todo=todo: told(todo), 15, "a form's assignee told of it")

		chat = 8_100_000_000 + int(RUN, 16) % 10**6
		assert status_of(telegram(web, chat, 1, "Здравствуйте")) == "received"
		assert status_of(call(web, f"bg-{RUN}-routed", "ringing", phone="+79169991100")) == "received"
		settled(made.since)
		[chat_appeal] = frappe.get_all("Appeal", filters={"conversation_id": str(chat)}, pluck="name")
		# routed as the last step of the filing's transaction: filed is routed, committed together
		assert len(assignees(chat_appeal)) == 1, "a chat routed by the rule as it is filed"
		[todo] = frappe.get_all("ToDo", filters={"reference_name": chat_appeal}, pluck="name")
		# told by the teller, a job of the default queue
		wait_for(lambda: told(todo), 15, "the chat's assignee told of it")
		ringing = frappe.db.get_value("Appeal", {"call_log": f"bg-{RUN}-routed"}, "name")
		assert assignees(ringing) == [], "a ringing call waits for whoever answers"

		line = frappe.db.get_value("User", first, "asc_phone_line")
		assert status_of(call(web, f"bg-{RUN}-routed", "answered", agent=line)) == "received"
		settled(made.since)
	assert assignees(ringing) == [first], "the answered call is the answering operator's"
	frappe.db.set_value("User", first, "asc_phone_line", None)
	frappe.db.commit()


def test_a_routing_that_fails_leaves_the_chat_filed_unassigned_and_logged(web, redis, made, rule):
	"""The routing is the filing's last step, in a savepoint: a rule that cannot assign (its
	description does not render) undoes the routing alone, and the appeal is filed all the same."""
	description = frappe.db.get_value("Assignment Rule", "Appeals to Operators", "description")
	frappe.db.set_value(
		"Assignment Rule", "Appeals to Operators", "description", "{{ doc.client_comment.no_such_method() }}"
	)
	frappe.db.commit()
	chat = 8_200_000_000 + int(RUN, 16) % 10**6
	try:
		with workers(1, redis.url):
			assert status_of(telegram(web, chat, 1, "Здравствуйте")) == "received"
			settled(made.since)
	finally:
		frappe.db.set_value("Assignment Rule", "Appeals to Operators", "description", description)
		frappe.db.commit()
	[appeal] = frappe.get_all("Appeal", filters={"conversation_id": str(chat)}, pluck="name")
	assert frappe.db.get_value("Intake Payload", {"appeal": appeal}, "status") == "Processed"
	assert assignees(appeal) == [] and not frappe.db.exists("ToDo", {"reference_name": appeal})
	assert frappe.db.exists(
		"Error Log", {"reference_name": appeal, "method": f"Appeal {appeal} could not be routed"}
	)
	frappe.db.delete("Error Log", {"reference_name": appeal})
	frappe.db.commit()


def test_with_the_queue_redis_down_the_webhook_files_inline(web, redis, made):
	redis.stop()
	response = call(web, f"bg-{RUN}-inline", "ringing")
	answer = response.json()["message"]
	assert response.status_code == 200 and answer["status"] == "processed", answer
	frappe.db.rollback()
	assert answer["appeals"] == [frappe.db.get_value("Appeal", {"call_log": f"bg-{RUN}-inline"}, "name")]
	redis.start()


def test_a_lingering_job_files_with_the_staff_as_they_are_now(web, redis, made):
	"""A job that stays to file what arrives reads users and rules afresh for each delivery, as a
	new request would: an operator added while it lingers gets the next missed call's task."""
	with workers(1, redis.url):
		assert status_of(call(web, f"bg-{RUN}-warm-1", "ringing", phone="+79169993001")) == "received"
		settled(made.since)  # filed; the job lingers, warm, with the operators it read
		operator = make_user("Auto Service Operator")
		frappe.db.commit()
		try:
			assert status_of(call(web, f"bg-{RUN}-warm-2", "missed", phone="+79169993002")) == "received"
			settled(made.since)
			appeal = frappe.db.get_value("Appeal", {"call_log": f"bg-{RUN}-warm-2"}, "name")
			assert frappe.db.exists("ToDo", {"reference_name": appeal, "allocated_to": operator}), (
				"the operator added meanwhile has the missed call's task"
			)
		finally:
			frappe.db.delete("ToDo", {"allocated_to": operator})
			frappe.delete_doc("User", operator, force=True)
			frappe.db.commit()


def test_a_lingering_job_with_nothing_to_do_is_woken_by_the_next_delivery(web, redis, made):
	"""A job watching with nothing to do waits on the queue's Redis, not polling the database: the
	next webhook finds it idle, asks for no job, leaves a token that wakes it, and it files."""
	client = redis.client()
	with workers(1, redis.url):
		assert status_of(call(web, f"bg-{RUN}-wake-1", "ringing", phone="+79169993101")) == "received"
		settled(made.since)
		wait_for(lambda: client.keys("asc_intake_idle_filer|*"), 10, "the job idle, watching")
		jobs = sum(client.llen(key) for key in client.keys("rq:queue:*short"))
		assert status_of(call(web, f"bg-{RUN}-wake-2", "ringing", phone="+79169993102")) == "received"
		assert sum(client.llen(key) for key in client.keys("rq:queue:*short")) == jobs, (
			"no job asked for: the idle job files it"
		)
		settled(made.since, seconds=10)
		assert frappe.db.exists("Appeal", {"call_log": f"bg-{RUN}-wake-2"})
		wake = next(iter(client.keys("asc_intake_wake|*")), None)
		assert wake is None or client.llen(wake) == 0, "the token taken by the job it woke"


def filing_job_left(client) -> bool:
	"""No filing job on the roster, none watching idle."""
	roster = next(iter(client.keys("asc_intake_filers|*")), None)
	return (roster is None or client.zcard(roster) == 0) and not client.keys("asc_intake_idle_filer|*")


def rq_status(client, job_id: str) -> str | None:
	status = client.hget(f"rq:job:{frappe.local.site}::{job_id}", "status")
	return status.decode() if status else None


def test_a_lingering_job_leaves_its_worker_to_a_job_waiting_behind_it(web, redis, made):
	"""A filing job may stay a minute for the next delivery, but not while another job waits for
	its worker: a job of the default queue, which the worker also serves, runs within seconds, and
	the next delivery is filed by a job asked for anew."""
	client = redis.client()
	with lingering(60), workers(1, redis.url):
		assert status_of(call(web, f"bg-{RUN}-yield-1", "ringing", phone="+79169993201")) == "received"
		settled(made.since)
		wait_for(lambda: client.keys("asc_intake_idle_filer|*"), 10, "the job idle, lingering")
		job_id = f"asc-yield-{RUN}"
		enqueued = time.monotonic()
		enqueue_job(redis.url, "frappe.utils.background_jobs.test_job", queue="default", s=0, job_id=job_id)
		wait_for(lambda: rq_status(client, job_id) == "finished", 20, "the waiting job run")
		assert time.monotonic() - enqueued < 15, "it waited for a few seconds, not for the linger"
		wait_for(lambda: filing_job_left(client), 5, "the filing job gone")
		assert status_of(call(web, f"bg-{RUN}-yield-2", "ringing", phone="+79169993202")) == "received"
		settled(made.since, seconds=20)
		assert frappe.db.exists("Appeal", {"call_log": f"bg-{RUN}-yield-2"})


def test_a_lingering_job_leaves_when_its_worker_is_stopped(web, redis, made):
	"""A worker stopped (a warm shutdown, as a restart of the bench asks) waits for its job: a
	lingering filing job sees it and leaves within a second or two, rather than at the linger's end."""
	client = redis.client()
	with lingering(60), workers(1, redis.url) as started:
		assert status_of(call(web, f"bg-{RUN}-stop-1", "ringing", phone="+79169993301")) == "received"
		settled(made.since)
		wait_for(lambda: client.keys("asc_intake_idle_filer|*"), 10, "the job idle, lingering")
		stopping = time.monotonic()
		started[0].process.terminate()
		started[0].process.wait(timeout=20)
		assert time.monotonic() - stopping < 10, "the job left as the worker stopped"
		assert started[0].process.returncode == 0, "a warm shutdown, the job ended as it should"
		assert filing_job_left(client)


def test_a_filing_job_takes_no_delivery_once_most_of_its_time_is_spent(web, redis, made):
	"""rq kills a job that outlives its timeout, whatever it is filing: a filing job stops taking
	deliveries once most of its time is spent, and ends as a job that succeeded; the next delivery
	asks for a new one."""
	client = redis.client()
	job_id = f"asc-lifetime-{RUN}"
	with lingering(60), workers(1, redis.url):
		began = time.monotonic()
		enqueue_job(
			redis.url, "auto_service_crm.intake_queue.file_thread", thread=None, timeout=10, job_id=job_id
		)
		wait_for(lambda: client.keys("asc_intake_idle_filer|*"), 10, "the job started, lingering")
		assert status_of(call(web, f"bg-{RUN}-life-1", "ringing", phone="+79169993401")) == "received"
		settled(made.since, seconds=10)
		wait_for(lambda: rq_status(client, job_id) == "finished", 20, "the job ended")
		assert 7 < time.monotonic() - began < 15, "it ended once eight of its ten seconds were spent"
		assert status_of(call(web, f"bg-{RUN}-life-2", "ringing", phone="+79169993402")) == "received"
		settled(made.since, seconds=20)
		assert frappe.db.exists("Appeal", {"call_log": f"bg-{RUN}-life-2"})


def test_a_burst_asks_for_the_jobs_the_roster_lacks_and_they_file_every_delivery(web, redis, made):
	"""No job per delivery: once the jobs asked for are enough (two), a webhook asks for none, and
	those jobs, when a worker runs them, file every delivery kept meanwhile."""
	answers = [call(web, f"bg-{RUN}-burst-{n}", "ringing", phone=f"+7916999200{n}") for n in range(6)]
	assert [status_of(a) for a in answers] == ["received"] * 6
	client = redis.client()
	queued = sum(client.llen(key) for key in client.keys("rq:queue:*short"))
	assert queued == 2, f"{queued} jobs asked for six deliveries"
	worker = run_worker(redis.url)
	assert worker.returncode == 0, worker.stderr[-3000:]
	frappe.db.rollback()
	payloads = [a.json()["message"]["payload"] for a in answers]
	assert [frappe.db.get_value("Intake Payload", p, "status") for p in payloads] == ["Processed"] * 6
	assert client.zcard(next(iter(client.keys("asc_intake_filers|*")), b"none")) == 0, (
		"the jobs took themselves off the roster"
	)


def test_a_filings_realtime_events_reach_the_desk_in_frappes_order_and_form(web, redis, made, rule):
	"""A filing job publishes the events of its committed filing itself, in one round trip: the
	same messages Frappe publishes (the appeal's, its Communication's and ToDo's, the app's message
	event), on the channel Frappe's socket.io server reads, in the order they were kept."""
	import json

	pubsub = redis.client().pubsub(ignore_subscribe_messages=True)
	pubsub.subscribe("events")
	chat = 8_200_000_000 + int(RUN, 16) % 10**6
	try:
		with workers(1, redis.url):
			assert status_of(telegram(web, chat, 1, "Добрый день")) == "received"
			settled(made.since)
		events, deadline = [], time.time() + 5
		while time.time() < deadline:
			message = pubsub.get_message(timeout=0.5)
			if message:
				events.append(json.loads(message["data"]))
	finally:
		pubsub.close()
	[appeal] = frappe.get_all("Appeal", filters={"conversation_id": str(chat)}, pluck="name")
	said = [(e["event"], (e["message"] or {}).get("doctype"), e["room"]) for e in events]
	assert all(e["namespace"] == frappe.local.site for e in events)
	assert ("doc_update", "Appeal", f"doc:Appeal/{appeal}") in said
	assert ("list_update", "Communication", "doctype:Communication") in said
	mine = [s for s in said if s[0] == "auto_service_crm_appeal_message"]
	assert mine == [("auto_service_crm_appeal_message", None, f"doc:Appeal/{appeal}")], said
	assert said.index(("doc_update", "Appeal", f"doc:Appeal/{appeal}")) < said.index(
		("list_update", "ToDo", "doctype:ToDo")
	), "in the order the filing kept them"


def test_a_thread_another_job_files_is_not_among_the_waiting_threads(web, redis, made):
	"""A job looks only at the threads whose lock no other job holds (it would fail to take it):
	the lock's name, made in SQL, is the one a job takes, Cyrillic in the call's id too."""
	from auto_service_crm.intake_queue import file_one_thread, waiting_threads
	from auto_service_crm.locks import hold, lock_name, release

	response = call(web, f"bg-{RUN}-занят", "ringing")
	assert status_of(response) == "received"
	redis.client().flushall()  # the job asked for: no worker runs it here
	frappe.db.rollback()
	payload = response.json()["message"]["payload"]
	thread = frappe.db.get_value("Intake Payload", payload, "thread")
	assert "занят" in thread and thread in waiting_threads()
	lock = lock_name("thread", thread)
	assert hold(lock, 0)
	try:
		assert thread not in waiting_threads()
	finally:
		release(lock)
	assert thread in waiting_threads()
	assert file_one_thread(thread, wait=0) == [payload], "filed here, as a job files it"


def test_a_lost_job_is_made_good_by_the_sweep(web, redis, made):
	"""The queue's Redis restarted with the job in it: the delivery, kept, is filed by the minute's sweep."""
	response = call(web, f"bg-{RUN}-lost", "ringing")
	assert status_of(response) == "received"
	payload = response.json()["message"]["payload"]
	redis.client().flushall()  # the job is gone
	frappe.db.rollback()
	assert frappe.db.get_value("Intake Payload", payload, "status") == "Received", "kept, not filed"
	frappe.db.sql(
		"UPDATE `tabIntake Payload` SET `creation` = `creation` - INTERVAL 2 MINUTE WHERE `name` = %s",
		payload,
	)
	frappe.db.commit()
	enqueue_job(redis.url, "auto_service_crm.intake_queue.file_waiting")
	worker = run_worker(redis.url)  # the sweep, then the filing job it asks for
	assert worker.returncode == 0, worker.stderr[-3000:]
	frappe.db.rollback()
	assert frappe.db.get_value("Intake Payload", payload, "status") == "Processed"
	assert frappe.db.exists("Appeal", {"call_log": f"bg-{RUN}-lost"})


def test_assignees_left_waiting_are_told_by_the_teller_the_sweep_asks_for(web, redis, made):
	"""An assignee waits in the queue's Redis with no teller asked for (its job lost, say): the
	minute's sweep asks for one on the default queue, and it tells them once."""
	operator = make_user("Auto Service Operator")
	appeal = frappe.get_doc({"doctype": "Appeal", "channel": "Visit", "phone": "+79169991200"}).insert()
	frappe.flags.asc_assigned_later = []  # as a routing after a filing: telling put off
	try:
		todo = frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": operator,
				"reference_type": "Appeal",
				"reference_name": appeal.name,
				"description": "Позвонить клиенту",
			}
		).insert()
	finally:
		frappe.flags.asc_assigned_later = None
	frappe.db.commit()
	assert not told(todo.name)
	redis.client().rpush(f"asc_assignees_to_tell|{frappe.local.site}", todo.name)
	enqueue_job(redis.url, "auto_service_crm.intake_queue.file_waiting")
	worker = run_worker(redis.url, queue="short,default")  # the sweep, then the teller it asks for
	assert worker.returncode == 0, worker.stderr[-3000:]
	assert told(todo.name)
	assert redis.client().llen(f"asc_assignees_to_tell|{frappe.local.site}") == 0
	frappe.db.rollback()
	assert frappe.db.count("Email Queue", {"reference_doctype": "ToDo", "reference_name": todo.name}) == 1
	frappe.delete_doc("ToDo", todo.name, force=True)
	frappe.delete_doc("User", operator, force=True)
	frappe.db.commit()


def test_a_filing_that_fails_in_the_job_is_kept_failed_reported_and_replayed(web, redis, made):
	frappe.rename_doc("Appeal Channel", "Incoming Call", "Incoming Call Renamed", force=True)
	frappe.db.commit()
	try:
		with workers(1, redis.url) as started:
			response = call(web, f"bg-{RUN}-fails", "ringing")
			assert status_of(response) == "received"
			payload = response.json()["message"]["payload"]
			try:
				settled(made.since)
			except TimeoutError as e:
				raise AssertionError(started[0].output()[-3000:]) from e
		assert frappe.db.get_value("Intake Payload", payload, "status") == "Failed"
		assert not frappe.db.exists("Appeal", {"call_log": f"bg-{RUN}-fails"})
		assert frappe.get_all(
			"Error Log",
			filters={"reference_doctype": "Intake Payload", "reference_name": payload},
			pluck="name",
		), "the failure is in the Error Log with the payload's name"
	finally:
		frappe.db.rollback()
		frappe.rename_doc("Appeal Channel", "Incoming Call Renamed", "Incoming Call", force=True)
		frappe.db.commit()
	appeals = frappe.get_doc("Intake Payload", payload).replay()
	frappe.db.commit()
	assert frappe.db.get_value("Intake Payload", payload, ["status", "appeal"]) == ("Processed", appeals[0])
	frappe.db.delete("Error Log", {"reference_doctype": "Intake Payload", "reference_name": payload})
	frappe.db.commit()


def test_routing_reads_the_appeal_the_filing_made_unless_it_was_saved_since():
	"""The Assignment Rules read the document the filing made, loaded no second time; an appeal
	saved since through another document is read as it is now."""
	from auto_service_crm import routing
	from auto_service_crm.intake_filing import new_appeal

	try:
		with routing.deferred():
			appeal = new_appeal(
				channel="Chat", chat_platform="Telegram", conversation_id=f"bg-{RUN}-hand", client_name="Фон"
			)
		assert routing.document_for_routing(appeal.name) is appeal, "the filing's own document"
		other = frappe.get_doc("Appeal", appeal.name)
		other.client_comment = "Стучит подвеска"
		other.save(ignore_permissions=True)
		now = routing.document_for_routing(appeal.name)
		assert now is not appeal and now.client_comment == "Стучит подвеска", "read as it is now"
		with routing.deferred():
			assert routing.in_hand() == {}, "the next delivery starts with none in hand"
	finally:
		frappe.db.rollback()


def test_frappe_loads_of_an_appeal_being_routed_copy_the_document_in_hand():
	"""While the rules route an appeal, Frappe's own loads of it (its assignment, the assignment's
	comment) copy the filing's document in one query, not three: equal to the database's, with the
	columns Frappe writes around it (its assignees, its comments) read anew; a locking load, another
	appeal, or a load after the routing reads the database."""
	from auto_service_crm import routing
	from auto_service_crm.intake_filing import new_appeal

	try:
		with routing.deferred():
			appeal = new_appeal(
				channel="Chat", chat_platform="Telegram", conversation_id=f"bg-{RUN}-copy", client_name="Фон"
			)
		frappe.db.set_value("Appeal", appeal.name, "_assign", '["op@example.com"]', update_modified=False)
		frappe.local.asc_routed_appeal = appeal
		try:
			with sent() as statements:
				copy = frappe.get_doc("Appeal", appeal.name)
		finally:
			frappe.local.asc_routed_appeal = None
		assert len(statements) == 1, statements
		assert copy is not appeal and copy._assign == '["op@example.com"]', "read anew"
		stored = frappe.get_doc("Appeal", appeal.name)
		assert copy.as_dict() == stored.as_dict(), "as Frappe loads it"

		frappe.local.asc_routed_appeal = appeal
		try:
			with sent() as statements:
				frappe.get_doc("Appeal", appeal.name, for_update=True)
		finally:
			frappe.local.asc_routed_appeal = None
		assert len(statements) == 3, "a locking load reads the row and its two tables"
	finally:
		frappe.db.rollback()
