"""Filing a kept delivery in a background job: the webhook answers once the payload is safe.

A PBX or a messenger needs a fast 200; the operator needs the appeal a moment later. The webhook
keeps the delivery (the Intake Payload with its unique dedupe key), commits, asks for a job and
answers. The job files it: identification, automatic category, Call Log, alerts, and routing as
the last step of the same transaction (``routing.route``).

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
from rq.queue import Queue

import frappe
from frappe.utils import now_datetime

from auto_service_crm import realtime, recurring_reads
from auto_service_crm.locks import hold, hold_for_transaction, lock_name, release

ATTEMPTS = 3  # transient failures of one payload before it stays Failed
THREAD_LOCK_SECONDS = 120  # how long a job waits for another job filing the same thread
KEEP_LOCK_SECONDS = 10
WAITING_AFTER = timedelta(seconds=30)  # a payload still Received after this is filed by the sweep
QUEUE = "short"
LINGER_SECONDS = 60.0  # a filing job stays this long after its last filing (see ``linger``)
LINGER_CONFIG = "auto_service_crm_intake_linger_seconds"  # site config: another time than that
YIELD_SECONDS = 2.0  # a job waiting this long for the filing job's worker makes it leave
LIFETIME_SHARE = 0.8  # of its rq timeout: a filing job takes no delivery after that (see ``Stay``)
POLL_SECONDS = 0.01  # with the queue's Redis away, a lingering job looks this often instead
WAKE_KEY = "asc_intake_wake"  # a token per delivery left to the lingering jobs: wakes one of them
WAKE_SECONDS = 1.0  # a lingering job waits this long at most for a token before it looks again
FILERS = 2  # filing jobs enough to file what arrives (see ``linger``)
ROSTER_KEY = "asc_intake_filers"
ROSTER_SECONDS = 5  # a filing job counts this long after it last said it files
START_SECONDS = 10  # a job asked for counts this long before it starts
IDLE_KEY = "asc_intake_idle_filer"
# Frappe's local cache entries of the schema, kept between a job's deliveries (``fresh_caches``)
SCHEMA_CACHES = ("db_tables", "app_hooks", "doctype_meta", "doctype_form_meta", "table_columns")
TEMPLATES_SECONDS = 60  # the new documents' templates are made again at least this often
TELL_KEY = "asc_assignees_to_tell"
TELL_QUEUE = "default"  # where Frappe tells an assignee too (its notification of the assignment)
TELLER = "asc_tell_assignees"  # the teller's job id: one waits in the queue at a time
TELL_AT_ONCE = 50
REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
DEFAULT_JOB_TIMEOUT = 300  # rq's timeout of a job of the short queue, unless the bench sets another


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


def ask_for_filing(thread: str | None) -> bool:
	"""Have the thread's waiting deliveries filed: by the filing jobs on the roster when there are
	enough of them (see ``linger``), else by a job asked for here; False when the queue is
	unreachable."""
	try:
		if enough_filers():
			wake()
			return True
	except REDIS_DOWN:
		return False
	return enqueue_thread(thread)


def enqueue_thread(thread: str | None) -> bool:
	"""Ask a worker to file the thread's waiting deliveries; False when the queue is unreachable.
	The job is on the roster from now: webhooks count it before it starts."""
	ticket = frappe.generate_hash(length=12)
	try:
		on_roster(ticket, START_SECONDS)
		frappe.enqueue(
			"auto_service_crm.intake_queue.file_thread",
			queue=QUEUE,
			thread=thread,
			ticket=ticket,
			deduplicate=False,
		)
	except REDIS_DOWN as e:
		frappe.logger("auto_service_crm").warning(f"queue unreachable ({e}): thread {thread} filed inline")
		return False
	return True


def file_thread(thread: str | None, ticket: str | None = None) -> list[str]:
	"""The thread's waiting deliveries, oldest first, each in its own transaction, then those of
	any thread that arrive while the job lingers (``linger``). A thread another job files is left
	to it: that job files every waiting delivery of it, and what arrives as it lets go is found
	here while lingering."""
	ticket = ticket or frappe.generate_hash(length=12)
	try:
		on_roster(ticket)
		filed = file_one_thread(thread, wait=0) if thread else None
		return (filed or []) + linger(ticket)
	finally:
		off_roster(ticket)


def file_one_thread(thread: str, wait: int) -> list[str] | None:
	"""The thread's waiting deliveries, under its lock; None when another job holds it."""
	lock = lock_name("thread", thread)
	if not hold(lock, wait):
		return None
	filed = []
	try:
		frappe.db.rollback()  # a new snapshot, taken under the lock: it sees what was filed before
		while True:
			name = frappe.db.get_value(
				"Intake Payload", {"thread": thread, "status": "Received"}, "name", order_by="creation asc"
			)
			if not name:
				break
			frappe.flags.asc_thread_held = thread
			try:
				status = file_payload(name)  # it ends its transaction: the next look has a new snapshot
			finally:
				frappe.flags.asc_thread_held = None
			if status == "Received":
				break  # a transient failure: the sweep tries again; later events wait behind it
			filed.append(name)
	finally:
		release(lock)
	return filed


