"""Intake speed through real HTTP: appeals per second and p50 / p95 latency of the call webhook and
the website form, against a bare ERPNext Issue created through REST on the same site, in one run;
and against the same Issue routed as an appeal is routed, which shows what the app's own work costs.

The script starts the site's production web server, gunicorn (``frappe.app:application``,
``--preload``, sync workers) on a loopback port (or uses --url), and sends from a few client
threads (each one request at a time, like providers retrying nothing):

- ``issue``: ``POST /api/resource/Issue`` with a subject and a description, authenticated with a
  user's API key and secret (``Authorization: token key:secret``): the baseline;
- ``routed issue``: the same Issue, with an Assignment Rule on Issue round-robining it to the same
  three operators and an ERPNext Service Level Agreement on Issue like the app's on Appeal (both
  made by the script, enabled only for these turns): the platform's routing without the app;
- ``call``: ``POST /api/method/auto_service_crm.api.call_event`` (``X-Webhook-Token``), a new
  incoming call ringing, timed until the webhook answers: it keeps the Intake Payload and answers
  «received»; a background job files it (auto_service_crm/intake_queue.py);
- ``call alone``: the same, with the rq workers stopped while it is sent (and the deliveries filed
  after its turn): the webhook's own cost, as the baselines' is (the Issue's own background jobs,
  its notification logs, are on the default queue, which no worker of this script runs), where
  ``call`` shares the cores with the jobs filing what it answered;
- ``call filed``: the same call timed until its payload is Processed: the ERPNext Call Log, the
  Appeal with identification by phone, ad channel from the dialled number, automatic category,
  and the call card sent to the operators (a call is routed to whoever answers it);
- ``chat routed``: a Telegram message of a new chat, timed until its appeal is filed and assigned
  by the Assignment Rule (routing runs after the filing, in a transaction of its own);
- ``form``: ``POST /api/method/auto_service_crm.api.website_form_submission``, a form with a name,
  phone, comment and UTM source, filed and routed before the answer (the website is answered with
  its appeal): Intake Payload, Appeal with identification, automatic category, ad channel, routing.

Each turn also reads the CPU time (from /proc) of what a delivery makes work: the gunicorn and rq
workers started here (with the jobs they fork), MariaDB, Redis and the client threads; the table
«CPU per delivery» divides it by the deliveries of the kind, their filing by the jobs included,
and says how busy the cores were meanwhile (a kind near 100% is bound by CPU, one far below it by
a lock).

The background kinds need rq workers of the bench: the script starts --rq-workers of them (bench
worker on the short queue) beside gunicorn, and stops them at the end; for the run, the site's
``auto_service_crm_intake_filers`` says as many, so that each worker has a filing job.

80% of the phones are those of clients of the seeded history (seed_history.py: identified, with
their past appeals, Service Requests and orders), 20% new numbers. Every answer is checked (HTTP
200 and "processed", or the Issue's name). The kinds take turns in rounds (issue, call, form,
then the next round in another order), so that a slower moment of the machine falls on all.

The «filed» and «routed» kinds are timed until the moment the site wrote down (the payload saved
Processed; the appeal's ToDo created by the Assignment Rule), which each client reads from its own
connection, polling every 10 ms before it sends its next delivery; their throughput is appeals
filed (and routed) per second, the wall time until the last one is. The observer shares the two
cores it measures (a poll every 2 ms from four clients took a fifth of them; every 10 ms, a
twentieth): a client waiting for a routed chat polls again when the site publishes a ToDo's
``list_update`` (Frappe's realtime, on the queue's Redis, once the routing is committed), and every
100 ms besides, rather than every 10 ms; when the chat was routed is read as before. Routing: the app's Assignment Rule «Appeals to Operators» round-robins every new appeal to an
operator; the script gives it three operators (bench-operator-N@example.com) and enables it,
unless --no-routing. What the run leaves in the rq queues for this site (assignment alerts) is
removed at the end, so that no worker of another site of the bench picks it up: Frappe's
notification logs of the assignments (the Issue's and the appeals') and the app's teller of the
appeals' assignees (``intake_queue.tell_assignees``), all on the default queue, which no worker of
this script runs; the assignees still waiting for it are counted and forgotten too.

    env/bin/python apps/auto_service_crm/benchmarks/intake_rate.py --site asc-bench.localhost
"""

