"""Filing a kept delivery in a background job: the webhook answers once the payload is safe.

A PBX or a messenger needs a fast 200; the operator needs the appeal a moment later. The webhook
keeps the delivery (the Intake Payload with its unique dedupe key), commits, asks for a job and
answers. The job files it: identification, automatic category, Call Log, alerts, then routing in
a transaction of its own.

The rules that hold:

- **Order.** The deliveries of one call (or one chat) are its *thread*. A job files the
  thread's waiting deliveries one by one, oldest first, holding a named lock on the thread, so
  that with several workers the events of a call are still filed in the order they were
  received. Keeping takes a short lock of its own on the thread, so the order received (the
  payload's creation) is the order committed, and a job never files a later event before an
  earlier one is visible to it.
- **Once.** The dedupe key is unique; a delivery filed already answers "duplicate"; a job finds
  only payloads still *Received*, locked for update.
- **Nothing lost.** A filing that fails leaves the payload Failed and replayable, as an inline
  filing does. A transient failure (a deadlock, the database away) puts it back to Received for
  the next attempt, up to ``ATTEMPTS``. A job Redis lost, or a worker that died, is made good
  by the minute's sweep (``file_waiting``). With the queue's Redis down the webhook files the
  delivery there and then, as before.
"""

import time
from datetime import timedelta

import redis

import frappe
from frappe.utils import now_datetime

from auto_service_crm.locks import hold, hold_for_transaction, lock_name, release

ATTEMPTS = 3  # transient failures of one payload before it stays Failed
THREAD_LOCK_SECONDS = 120  # how long a job waits for another job filing the same thread
KEEP_LOCK_SECONDS = 10
WAITING_AFTER = timedelta(seconds=30)  # a payload still Received after this is filed by the sweep
QUEUE = "short"
LINGER_SECONDS = 2.0  # a filing job stays this long after its last filing (see ``linger``)
POLL_SECONDS = 0.01
IDLE_KEY = "asc_intake_idle_filer"


def thread_of(endpoint, events: list) -> str | None:
	"""The call or chat a delivery belongs to: the provider's vendor and the call's id (a call's
	events, its summary, recording and command results share it) or the chat's conversation."""
	vendor = endpoint.provider.split(":")[0]
	for event in events:
		conversation = getattr(event, "conversation_id", None)
		if conversation:
			return f"{vendor}:chat:{conversation}"[:140]
		if getattr(event, "external_id", None):
			return f"{vendor}:call:{event.external_id}"[:140]
	return None


def keeping(thread: str | None):
	"""Serialize keeping within a thread until the keeping transaction ends (see the module). Not
	free in time: kept all the same, the order of two deliveries a moment apart is the lesser evil."""
	if thread:
		hold_for_transaction(lock_name("keep", thread), KEEP_LOCK_SECONDS)


def ask_for_filing(thread: str) -> bool:
	"""Have the thread's waiting deliveries filed: by a lingering job watching with nothing to do,
	else by a job asked for here; False when the queue is unreachable."""
	return idle_filer() or enqueue_thread(thread)


def enqueue_thread(thread: str) -> bool:
	"""Ask a worker to file the thread's waiting deliveries; False when the queue is unreachable."""
	try:
		frappe.enqueue(
			"auto_service_crm.intake_queue.file_thread",
			queue=QUEUE,
			thread=thread,
			deduplicate=False,
		)
	except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as e:
		frappe.logger("auto_service_crm").warning(f"queue unreachable ({e}): thread {thread} filed inline")
		return False
	return True


def file_thread(thread: str) -> list[str]:
	"""Every waiting delivery of the thread, oldest first, each in its own transaction; then, if it
	filed any, the deliveries of any thread that arrive in the next ``LINGER_SECONDS`` (``linger``)."""
	filed = file_one_thread(thread, wait=THREAD_LOCK_SECONDS)
	if filed is None:
		# the job holding it files every waiting delivery of the thread before it lets go
		frappe.logger("auto_service_crm").info(f"thread {thread}: left to the job filing it")
		return []
	# a job that found its deliveries filed already (by a lingering one) ends at once
	return filed + linger() if filed else filed


def file_one_thread(thread: str, wait: int) -> list[str] | None:
	"""The thread's waiting deliveries, under its lock; None when another job holds it."""
	lock = lock_name("thread", thread)
	if not hold(lock, wait):
		return None
	filed = []
	try:
		while True:
			frappe.db.rollback()  # a new snapshot: it sees deliveries committed since
			name = frappe.db.get_value(
				"Intake Payload", {"thread": thread, "status": "Received"}, "name", order_by="creation asc"
			)
			if not name:
				break
			status = file_payload(name)
			if status == "Received":
				break  # a transient failure: the sweep tries again; later events wait behind it
			filed.append(name)
	finally:
		release(lock)
	return filed