def holds_conversation(conversation_id: str | None) -> bool:
	"""Whether this filing holds the thread lock of this chat conversation (``file_one_thread``):
	then no other filing makes the conversation's appeal meanwhile, and the delivery before this
	one of the thread is committed and seen."""
	held = frappe.flags.asc_thread_held
	return bool(held and conversation_id) and held.partition(":chat:")[2] == str(conversation_id)


def linger(ticket: str) -> list[str]:
	"""Stay a moment and file what arrives meanwhile, whatever its thread.

	rq's worker runs every job in a new process forked from it: the process imports the app and
	warms its caches for that one job (about 0.4 s before a call is filed, against 50 ms in a warm
	process). A filing job therefore stays, filing what waits in its warm process, each thread
	under its lock as above, for as long as ``Stay`` allows: a minute without a delivery
	(``LINGER_SECONDS``), while no other job waits for its worker and its worker is not stopping,
	and within its rq timeout. With nothing to file it blocks on the queue's Redis (``BLPOP`` of
	``WAKE_KEY``) until a webhook that left its delivery to the lingering jobs pushes a token
	(``wake``), or a second passes: a watching job costs nothing and starts on a delivery the
	moment it is committed, where looking every 10 ms cost each an index lookup and a write to
	Redis a hundred times a second.

	The jobs say so on a roster in the queue's Redis (``ROSTER_KEY``: each job's ticket, until
	when it counts), and a webhook asks for no job while ``FILERS`` jobs are on it, or one watches
	with nothing to do (``IDLE_KEY``): the delivery is theirs, and no process is forked to find it
	filed already. A job takes itself off the roster before its last look, so a delivery that
	counted on it is never left to wait; a job killed on it counts for ``ROSTER_SECONDS`` at most,
	and what it was counted for is left to the sweep.
	"""
	filed = []
	stay = Stay()
	idle_since = renewed = time.monotonic()
	while True:
		if time.monotonic() - renewed >= 1:
			on_roster(ticket)
			renewed = time.monotonic()
			if stay.over():
				return filed + last_look(ticket)
		took = file_waiting_threads()
		if took:
			filed += took
			idle_since = time.monotonic()
			continue
		if time.monotonic() - idle_since >= stay.idle_seconds:
			took = last_look(ticket)
			if not took:
				return filed
			filed += took  # work arrived as it was leaving: back on the roster
			on_roster(ticket)
			idle_since = renewed = time.monotonic()
			continue
		idle(True)
		wait_for_delivery(min(WAKE_SECONDS, stay.idle_seconds - (time.monotonic() - idle_since)))


def last_look(ticket: str) -> list[str]:
	"""Off the roster, then what waits filed: nothing that counted on this job is left waiting."""
	idle(False)
	off_roster(ticket)
	return file_waiting_threads()