import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from _bench import (
	BENCH,
	SECRETS,
	SITES,
	TRACKED_NUMBER,
	UTM_SOURCE,
	connect,
	machine,
	parser,
	prepare_site,
	print_table,
	summary_ms,
)

import frappe
from frappe.installer import update_site_config

API_USER = "bench-api@example.com"
OPERATORS = [f"bench-operator-{n}@example.com" for n in (1, 2, 3)]
KINDS = ("issue", "routed issue", "call", "call alone", "call filed", "chat routed", "form")
PAUSED = ("call alone",)  # kinds sent with the rq workers stopped: the webhook's own cost
# a kind timed until the database says it is filed: (SQL of "done" for the payload, its answer)
POLLED = {
	"call filed": """SELECT `modified` FROM `tabIntake Payload`
		WHERE `name` = %s AND `status` = 'Processed'""",
	"chat routed": """SELECT MIN(t.`creation`) FROM `tabIntake Payload` p
		JOIN `tabToDo` t ON t.`reference_type` = 'Appeal' AND t.`reference_name` = p.`appeal`
		WHERE p.`name` = %s AND p.`status` = 'Processed'""",
}
POLL_SECONDS = 0.01
FILERS_CONFIG = "auto_service_crm_intake_filers"  # site config: the filing jobs the webhooks count on
SITE_ZONE = {}  # the site's time zone: the naive timestamps the site writes are in it
ISSUE_RULE = "Bench Issues to Operators"
DATABASE = {}  # the site's database, for the client threads' own connections
ISSUE_SLA = "Bench Issue Response in 2 Hours"


def ensure_user(email: str, roles: list[str]) -> None:
	if frappe.db.exists("User", email):
		return
	user = frappe.get_doc(
		{"doctype": "User", "email": email, "first_name": email.split("@")[0], "send_welcome_email": 0}
	)
	user.append_roles(*roles)
	user.insert(ignore_permissions=True)


def api_token() -> str:
	"""Token auth of a System Manager with an API key (new secret each run)."""
	from frappe.core.doctype.user.user import generate_keys

	ensure_user(API_USER, ["System Manager", "Support Team"])
	secret = generate_keys(API_USER)["api_secret"]
	key = frappe.db.get_value("User", API_USER, "api_key")
	frappe.db.commit()
	return f"token {key}:{secret}"


def set_routing(on: bool) -> str:
	rule = frappe.db.get_value("Assignment Rule", {"document_type": "Appeal"}, "name")
	if not rule:
		return "no Assignment Rule on Appeal"
	doc = frappe.get_doc("Assignment Rule", rule)
	if on:
		for email in OPERATORS:
			ensure_user(email, ["Auto Service Operator"])
		have = {row.user for row in doc.users}
		for email in OPERATORS:
			if email not in have:
				doc.append("users", {"user": email})
	doc.disabled = 0 if on else 1
	doc.save(ignore_permissions=True)
	frappe.db.commit()
	return f"{rule}: {'on' if on else 'off'}, users {', '.join(row.user for row in doc.users) or '-'}"


def make_issue_routing() -> None:
	"""An Assignment Rule and an SLA on Issue, copies of the app's on Appeal, disabled."""
	if not frappe.db.exists("Assignment Rule", ISSUE_RULE):
		rule = frappe.copy_doc(frappe.get_doc("Assignment Rule", {"document_type": "Appeal"}))
		rule.update({"name": ISSUE_RULE, "document_type": "Issue", "disabled": 1, "close_condition": None})
		rule.assign_condition = 'status == "Open"'
		rule.set("users", [{"user": email} for email in OPERATORS])
		rule.insert(ignore_permissions=True)
	if not frappe.db.exists("Service Level Agreement", {"service_level": ISSUE_SLA}):
		sla = frappe.copy_doc(frappe.get_doc("Service Level Agreement", {"document_type": "Appeal"}))
		sla.update({"service_level": ISSUE_SLA, "document_type": "Issue", "enabled": 0, "condition": None})
		sla.set("sla_fulfilled_on", [{"status": "Resolved"}, {"status": "Closed"}])
		sla.set("pause_sla_on", [{"status": "On Hold"}])
		sla.insert(ignore_permissions=True)
	frappe.db.commit()


