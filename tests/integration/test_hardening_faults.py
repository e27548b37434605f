"""Faults while appeals arrive: the rq worker stopped, the queue's Redis down, the SMTP server
refusing mail, a deadlock with another delivery. Appeals are saved whatever fails, and the alerts
(Frappe's Notifications, queued as mail in the appeal's own transaction), callbacks and mails they
ask for are done once the part is back, or at once without it: none lost, none sent twice.

The site runs behind its own gunicorn on a throwaway Redis (FRAPPE_REDIS_QUEUE), which these tests
stop and start; the bench's Redis, shared with other sites and runs, is never touched.
"""

import email
import threading
import time
from email.header import decode_header, make_header

import pytest
from rq import Queue

import frappe
from frappe.model.naming import parse_naming_series
from frappe.utils.background_jobs import generate_qname

from tests.integration.services import (
	Gunicorn,
	LoopbackSMTP,
	ThrowawayRedis,
	enqueue_job,
	run_worker,
	site_secrets,
	site_session,
	wait_for,
)
from tests.integration.web import Committed, settled, workers

RUN = frappe.generate_hash(length=6)
SECRETS = {"website_form_token": "faults-form", "telephony_token": "faults-tel"}
SEND_MAIL = "frappe.email.doctype.email_queue.email_queue.send_mail"


@pytest.fixture(scope="module")
def redis(site):
	server = ThrowawayRedis()
	server.start()
	yield server
	server.close()


@pytest.fixture(scope="module")
def web(site, redis):
	with site_secrets(SECRETS):
		server = Gunicorn(workers=2, threads=2, redis_queue=redis.url)
		try:
			yield server
		finally:
			server.stop()


@pytest.fixture
def made(web, redis):
	"""What the server commits during a test, deleted after it, with the mail queued for it; the
	throwaway Redis is running again and empty for the next test."""
	record = Committed()
	yield record
	if not redis.process:
		redis.start()
	redis.client().flushall()
	frappe.db.rollback()
	appeals = frappe.get_all("Appeal", filters={"creation": [">=", record.since]}, pluck="name")
	mails = frappe.get_all("Email Queue", filters={"reference_name": ["in", appeals or [""]]}, pluck="name")
	frappe.db.delete("Email Queue Recipient", {"parent": ["in", mails or [""]]})
	frappe.db.delete("Email Queue", {"name": ["in", mails or [""]]})
	frappe.db.commit()
	record.clean()


def form(web, number: int, **fields):
	body = {
		"submission_id": f"faults-{RUN}-{number}",
		"name": "Ирина",
		"phone": f"+7916{int(RUN, 16) % 1000:03d}{number:04d}",
		**fields,
	}
	response = site_session().post(
		f"{web.url}/api/method/auto_service_crm.api.website_form_submission",
		json=body,
		headers={"X-Webhook-Token": SECRETS["website_form_token"]},
		timeout=60,
	)
	assert response.status_code == 200, response.text[:2000]
	answer = response.json()["message"]
	assert answer["status"] == "processed"
	[appeal] = answer["appeals"]
	return appeal


def short_queue(redis) -> Queue:
	return Queue(generate_qname("short"), connection=redis.client())


def queued_jobs(redis) -> list[str]:
	"""The methods of the jobs waiting in the short queue."""
	return [job.kwargs.get("method") for job in short_queue(redis).get_jobs()]


STARTED = {}


@pytest.fixture(scope="module", autouse=True)
def started(site):
	STARTED["at"] = frappe.utils.add_to_date(frappe.utils.now_datetime(), seconds=-1)


def queued_mail(appeal: str) -> list[frappe._dict]:
	"""This run's mail of the appeal: the naming series gives a deleted appeal's name again, and an
	earlier test's mail may still name it."""
	frappe.db.rollback()
	return frappe.get_all(
		"Email Queue",
		filters={"reference_doctype": "Appeal", "reference_name": appeal, "creation": [">=", STARTED["at"]]},
		fields=["name", "status", "retry", "error"],
	)