class Stay:
	"""How long a filing job may linger (``linger``) in the rq job that runs it.

	A lingering job holds its worker: the other jobs of the worker's queues (Frappe's notification
	logs and the teller on a ``short,default`` worker, other sites' jobs) wait behind it, and rq
	kills a job that outlives its timeout, whatever it is doing. So the job leaves when a job has
	waited ``YIELD_SECONDS`` in one of those queues (about as long as they waited behind it when it
	lingered two seconds), when its worker is asked to stop (a warm shutdown waits for the job),
	and once ``LIFETIME_SHARE`` of its timeout is spent, so that no delivery is cut off in the
	middle of its filing; the next webhook asks for a new job. Read once a second, in one round
	trip to the queue's Redis (two while a job waits)."""

	def __init__(self):
		from rq import get_current_job

		configured = frappe.conf.get(LINGER_CONFIG)
		self.idle_seconds = float(LINGER_SECONDS if configured is None else configured)
		self.began = time.monotonic()
		self.lifetime = None
		self.worker_key = self.queue_keys = None
		job = get_current_job()
		if job is None:
			return  # not in an rq job (called directly): only the idle time counts
		self.lifetime = (job.timeout or DEFAULT_JOB_TIMEOUT) * LIFETIME_SHARE
		if job.worker_name:
			from rq.worker import Worker

			self.worker_key = Worker.redis_worker_namespace_prefix + job.worker_name
			try:
				names = queue_redis().hget(self.worker_key, "queues")
			except REDIS_DOWN:
				names = None
			self.queue_keys = [
				Queue.redis_queue_namespace_prefix + name
				for name in (names or b"").decode().split(",")
				if name
			]

	def over(self) -> bool:
		if self.lifetime is not None and time.monotonic() - self.began >= self.lifetime:
			return True
		if not self.worker_key:
			return False
		try:
			return self.asked_to_leave()
		except REDIS_DOWN:
			return False

	def asked_to_leave(self) -> bool:
		"""Its worker is stopping, or the oldest job of the worker's queues has waited
		``YIELD_SECONDS``."""
		from rq.job import Job
		from rq.utils import utcnow, utcparse

		conn = queue_redis()
		pipe = conn.pipeline(transaction=False)
		pipe.hget(self.worker_key, "shutdown_requested_date")
		for key in self.queue_keys:
			pipe.lindex(key, 0)
		stopping, *oldest = pipe.execute()
		if stopping:
			return True
		oldest = [job_id for job_id in oldest if job_id]
		if not oldest:
			return False
		pipe = conn.pipeline(transaction=False)
		for job_id in oldest:
			pipe.hget(Job.key_for(job_id.decode()), "enqueued_at")
		times = [utcparse(value.decode()) for value in pipe.execute() if value]
		return any((utcnow() - when).total_seconds() >= YIELD_SECONDS for when in times)


def tell_later(todos: list[str]) -> bool:
	"""Leave the assignment alerts of these ToDos to the teller (``tell_assignees``); False when
	the queue's Redis cannot take them (the caller tells them itself)."""
	if not todos:
		return True
	try:
		waiting = queue_redis().rpush(site_key(TELL_KEY), *todos)
	except REDIS_DOWN:
		return False
	if waiting == len(todos):
		# the list was empty: no teller is telling (one takes entries until none is left), ask for
		# one; else the one asked for with the first of them tells these too
		ask_for_teller()
	return True


def ask_for_teller() -> None:
	"""Have the teller tell the assignees waiting: a job of the *default* queue, one waiting at a
	time (it tells every assignee it finds, those that arrive while it runs too)."""
	try:
		frappe.enqueue(
			"auto_service_crm.intake_queue.tell_assignees",
			queue=TELL_QUEUE,
			job_id=TELLER,
			deduplicate=True,
		)
	except REDIS_DOWN:
		pass  # the list waits for the next appeal routed, or the minute's sweep


def tell_assignees() -> int:
	"""The teller: tell the assignees waiting (``tell_later``), oldest first, until none waits;
	how many ToDos were told.

	An assignee's alert is a Notification whose email is rendered with its styles inlined and kept
	as a Communication: it costs more than the routing itself. Told here, in a job of the queue
	where Frappe tells an assignee of the same assignment (its notification log and mail), it keeps
	neither the website's answer nor the filing of the next call or chat waiting behind it. Kept in
	the queue's Redis: a Redis that loses its data loses these alerts, never an appeal or its
	assignment. An entry that arrives as the teller ends is told by the next one, asked for by the
	next routing or by the minute's sweep (``file_waiting``)."""
	from auto_service_crm.alerts import tell_assigned

	told = 0
	while True:
		try:
			entries = queue_redis().lpop(site_key(TELL_KEY), TELL_AT_ONCE) or []
		except REDIS_DOWN:
			return told
		if not entries:
			return told
		# a ToDo's name (``time|name`` as an earlier version kept it, with the time it was put off)
		todos = [entry.decode().rpartition("|")[2] for entry in entries]
		fresh_caches()
		frappe.db.rollback()
		try:
			tell_assigned(todos)
			frappe.db.commit()
		except Exception:
			frappe.db.rollback()
			frappe.log_error(title=f"Assignees of {len(todos)} appeals could not be told")
		told += len(todos)