def set_issue_routing(on: bool) -> None:
	"""Issues routed (for the «routed issue» turns) or bare. Set in the database and the caches
	dropped as the documents' own clear_cache does: the workers keep writing the rule's last user,
	so a whole-document save would race them."""
	frappe.db.set_value("Assignment Rule", ISSUE_RULE, "disabled", 0 if on else 1, update_modified=False)
	sla = frappe.db.get_value("Service Level Agreement", {"service_level": ISSUE_SLA})
	frappe.db.set_value("Service Level Agreement", sla, "enabled", 1 if on else 0, update_modified=False)
	frappe.db.commit()
	frappe.get_doc("Assignment Rule", ISSUE_RULE).clear_cache()
	frappe.get_doc("Service Level Agreement", sla).clear_cache()


def phones(count: int) -> list[str]:
	"""80% phones of seeded clients (as they type them), 20% numbers no contact has."""
	known = frappe.db.sql(
		"""SELECT phone FROM `tabContact Phone` WHERE parenttype = 'Contact' AND name LIKE 'BN-KP-%%'
		ORDER BY name LIMIT 20000"""
	)
	rng = random.Random(7)
	picked = []
	for _ in range(count):
		if known and rng.random() < 0.8:
			picked.append(rng.choice(known)[0])
		else:
			picked.append(
				f"8 (812) {rng.randrange(100, 999)}-{rng.randrange(10, 99)}-{rng.randrange(10, 99)}"
			)
	return picked


def requests_for(kind: str, count: int, base: str, host: str, token: str, run: str) -> list[tuple]:
	"""(url, body, headers, check) for each request of a kind."""
	common = {"Host": host, "Content-Type": "application/json"}
	out = []
	for n, phone in enumerate(phones(count)):
		if kind in ("issue", "routed issue"):
			body = {"subject": f"Bench issue {run}-{n}", "description": f"Стучит подвеска, {phone}"}
			out.append(("/api/resource/Issue", body, {**common, "Authorization": token}, check_issue))
		elif kind in ("call", "call alone", "call filed"):
			body = {"call_id": f"bench-{run}-{n}", "event": "ringing", "from": phone, "to": TRACKED_NUMBER}
			headers = {**common, "X-Webhook-Token": SECRETS["telephony_token"]}
			out.append(("/api/method/auto_service_crm.api.call_event", body, headers, check_kept))
		elif kind == "chat routed":
			# a new chat: of this batch alone (a block of ids drawn from the batch's whole name)
			block = int(hashlib.sha256(run.encode()).hexdigest(), 16) % 10**8
			chat = 9_000_000_000 + block * 10_000 + n
			body = {
				"update_id": chat,
				"message": {
					"message_id": 1,
					"date": int(time.time()),
					"chat": {"id": chat, "type": "private"},
					"from": {"id": chat, "first_name": "Анна", "is_bot": False},
					"text": f"Здравствуйте, запишите на диагностику, {phone}",
				},
			}
			headers = {**common, "X-Telegram-Bot-Api-Secret-Token": SECRETS["telegram_secret_token"]}
			out.append(("/api/method/auto_service_crm.api.telegram_update", body, headers, check_kept))
		elif kind == "form":
			body = {
				"submission_id": f"bench-{run}-{n}",
				"name": "Анна",
				"phone": phone,
				"comment": "Запись на диагностику: стучит подвеска спереди",
				"form": "Запись на диагностику",
				"utm_source": UTM_SOURCE,
			}
			headers = {**common, "X-Webhook-Token": SECRETS["website_form_token"]}
			out.append(
				("/api/method/auto_service_crm.api.website_form_submission", body, headers, check_appeal)
			)
	return [(base + path, json.dumps(body).encode(), headers, check) for path, body, headers, check in out]


def check_issue(response) -> str | None:
	if response.status_code != 200 or not response.json().get("data", {}).get("name"):
		return f"HTTP {response.status_code}: {response.text[:300]}"


def check_kept(response) -> str | None:
	"""A call or chat webhook: kept and answered «received» (filed by a job after)."""
	if response.status_code != 200 or response.json().get("message", {}).get("status") != "received":
		return f"HTTP {response.status_code}: {response.text[:300]}"


def check_appeal(response) -> str | None:
	if response.status_code != 200 or response.json().get("message", {}).get("status") != "processed":
		return f"HTTP {response.status_code}: {response.text[:300]}"