def recipients(mail: str) -> list[str]:
	return frappe.get_all("Email Queue Recipient", filters={"parent": mail}, pluck="recipient")


def test_with_the_worker_stopped_alerts_are_in_the_email_queue_at_once_and_once(web, redis, made):
	"""Frappe's Notification renders the alert in the request that saves the appeal and puts the mail
	into the Email Queue in its transaction: no rq worker is needed, and none sends it again."""
	appeals = [form(web, n, email=f"client{n}-{RUN}@example.com") for n in range(1, 4)]

	assert not any("alert" in (method or "") for method in queued_jobs(redis)), "no alert job waits"
	for n, appeal in enumerate(appeals, 1):
		[mail] = queued_mail(appeal)
		assert mail.status == "Not Sent" and recipients(mail.name) == [f"client{n}-{RUN}@example.com"]

	worker = run_worker(redis.url)  # whatever else waited in the queue: no second mail of an alert
	assert worker.returncode == 0, worker.stderr[-3000:]
	assert short_queue(redis).count == 0
	for appeal in appeals:
		assert len(queued_mail(appeal)) == 1


def test_with_redis_down_appeals_are_saved_and_no_alert_or_callback_is_lost(web, redis, made):
	redis.stop()
	# the client asks by email, and another asks to be called back: the callback needs the queue
	by_mail = form(web, 11, email=f"down-{RUN}@example.com")
	call_me = form(web, 12, mode="callback")

	frappe.db.rollback()
	assert frappe.db.get_value("Appeal", by_mail, "email") == f"down-{RUN}@example.com"
	[mail] = queued_mail(by_mail)  # rendered at once: the Notification does not use the queue
	assert recipients(mail.name) == [f"down-{RUN}@example.com"] and mail.status == "Not Sent"
	# nothing can dial without the queue: the operators have the task to call the client back
	assert frappe.db.get_value("Appeal", call_me, ["call_back", "callback_at"])[0] == 1
	assert frappe.get_all(
		"ToDo",
		filters={"reference_type": "Appeal", "reference_name": call_me, "status": "Open"},
		pluck="description",
	)
	assert set(
		frappe.get_all("Intake Payload", filters={"appeal": ["in", [by_mail, call_me]]}, pluck="status")
	) == {"Processed"}

	redis.start()  # back, empty: the next appeal's alert is queued as mail at once again
	after = form(web, 13, email=f"back-{RUN}@example.com")
	worker = run_worker(redis.url)
	assert worker.returncode == 0, worker.stderr[-3000:]
	assert [recipients(m.name) for m in queued_mail(after)] == [[f"back-{RUN}@example.com"]]
	assert len(queued_mail(by_mail)) == 1, "sent once, not again when the queue came back"


@pytest.fixture
def smtp(site):
	"""The site's outgoing account pointed at a loopback SMTP server for the test."""
	server = LoopbackSMTP()
	account = frappe.db.get_value(
		"Email Account", {"default_outgoing": 1}, ["name", "smtp_server", "smtp_port"], as_dict=True
	)
	frappe.db.set_value("Email Account", account.name, {"smtp_server": "127.0.0.1", "smtp_port": server.port})
	frappe.db.commit()
	frappe.clear_document_cache("Email Account", account.name)
	try:
		yield server
	finally:
		server.close()
		frappe.db.rollback()
		frappe.db.set_value(
			"Email Account",
			account.name,
			{"smtp_server": account.smtp_server, "smtp_port": account.smtp_port},
		)
		frappe.db.commit()
		frappe.clear_document_cache("Email Account", account.name)