def linger() -> list[str]:
	"""Stay a moment and file what arrives meanwhile, whatever its thread.

	rq's worker runs every job in a new process forked from it: the process imports the app and
	warms its caches for that one job (about 0.4 s before a call is filed, against 50 ms in a warm
	process). A filing job that has just finished stays ``LINGER_SECONDS`` watching the waiting
	deliveries (an index lookup every ``POLL_SECONDS``) and files them in this warm process, each
	thread under its lock as above. While it watches with nothing to do it says so in Redis
	(``IDLE_KEY``), and a webhook that sees it asks for no job: the delivery is this job's. Before it
	ends it takes that back and looks once more, so a delivery that counted on it is never left to
	wait (a job killed while idle leaves its deliveries of the last second to the sweep). Under a
	steady stream of calls the cold start is paid once per burst, not per call.
	"""
	filed = []
	idle_since = time.monotonic()
	while True:
		took = False
		for thread in waiting_threads():
			idle(False)
			done = file_one_thread(thread, wait=0)  # a thread another job files is left to it
			if done:
				filed += done
				took = True
		if took:
			idle_since = time.monotonic()
			continue
		if time.monotonic() - idle_since >= LINGER_SECONDS:
			idle(False)
			if any(file_one_thread(thread, wait=0) for thread in waiting_threads()):
				idle_since = time.monotonic()  # a delivery arrived as it was leaving
				continue
			return filed
		idle(True)
		time.sleep(POLL_SECONDS)


def waiting_threads() -> list[str]:
	"""The threads of the oldest waiting deliveries (the index (status, creation): a short range)."""
	frappe.db.rollback()  # a new snapshot: it sees deliveries committed since
	rows = frappe.db.sql(
		"""SELECT `thread` FROM `tabIntake Payload` WHERE `status` = 'Received'
		AND `thread` IS NOT NULL ORDER BY `creation` LIMIT 5"""
	)
	return list(dict.fromkeys(row[0] for row in rows))


def idle(on: bool) -> None:
	"""A lingering job watching with nothing to do (``linger``), for a second unless renewed."""
	try:
		key = frappe.cache.make_key(IDLE_KEY)
		frappe.cache.set(key, 1, ex=1) if on else frappe.cache.delete(key)
	except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
		pass


def idle_filer() -> bool:
	"""Whether a lingering filing job is watching for deliveries with nothing to do."""
	try:
		return bool(frappe.cache.get(frappe.cache.make_key(IDLE_KEY)))
	except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
		return False


def file_payload(name: str) -> str:
	"""File one kept payload and commit; route what it filed in a transaction of its own."""
	from auto_service_crm import api, routing

	for attempt in range(api.DEADLOCK_ATTEMPTS):
		log = frappe.get_doc("Intake Payload", name, for_update=True)
		if log.status != "Received":
			frappe.db.commit()
			return log.status
		try:
			endpoint = api.endpoint_of(log.provider)
			events = api.parse_kept(endpoint, log)
			appeals = api.process(log, endpoint, events)
		except frappe.QueryDeadlockError:
			frappe.db.rollback()
			time.sleep(0.05 * (attempt + 1))
			continue
		except Exception:
			# outside what ``process`` keeps track of (the payload no longer reads, say): kept Failed
			error = frappe.get_traceback(with_context=False)
			frappe.db.rollback()
			frappe.db.set_value("Intake Payload", name, {"status": "Failed", "error": error})
			log.reload()
			api.report_failure(log)
			frappe.db.commit()
			return "Failed"
		if log.status == "Failed" and log.flags.transient and (log.attempts or 0) < ATTEMPTS:
			log.db_set("status", "Received", update_modified=False)  # the next attempt
		elif log.status == "Failed" and log.flags.transient:
			api.report_failure(log)
		frappe.db.commit()
		if log.status == "Processed":
			routing.route_filed(appeals)
			frappe.db.commit()
		return log.status
	frappe.db.rollback()
	return "Received"


def file_waiting() -> None:
	"""The sweep (every minute): threads with a delivery waiting longer than a job takes."""
	threads = frappe.get_all(
		"Intake Payload",
		filters={
			"status": "Received",
			"creation": ["<", now_datetime() - WAITING_AFTER],
			"thread": ["is", "set"],
		},
		pluck="thread",
		distinct=True,
		limit=500,
	)
	for thread in threads:
		enqueue_thread(thread)