def assignees_waiting() -> int:
	"""How many ToDos wait for the teller."""
	return queue_redis().llen(site_key(TELL_KEY))


def file_waiting_threads() -> list[str]:
	"""Each waiting thread no other job files: what was filed."""
	filed = []
	for thread in waiting_threads():
		idle(False)
		filed += file_one_thread(thread, wait=0) or []  # a thread another job files is left to it
	return filed


def waiting_threads() -> list[str]:
	"""The threads of the oldest waiting deliveries (the index (status, creation): a short range)
	that no other job files: their lock (``lock_name("thread", …)``, made in SQL alike) is free."""
	frappe.db.rollback()  # a new snapshot: it sees deliveries committed since
	rows = frappe.db.sql(
		"""SELECT `thread` FROM `tabIntake Payload` WHERE `status` = 'Received'
		AND `thread` IS NOT NULL
		AND IS_FREE_LOCK(CONCAT('asc-thread-', SHA1(CONCAT(%s, ':', `thread`))))
		ORDER BY `creation` LIMIT 5""",
		(frappe.local.site,),
	)
	return list(dict.fromkeys(row[0] for row in rows))


def queue_redis():
	from frappe.utils.background_jobs import get_redis_conn

	return get_redis_conn()


def site_key(key: str) -> str:
	return f"{key}|{frappe.local.site}"


def on_roster(ticket: str, seconds: float | None = None) -> None:
	"""The job of ``ticket`` counts as filing for ``seconds`` (``ROSTER_SECONDS`` unless told)."""
	try:
		conn, key, now = queue_redis(), site_key(ROSTER_KEY), time.time()
		conn.zremrangebyscore(key, "-inf", now)  # jobs killed on it: their time is up
		conn.zadd(key, {ticket: now + (seconds or ROSTER_SECONDS)})
	except REDIS_DOWN:
		pass


def off_roster(ticket: str) -> None:
	try:
		queue_redis().zrem(site_key(ROSTER_KEY), ticket)
	except REDIS_DOWN:
		pass


def filers() -> int:
	"""The filing jobs on the roster whose time is not up (running, or asked for and not started)."""
	return queue_redis().zcount(site_key(ROSTER_KEY), f"({time.time()}", "+inf")


def enough_filers() -> bool:
	"""Whether a job on the roster will find a delivery committed before this: one watches with
	nothing to do, or ``FILERS`` are on it (read from the site's ``auto_service_crm_intake_filers``,
	as many as the short queue's workers are worth on its cores)."""
	if queue_redis().get(site_key(IDLE_KEY)):
		return True
	return filers() >= (frappe.conf.get("auto_service_crm_intake_filers") or FILERS)


def idle(on: bool) -> None:
	"""A lingering job watching with nothing to do (``linger``), for as long as it waits for a token
	and a second more, unless renewed. Taken back only by the job that said it (once)."""
	if not on and not getattr(frappe.local, "asc_said_idle", False):
		return
	try:
		conn, key = queue_redis(), site_key(IDLE_KEY)
		conn.set(key, 1, ex=int(WAKE_SECONDS) + 1) if on else conn.delete(key)
	except REDIS_DOWN:
		pass
	frappe.local.asc_said_idle = on


def wake() -> None:
	"""A token for the lingering jobs: one waiting for it wakes and files what waits (``linger``).
	The list keeps a few tokens, for a minute: tokens nobody took only make a job look once more."""
	try:
		pipe = queue_redis().pipeline(transaction=False)
		key = site_key(WAKE_KEY)
		pipe.rpush(key, 1).ltrim(key, -FILERS * 4, -1).expire(key, 60).execute()
	except REDIS_DOWN:
		pass  # the job looks again within WAKE_SECONDS