def database():
	"""A connection of the client's own (autocommit: each poll sees what the workers committed)."""
	import pymysql

	return pymysql.connect(**DATABASE, autocommit=True)


# the kinds a client waits for with the site's realtime: (event, doctype of its message) that tells
PUBLISHED_WAKES = {"chat routed": ("list_update", "ToDo")}


class Published:
	"""Counts what the site publishes on Frappe's realtime channel (the queue's Redis ``events``)
	that says a kind's delivery may be done: a waiting client polls again when the count moves."""

	FALLBACK_SECONDS = 0.1

	def __init__(self):
		from frappe.utils.background_jobs import get_redis_conn

		self.seen = 0
		self.changed = threading.Condition()
		self.pubsub = get_redis_conn().pubsub(ignore_subscribe_messages=True)
		self.pubsub.subscribe("events")
		threading.Thread(target=self.listen, daemon=True).start()

	def listen(self):
		wakes = set(PUBLISHED_WAKES.values())
		for message in self.pubsub.listen():
			if b'"list_update"' not in message["data"]:
				continue  # most of what the site publishes: read no further
			try:
				data = json.loads(message["data"])
				said = (data.get("event"), (data.get("message") or {}).get("doctype"))
			except (ValueError, TypeError, AttributeError):
				continue
			if said in wakes:
				with self.changed:
					self.seen += 1
					self.changed.notify_all()

	def wait(self, since: int, seconds: float) -> None:
		with self.changed:
			self.changed.wait_for(lambda: self.seen != since, seconds)


def wakes(kind: str, published: Published | None) -> Published | None:
	"""What tells a client of this kind to poll again: the site's realtime, for the kinds it tells of."""
	return published if kind in PUBLISHED_WAKES else None


def wait_done(
	db, sql: str, payload: str, timeout: float = 60, published: Published | None = None
) -> tuple[str | None, float]:
	"""Wait until the delivery is done; the problem, if any, and when the site wrote it done (epoch).
	Polls every 10 ms, or, with ``published``, when the site's realtime tells (and 10 times a second)."""
	deadline = time.time() + timeout
	with db.cursor() as cursor:
		while time.time() < deadline:
			since = published.seen if published else 0
			cursor.execute(sql, (payload,))
			row = cursor.fetchone()
			if row and row[0]:
				return None, row[0].replace(tzinfo=SITE_ZONE["zone"]).timestamp()
			if published:
				published.wait(since, Published.FALLBACK_SECONDS)
			else:
				time.sleep(POLL_SECONDS)
	return f"payload {payload} not done after {timeout} s", time.time()


def drain(timeout: float = 300) -> None:
	"""Wait until the workers filed every delivery kept so far."""
	db = database()
	deadline = time.time() + timeout
	with db.cursor() as cursor:
		while time.time() < deadline:
			cursor.execute("SELECT COUNT(*) FROM `tabIntake Payload` WHERE `status` = 'Received'")
			if not cursor.fetchone()[0]:
				break
			time.sleep(0.05)
	db.close()


def send(
	batch: list[tuple], clients: int, polled: str | None = None, published: Published | None = None
) -> tuple[list[float], float, list[str]]:
	"""Send a batch from `clients` threads; the latencies, the wall time and the errors. With
	``polled``, each request is timed until the database says its delivery is done (polled when
	``published`` tells, if given)."""
	latencies, errors = [], []
	lock = threading.Lock()
	local = threading.local()

	def one(item):
		url, body, headers, check = item
		session = getattr(local, "session", None) or requests.Session()
		local.session = session
		if polled and not getattr(local, "db", None):
			local.db = database()
		start = time.time()
		response = session.post(url, data=body, headers=headers, timeout=60)
		problem, done = check(response), time.time()
		if polled and not problem:
			payload = response.json()["message"]["payload"]
			problem, done = wait_done(local.db, polled, payload, published=published)
		with lock:
			latencies.append(done - start)
			finished.append(done)
			if problem:
				errors.append(problem)

	finished = []
	start = time.time()
	with ThreadPoolExecutor(max_workers=clients) as pool:
		list(pool.map(one, batch))
	return latencies, max(finished) - start, errors


CPU_GROUPS = ("gunicorn", "rq jobs", "MariaDB", "Redis", "clients")


