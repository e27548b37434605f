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
  incoming call ringing: Intake Payload, ERPNext Call Log, Appeal with identification by phone,
  ad channel from the dialled number, automatic category and the Assignment Rule's routing;
- ``form``: ``POST /api/method/auto_service_crm.api.website_form_submission``, a form with a name,
  phone, comment and UTM source: Intake Payload, Appeal with identification, automatic category,
  ad channel and routing.

80% of the phones are those of clients of the seeded history (seed_history.py: identified, with
their past appeals, Service Requests and orders), 20% new numbers. Every answer is checked (HTTP
200 and "processed", or the Issue's name). The kinds take turns in rounds (issue, call, form,
then the next round in another order), so that a slower moment of the machine falls on all.

Routing: the app's Assignment Rule «Appeals to Operators» round-robins every new appeal to an
operator; the script gives it three operators (bench-operator-N@example.com) and enables it,
unless --no-routing. What the run leaves in the rq queues for this site (assignment alerts) is
removed at the end, so that no worker of another site of the bench picks it up.

    env/bin/python apps/auto_service_crm/benchmarks/intake_rate.py --site asc-bench.localhost
"""

import json
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
	verdict,
)

import frappe

TARGET = 1.5
API_USER = "bench-api@example.com"
OPERATORS = [f"bench-operator-{n}@example.com" for n in (1, 2, 3)]
KINDS = ("issue", "routed issue", "call", "form")
ISSUE_RULE = "Bench Issues to Operators"
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
		elif kind == "call":
			body = {"call_id": f"bench-{run}-{n}", "event": "ringing", "from": phone, "to": TRACKED_NUMBER}
			headers = {**common, "X-Webhook-Token": SECRETS["telephony_token"]}
			out.append(("/api/method/auto_service_crm.api.call_event", body, headers, check_appeal))
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


def check_appeal(response) -> str | None:
	if response.status_code != 200 or response.json().get("message", {}).get("status") != "processed":
		return f"HTTP {response.status_code}: {response.text[:300]}"


def send(batch: list[tuple], clients: int) -> tuple[list[float], float, list[str]]:
	"""Send a batch from `clients` threads; the latencies, the wall time and the errors."""
	latencies, errors = [], []
	lock = threading.Lock()
	local = threading.local()

	def one(item):
		url, body, headers, check = item
		session = getattr(local, "session", None) or requests.Session()
		local.session = session
		start = time.perf_counter()
		response = session.post(url, data=body, headers=headers, timeout=60)
		elapsed = time.perf_counter() - start
		problem = check(response)
		with lock:
			latencies.append(elapsed)
			if problem:
				errors.append(problem)

	start = time.perf_counter()
	with ThreadPoolExecutor(max_workers=clients) as pool:
		list(pool.map(one, batch))
	return latencies, time.perf_counter() - start, errors


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


def stop_server(server) -> None:
	server.terminate()
	try:
		server.wait(timeout=30)
	except subprocess.TimeoutExpired:
		server.kill()


def drop_own_jobs(site: str) -> int:
	"""Remove the jobs this run queued for its site (rq job ids start with the site's name)."""
	from rq.job import Job

	from frappe.utils.background_jobs import get_queue_list, get_redis_conn

	conn = get_redis_conn()
	dropped = 0
	for queue in get_queue_list(build_queue_name=True):
		key = f"rq:queue:{queue}"
		for job_id in [j.decode() for j in conn.lrange(key, 0, -1)]:
			if job_id.startswith(f"{site}::"):
				conn.lrem(key, 0, job_id)
				try:
					Job.fetch(job_id, connection=conn).delete()
				except Exception:
					pass
				dropped += 1
	return dropped


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
	p.add_argument("--no-routing", action="store_true", help="leave the Assignment Rule disabled")
	args = p.parse_args()

	connect(args.site)
	print(f"machine: {machine()}")
	prepare_site()
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
	run = frappe.generate_hash(length=6)
	results = {}
	try:
		for kind in KINDS:
			set_issue_routing(kind == "routed issue")
			_lat, _wall, errors = send(requests_for(kind, args.warmup, base, args.site, token, f"{run}w"), 1)
			if errors:
				raise SystemExit(f"{kind} fails: {errors[0]}")
		for clients in args.clients:
			per_round = max(1, args.requests // args.rounds)
			found = {kind: {"lat": [], "wall": 0.0, "errors": []} for kind in KINDS}
			for r in range(args.rounds):
				order = KINDS[r % len(KINDS) :] + KINDS[: r % len(KINDS)]
				for kind in order:
					set_issue_routing(kind == "routed issue")
					batch = requests_for(kind, per_round, base, args.site, token, f"{run}c{clients}r{r}")
					lat, wall, errors = send(batch, clients)
					found[kind]["lat"] += lat
					found[kind]["wall"] += wall
					found[kind]["errors"] += errors
			results[clients] = found
			report(clients, found)
	finally:
		set_issue_routing(False)
		if server:
			stop_server(server)
		print(f"\njobs of {args.site} left in the rq queues, removed: {drop_own_jobs(args.site)}")
		frappe.destroy()
	summary(results)


def report(clients: int, found: dict) -> None:
	rows = []
	for kind in KINDS:
		s = summary_ms(found[kind]["lat"])
		rps = s["n"] / found[kind]["wall"]
		found[kind]["stats"] = {**s, "rps": rps}
		rows.append([kind, s["n"], len(found[kind]["errors"]), rps, s["mean"], s["p50"], s["p95"]])
	print_table(
		["kind", "requests", "errors", "req/s", "mean ms", "p50 ms", "p95 ms"],
		rows,
		f"Intake through HTTP, {clients} concurrent client(s)",
	)
	for kind in KINDS:
		for problem in found[kind]["errors"][:3]:
			print(f"  {kind} error: {problem}")


def summary(results: dict) -> None:
	for baseline, title in (
		("issue", "An appeal against a bare Issue (target: at most 1.5x)"),
		("routed issue", "An appeal against an Issue routed the same way (what the app itself adds)"),
	):
		rows = []
		for clients, found in results.items():
			base = found[baseline]["stats"]
			for kind in ("call", "form"):
				s = found[kind]["stats"]
				rows.append(
					[
						f"{kind} / {baseline}",
						clients,
						verdict(s["p50"] / base["p50"], TARGET),
						verdict(s["p95"] / base["p95"], TARGET),
						verdict(base["rps"] / s["rps"], TARGET),
					]
				)
		print_table(
			["ratio", "clients", "p50 latency", "p95 latency", "time per appeal (1/throughput)"], rows, title
		)


if __name__ == "__main__":
	sys.exit(main())