def test_mail_refused_by_smtp_stays_queued_and_goes_out_once_it_accepts(web, redis, made, smtp):
	appeal = form(web, 21, email=f"smtp-{RUN}@example.com")
	assert run_worker(redis.url).returncode == 0
	[mail] = queued_mail(appeal)

	# Frappe's sending of a queued mail (what its scheduled flush does for each one), as a job of
	# the worker: the server refuses
	send_in_the_worker(redis, mail.name)
	[mail] = queued_mail(appeal)
	assert smtp.refused >= 1 and not smtp.messages
	assert (mail.status, mail.retry) == ("Not Sent", 1) and "421" in mail.error
	from frappe.email.queue import get_queue

	assert mail.name in {row.name for row in get_queue()}, "the next flush tries it again"

	smtp.accepting = True
	send_in_the_worker(redis, mail.name)
	[mail] = queued_mail(appeal)
	assert mail.status == "Sent"
	[(_sender, to, data)] = smtp.messages
	message = email.message_from_bytes(data)
	assert to == [f"smtp-{RUN}@example.com"]
	assert appeal in str(make_header(decode_header(message["Subject"])))


def send_in_the_worker(redis, mail: str):
	enqueue_job(redis.url, SEND_MAIL, email_queue_name=mail)
	assert short_queue(redis).count == 1
	worker = run_worker(redis.url)
	assert worker.returncode == 0, worker.stderr[-3000:]


def test_a_delivery_that_deadlocks_is_filed_again(web, redis, made):
	"""The database breaks a deadlock by undoing one transaction whole: the job filing a kept delivery
	files it again instead of leaving it half done or losing it."""
	series = parse_naming_series(frappe.get_meta("Appeal").get_field("naming_series").options.split("\n")[0])
	frappe.db.sql("INSERT IGNORE INTO `tabSeries` (`name`, `current`) VALUES (%s, 0)", series)
	frappe.db.commit()
	call_id = f"faults-{RUN}-deadlock"
	deadlocks = int(frappe.db.sql("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'")[0][1])
	with workers(1, redis.url):
		try:
			# This connection does much (so the database undoes the filing, not it) and holds the
			# counter that numbers appeals...
			for n in range(200):
				frappe.db.sql(
					"INSERT INTO `tabSeries` (`name`, `current`) VALUES (%s, 0)", f"asc-dl-{RUN}-{n}"
				)
			frappe.db.sql("SELECT `current` FROM `tabSeries` WHERE `name` = %s FOR UPDATE", series)
			response = site_session().post(
				f"{web.url}/api/method/auto_service_crm.api.call_event",
				json={"call_id": call_id, "event": "ringing", "from": "+79169990011"},
				headers={"X-Webhook-Token": SECRETS["telephony_token"]},
				timeout=120,
			)
			# ...the webhook answered once the payload was kept, whatever the filing waits for...
			assert response.status_code == 200, response.text[:2000]
			assert response.json()["message"]["status"] == "received"
			# ...the job holds the payload and waits for that counter...
			wait_for(lambda: waiting_for_the_counter(), 30, "the filing to wait for the appeal counter")
			# ...and this connection now wants the payload the job holds: a deadlock.
			frappe.db.sql(
				"SELECT `name` FROM `tabIntake Payload` WHERE `dedupe_key` = %s FOR UPDATE",
				f"generic:ringing:{call_id}",
			)
		finally:
			frappe.db.rollback()  # the counter is free: the filing, done again, goes on
		settled(made.since)
	assert int(frappe.db.sql("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'")[0][1]) > deadlocks
	assert frappe.get_all(
		"Intake Payload", filters={"dedupe_key": f"generic:ringing:{call_id}"}, pluck="status"
	) == ["Processed"]
	assert len(frappe.get_all("Appeal", filters={"call_log": call_id})) == 1


def waiting_for_the_counter() -> bool:
	"""Another connection of the site is blocked reading the appeal counter (its own threads are
	visible to the site's database user)."""
	return bool(
		frappe.db.sql(
			"""SELECT ID FROM information_schema.PROCESSLIST
			WHERE ID != CONNECTION_ID() AND DB = DATABASE() AND COMMAND = 'Query' AND INFO LIKE %s""",
			"SELECT `current` FROM `tabSeries`%",
		)
	)