def process_cpu(server, rq_workers: list) -> dict[str, float]:
	"""CPU seconds used so far (user and system, from /proc) by what a delivery makes work: the
	gunicorn started here (master and workers), the rq workers started here with the jobs they fork
	(living, or reaped into their worker's children's time), the MariaDB and Redis servers, and
	this script's client threads."""
	tick = os.sysconf("SC_CLK_TCK")
	stats, parent = {}, {}
	for entry in os.listdir("/proc"):
		if not entry.isdigit():
			continue
		try:
			head, _, rest = Path(f"/proc/{entry}/stat").read_text().rpartition(")")
		except OSError:
			continue
		fields = rest.split()
		pid = int(entry)
		parent[pid] = int(fields[1])
		stats[pid] = (head.partition("(")[2], sum(int(v) for v in fields[11:15]) / tick)
	roots = {server.pid: "gunicorn"} if server else {}
	roots.update({worker.pid: "rq jobs" for worker in rq_workers})
	used = dict.fromkeys(CPU_GROUPS, 0.0)
	for pid, (name, seconds) in stats.items():
		ancestor = pid
		while ancestor not in roots and ancestor > 1:
			ancestor = parent.get(ancestor, 0)
		if ancestor in roots:
			used[roots[ancestor]] += seconds
		elif name == "mariadbd":
			used["MariaDB"] += seconds
		elif name == "redis-server":
			used["Redis"] += seconds
	used["clients"] = time.process_time()
	return used


def start_server(site: str, port: int, workers: int):
	log = tempfile.NamedTemporaryFile(prefix="asc-bench-gunicorn-", suffix=".log", delete=False)
	server = subprocess.Popen(
		[
			str(BENCH / "env" / "bin" / "gunicorn"),
			"-b",
			f"127.0.0.1:{port}",
			"-w",
			str(workers),
			"-t",
			"120",
			"--preload",
			"frappe.app:application",
		],
		cwd=SITES,
		stdout=log,
		stderr=subprocess.STDOUT,
		start_new_session=True,
	)
	url = f"http://127.0.0.1:{port}"
	deadline = time.time() + 90
	while time.time() < deadline:
		try:
			if requests.get(f"{url}/api/method/ping", headers={"Host": site}, timeout=2).ok:
				return server, url, log.name
		except requests.ConnectionError:
			time.sleep(0.5)
		if server.poll() is not None:
			break
	server.kill()
	raise SystemExit("gunicorn did not start: " + Path(log.name).read_text()[-3000:])


def start_rq_workers(count: int) -> list:
	"""`bench worker` on the short queue: the background jobs filing calls and chats."""
	return [
		subprocess.Popen(
			[
				str(BENCH / "env" / "bin" / "python"),
				"-m",
				"frappe.utils.bench_helper",
				"frappe",
				"worker",
				"--queue",
				"short",
			],
			cwd=SITES,
			stdout=subprocess.DEVNULL,
			stderr=subprocess.DEVNULL,
			start_new_session=True,
		)
		for _ in range(count)
	]


def pause(workers: list, on: bool) -> None:
	"""Stop (or continue) the rq workers and the jobs they run (each worker's process group)."""
	import os
	import signal

	for worker in workers:
		os.killpg(worker.pid, signal.SIGSTOP if on else signal.SIGCONT)


def stop_server(server) -> None:
	server.terminate()
	try:
		server.wait(timeout=30)
	except subprocess.TimeoutExpired:
		server.kill()


def forget_assignees_waiting() -> int:
	"""Empty the list of assignees waiting for the teller: how many were in it."""
	from auto_service_crm.intake_queue import TELL_KEY, queue_redis, site_key

	conn, key = queue_redis(), site_key(TELL_KEY)
	waiting = conn.llen(key)
	conn.delete(key)
	return waiting


def drop_own_jobs(site: str) -> dict:
	"""Remove the jobs this run queued for its site (rq job ids start with the site's name): how
	many of each method."""
	from collections import Counter

	from rq.job import Job

	from frappe.utils.background_jobs import get_queue_list, get_redis_conn

	conn = get_redis_conn()
	dropped = Counter()
	for queue in get_queue_list(build_queue_name=True):
		key = f"rq:queue:{queue}"
		for job_id in [j.decode() for j in conn.lrange(key, 0, -1)]:
			if job_id.startswith(f"{site}::"):
				conn.lrem(key, 0, job_id)
				method = "?"
				try:
					job = Job.fetch(job_id, connection=conn)
					method = str(job.kwargs.get("job_name") or job.kwargs.get("method") or job.func_name)
					job.delete()
				except Exception:
					pass
				dropped[f"{queue.split(':')[-1]}: {method}"] += 1
	return dict(dropped)