def wait_for_delivery(seconds: float) -> None:
	"""Until a webhook pushes a token (``wake``), or ``seconds`` pass."""
	if seconds <= 0:
		return
	try:
		queue_redis().blpop([site_key(WAKE_KEY)], timeout=seconds)
	except REDIS_DOWN:
		time.sleep(POLL_SECONDS)


def fresh_caches() -> None:
	"""Forget what Frappe keeps for one request (its local copies of cached values and documents,
	permissions): a lingering job files each delivery as a request of its own would, with the
	users, rules and settings as they are now.

	Only the local copies of the schema (DocType metadata, table columns, hooks: half the time of a
	filing, read again) stay while Frappe's ``metadata_version`` is the same: every change of a
	DocType, a custom field or the installed apps resets it. The templates of new documents (the
	fields' defaults, a query per DocType to make) stay with them, for ``TEMPLATES_SECONDS`` at
	most: a default changed in the settings reaches a job that files without a pause within that.
	The values the deliveries read again and again are read anew, in one round trip
	(``recurring_reads``)."""
	cache = frappe.local.cache
	schema = {key: value for key, value in cache.items() if cache_name(key) in SCHEMA_CACHES}
	read = recurring_reads.noted(cache, kept=schema.keys())
	frappe.local.cache = schema
	version = frappe.cache.get_value("metadata_version")
	made = getattr(frappe.local, "asc_templates_made", 0)
	if version != getattr(frappe.local, "asc_metadata_version", None):
		frappe.local.cache = {}
		frappe.local.asc_metadata_version = version
		made = 0
	learnt = getattr(frappe.local, "asc_recurring_reads", None)
	if time.monotonic() - made >= TEMPLATES_SECONDS:
		frappe.local.new_doc_templates = {}
		frappe.local.asc_templates_made = time.monotonic()
		learnt = None
	if learnt is None:
		learnt = frappe.local.asc_recurring_reads = {"before": None, "types": {}}
	reads = recurring_reads.recurring(learnt["before"], read)
	learnt["before"] = read
	frappe.local.role_permissions = {}
	frappe.local.valid_columns = {}
	if getattr(frappe.local, "document_cache", None):
		frappe.local.document_cache = {}
	recurring_reads.prefetch(frappe.cache, frappe.local.cache, reads, learnt["types"])


def cache_name(key) -> str:
	"""The name in a key of Frappe's cache (``<site's database>|<name>``)."""
	key = key.decode() if isinstance(key, bytes) else str(key)
	return key.split("|", 1)[-1]


def file_payload(name: str) -> str:
	"""File one kept payload, route what it filed as the filing's last step, and commit."""
	from auto_service_crm import api, routing

	fresh_caches()
	for attempt in range(api.DEADLOCK_ATTEMPTS):
		log = frappe.get_doc("Intake Payload", name, for_update=True)
		if log.status != "Received":
			frappe.db.commit()
			return log.status
		try:
			endpoint = api.endpoint_of(log.provider)
			events = api.parse_kept(endpoint, log)
			appeals = api.process(log, endpoint, events)
			assigned = routing.route(appeals) if log.status == "Processed" else []
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
		events = realtime.held()
		frappe.db.commit()
		realtime.publish(events)
		routing.tell(assigned, committed=True)
		return log.status
	frappe.db.rollback()
	return "Received"


def file_waiting() -> None:
	"""The sweep (every minute): deliveries waiting longer than a job takes get filing jobs again,
	as many as the roster lacks (each job lingers and files every waiting thread it finds), and
	assignees still waiting to be told get a teller."""
	threads = frappe.get_all(
		"Intake Payload",
		filters={
			"status": "Received",
			"creation": ["<", now_datetime() - WAITING_AFTER],
			"thread": ["is", "set"],
		},
		pluck="thread",
		distinct=True,
		order_by="creation asc",
		limit=FILERS,
	)
	for thread in threads:
		enqueue_thread(thread)
	try:
		if assignees_waiting():
			ask_for_teller()
	except REDIS_DOWN:
		pass