def main():
	p = parser(__doc__)
	p.add_argument("--port", type=int, default=8021, help="loopback port for gunicorn (default 8021)")
	p.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
	p.add_argument("--clients", type=int, nargs="+", default=[1, 4], help="concurrent clients (default 1 4)")
	p.add_argument(
		"--requests", type=int, default=240, help="requests per kind and concurrency (default 240)"
	)
	p.add_argument("--rounds", type=int, default=4, help="turns the kinds take (default 4)")
	p.add_argument("--warmup", type=int, default=20, help="untimed requests per kind first (default 20)")
	p.add_argument("--url", help="use this running server of the site instead of starting gunicorn")
	p.add_argument("--rq-workers", type=int, default=2, help="rq workers filing calls and chats (default 2)")
	p.add_argument("--no-routing", action="store_true", help="leave the Assignment Rule disabled")
	p.add_argument(
		"--kinds", nargs="+", choices=KINDS, default=list(KINDS), help="the kinds to send (default all)"
	)
	args = p.parse_args()
	kinds = tuple(kind for kind in KINDS if kind in args.kinds)

	connect(args.site)
	from zoneinfo import ZoneInfo

	from frappe.utils import get_system_timezone

	SITE_ZONE["zone"] = ZoneInfo(get_system_timezone())
	DATABASE.update(
		host=frappe.conf.db_host or "127.0.0.1",
		port=int(frappe.conf.db_port or 3306),
		user=frappe.conf.db_user or frappe.conf.db_name,
		password=frappe.conf.db_password,
		database=frappe.conf.db_name,
	)
	print(f"machine: {machine()}")
	prepare_site()
	filers = frappe.conf.get(FILERS_CONFIG)
	update_site_config(FILERS_CONFIG, args.rq_workers)  # the webhooks count on as many filing jobs
	token = api_token()
	routing = set_routing(not args.no_routing)
	make_issue_routing()
	set_issue_routing(False)
	history = frappe.db.sql("SELECT COUNT(*) FROM `tabAppeal`")[0][0]
	contacts = frappe.db.sql("SELECT COUNT(*) FROM `tabContact Phone`")[0][0]
	print(f"history: {history:,} appeals, {contacts:,} contact phones; routing: {routing}")
	frappe.db.commit()

	server = None
	if args.url:
		base = args.url.rstrip("/")
	else:
		server, base, log = start_server(args.site, args.port, args.workers)
		print(f"gunicorn: {args.workers} sync workers on {base} (log {log})")
	published = Published() if any(kind in PUBLISHED_WAKES for kind in kinds) else None
	rq_workers = start_rq_workers(args.rq_workers)
	print(f"rq workers (short queue): {args.rq_workers}")
	run = frappe.generate_hash(length=6)
	results = {}
	try:
		for kind in kinds:
			set_issue_routing(kind == "routed issue")
			batch = requests_for(kind, args.warmup, base, args.site, token, f"{run}w{KINDS.index(kind)}")
			_lat, _wall, errors = send(batch, 1, POLLED.get(kind), wakes(kind, published))
			if errors:
				raise SystemExit(f"{kind} fails: {errors[0]}")
		for clients in args.clients:
			per_round = max(1, args.requests // args.rounds)
			found = {
				kind: {
					"lat": [],
					"wall": 0.0,
					"errors": [],
					"cpu": dict.fromkeys(CPU_GROUPS, 0.0),
					"busy": 0.0,
				}
				for kind in kinds
			}
			for r in range(args.rounds):
				order = kinds[r % len(kinds) :] + kinds[: r % len(kinds)]
				for kind in order:
					set_issue_routing(kind == "routed issue")
					batch = requests_for(
						kind, per_round, base, args.site, token, f"{run}c{clients}r{r}k{KINDS.index(kind)}"
					)
					pause(rq_workers, kind in PAUSED)
					before, began = process_cpu(server, rq_workers), time.time()
					try:
						lat, wall, errors = send(batch, clients, POLLED.get(kind), wakes(kind, published))
					finally:
						pause(rq_workers, False)  # a stopped worker would not stop when told
					drain()  # the jobs of answered-only calls must not slow the next kind's turn
					after = process_cpu(server, rq_workers)
					for group in CPU_GROUPS:
						found[kind]["cpu"][group] += after[group] - before[group]
					found[kind]["busy"] += time.time() - began
					found[kind]["lat"] += lat
					found[kind]["wall"] += wall
					found[kind]["errors"] += errors
			results[clients] = found
			report(clients, found)
	finally:
		set_issue_routing(False)
		update_site_config(FILERS_CONFIG, filers if filers is not None else "None")
		for worker in rq_workers:
			stop_server(worker)
		if server:
			stop_server(server)
		left = drop_own_jobs(args.site)
		print(f"\njobs of {args.site} left in the rq queues, removed: {sum(left.values())}")
		for method, count in sorted(left.items(), key=lambda item: -item[1]):
			print(f"  {count:5}  {method}")
		print(f"assignees left for the default queue's teller, forgotten: {forget_assignees_waiting()}")
		frappe.destroy()
	summary(results)


def report(clients: int, found: dict) -> None:
	rows = []
	for kind in found:
		s = summary_ms(found[kind]["lat"])
		rps = s["n"] / found[kind]["wall"]
		found[kind]["stats"] = {**s, "rps": rps}
		rows.append([kind, s["n"], len(found[kind]["errors"]), rps, s["mean"], s["p50"], s["p95"]])
	print_table(
		["kind", "requests", "errors", "req/s", "mean ms", "p50 ms", "p95 ms"],
		rows,
		f"Intake through HTTP, {clients} concurrent client(s)",
	)
	cores = os.cpu_count() or 1
	rows = []
	for kind in found:
		n, cpu = len(found[kind]["lat"]), found[kind]["cpu"]
		total = sum(cpu.values())
		busy = total / (found[kind]["busy"] * cores) if found[kind]["busy"] else float("nan")
		rows.append([kind, *(1000 * cpu[group] / n for group in CPU_GROUPS), 1000 * total / n, f"{busy:.0%}"])
	print_table(
		["kind", *(f"{group} ms" for group in CPU_GROUPS), "total ms", "cores busy"],
		rows,
		f"CPU per delivery, {clients} concurrent client(s) (its filing by the jobs included)",
	)
	for kind in found:
		for problem in found[kind]["errors"][:3]:
			print(f"  {kind} error: {problem}")


# The issue's table: (kind, baseline, measure, target, higher is better)
TABLE = (
	("call", "issue", "p50", 1.3, False),
	("call", "issue", "rps", 1.0, True),
	("call alone", "issue", "p50", 1.3, False),
	("call alone", "issue", "rps", 1.0, True),
	("call filed", "routed issue", "p50", 1.0, False),
	("chat routed", "routed issue", "p50", 1.0, False),
	("call filed", "routed issue", "rps", 2.0, True),
	("chat routed", "routed issue", "rps", 2.0, True),
	("form", "routed issue", "p50", 1.0, False),
)


def summary(results: dict) -> None:
	rows = []
	for clients, found in results.items():
		for kind, baseline, measure, target, higher in TABLE:
			if (measure == "p50" and clients != min(results)) or (
				measure == "rps" and clients == min(results)
			):
				continue  # latency with one client, throughput with the most
			if kind not in found or baseline not in found:
				continue  # a kind not sent this run (--kinds)
			ours, theirs = found[kind]["stats"][measure], found[baseline]["stats"][measure]
			ratio = ours / theirs
			ok = ratio >= target if higher else ratio <= target
			what = "req/s" if measure == "rps" else "p50 ms"
			rows.append(
				[
					f"{kind} / {baseline}",
					clients,
					what,
					f"{ours:.1f} / {theirs:.1f}",
					f"{ratio:.2f}x",
					f"{'>=' if higher else '<='} {target}x",
					"met" if ok else "MISSED",
				]
			)
	print_table(
		["ratio", "clients", "measure", "ours / baseline", "ratio", "target", ""],
		rows,
		"The issue's intake figures, each against its baseline in this run",
	)


if __name__ == "__main__":
	sys.exit(main())
