"""The time from the ringing webhook to the call card shown in the operator's browser, at the site's
present history, against the webhook's own answer time measured in the same run.

The site runs as `bench start` runs it in development: the web server (DEV_SERVER=1) and Frappe's
realtime server (``node apps/frappe/socketio.js``) beside it, and rq workers of the short queue (the
call is filed by a background job after the webhook's answer); an operator with a PBX line is logged in
to the desk in headless Chromium (Debian's), on the to-do list. For each call the script notes the
clock, posts «ringing» on the operator's line through the call webhook (the app's neutral contract),
and the page notes the moment the card appears (a MutationObserver, the same machine's clock); then
«ended» closes the card; the next call rings ``--gap`` seconds later. Prints p50 / p95 / max of both
and their ratio.

    env/bin/python apps/auto_service_crm/benchmarks/call_card_latency.py --site asc-bench.localhost
"""

import os
import shutil
import subprocess
import tempfile
import time

import requests
from _bench import BENCH, SECRETS, SITES, TRACKED_NUMBER, connect, machine, parser, percentile, prepare_site
from intake_rate import start_rq_workers, stop_server

import frappe

OBSERVE = """
window.__asc_cards = [];
new MutationObserver(() => {
	for (const card of document.querySelectorAll('.asc-call-card:not([data-seen])')) {
		card.setAttribute('data-seen', '1');
		window.__asc_cards.push({appeal: card.getAttribute('data-appeal'), at: Date.now()});
	}
}).observe(document.body, {childList: true, subtree: true});
"""


def free(port: int) -> bool:
	import socket

	with socket.socket() as s:
		return s.connect_ex(("127.0.0.1", port)) != 0


def wait_for(condition, timeout: float, what: str):
	deadline = time.time() + timeout
	while time.time() < deadline:
		value = condition()
		if value:
			return value
		time.sleep(0.01)
	raise SystemExit(f"timed out waiting for {what}")


def operator(line: str) -> tuple[str, str]:
	email = "bench-card-operator@example.com"
	password = "Bench-Card-" + frappe.generate_hash(length=8)
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": "Bench Card Operator",
				"send_welcome_email": 0,
				"user_type": "System User",
				"roles": [{"role": "Auto Service Operator"}],
			}
		).insert(ignore_permissions=True)
	user = frappe.get_doc("User", email)
	user.asc_phone_line = line
	user.asc_open_appeal_on_answer = 0  # the card, not a form opening, is what is timed
	user.new_password = password
	user.save(ignore_permissions=True)
	frappe.db.commit()
	return email, password


def main():
	p = parser(__doc__)
	p.add_argument("--calls", type=int, default=20)
	p.add_argument("--port", type=int, default=8051, help="the web server's port for this run")
	p.add_argument("--rq-workers", type=int, default=2, help="rq workers filing the calls (default 2)")
	p.add_argument(
		"--gap",
		type=float,
		default=0.3,
		help="seconds between a call's end and the next ringing (default 0.3; a station's calls are minutes apart)",
	)
	args = p.parse_args()
	connect(args.site)
	prepare_site()
	line = "bench-card-line"
	user, password = operator(line)
	history = frappe.db.count("Appeal")
	socketio_port = int(frappe.conf.socketio_port or 9000)
	for port in (args.port, socketio_port):
		if not free(port):
			raise SystemExit(f"port {port} is taken")
	env = {**os.environ, "FRAPPE_SITE": args.site, "DEV_SERVER": "1"}
	python = str(BENCH / "env" / "bin" / "python")
	logs = tempfile.mkdtemp(prefix="asc-card-bench-")
	web = subprocess.Popen(
		[
			python,
			"-m",
			"frappe.utils.bench_helper",
			"frappe",
			"--site",
			args.site,
			"serve",
			"--port",
			str(args.port),
			"--noreload",
		],
		cwd=SITES,
		env=env,
		stdout=open(f"{logs}/web.log", "w"),
		stderr=subprocess.STDOUT,
	)
	realtime = subprocess.Popen(
		["node", "apps/frappe/socketio.js"],
		cwd=BENCH,
		env=env,
		stdout=open(f"{logs}/socketio.log", "w"),
		stderr=subprocess.STDOUT,
	)
	rq_workers = start_rq_workers(args.rq_workers)
	base = f"http://127.0.0.1:{args.port}"
	driver = None
	try:
		wait_for(lambda: not free(args.port) and not free(socketio_port), 60, "the servers")
		wait_for(lambda: requests.get(f"{base}/api/method/ping", timeout=2).ok, 60, "the web server")
		from selenium import webdriver
		from selenium.webdriver.chrome.service import Service

		options = webdriver.ChromeOptions()
		options.binary_location = shutil.which("chromium")
		for flag in (
			"--headless=new",
			"--no-sandbox",
			"--disable-gpu",
			"--window-size=1440,900",
			"--lang=ru",
		):
			options.add_argument(flag)
		driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
		driver.get(f"{base}/login")
		driver.execute_async_script(
			"const done = arguments[arguments.length - 1];"
			"fetch('/api/method/login', {method: 'POST', headers: {'Content-Type': 'application/json'},"
			" body: JSON.stringify({usr: arguments[0], pwd: arguments[1]})}).then(r => done(r.status));",
			user,
			password,
		)
		driver.get(f"{base}/app/todo")
		wait_for(
			lambda: driver.execute_script(
				"return !!(window.frappe && frappe.realtime.socket && frappe.realtime.socket.connected)"
			),
			60,
			"the realtime connection",
		)
		driver.execute_script(OBSERVE)
		headers = {"X-Webhook-Token": SECRETS["telephony_token"]}
		run = frappe.generate_hash(length=6)
		webhook_ms, card_ms = [], []
		for i in range(args.calls):
			call_id = f"bench-card-{run}-{i}"
			body = {
				"call_id": call_id,
				"event": "ringing",
				"from": f"+7916{i:07d}",
				"to": TRACKED_NUMBER,
				"agent": line,
			}
			sent = time.time() * 1000
			response = requests.post(
				f"{base}/api/method/auto_service_crm.api.call_event", json=body, headers=headers, timeout=30
			)
			answered = time.time() * 1000
			response.raise_for_status()
			shown = wait_for(
				lambda: driver.execute_script("return window.__asc_cards.shift()"), 10, "the card"
			)
			webhook_ms.append(answered - sent)
			card_ms.append(shown["at"] - sent)
			requests.post(
				f"{base}/api/method/auto_service_crm.api.call_event",
				json={**body, "event": "ended", "talk_seconds": 1},
				headers=headers,
				timeout=30,
			).raise_for_status()
			time.sleep(args.gap)  # the call ends (its card closes) before the next one rings
		print(f"machine: {machine()}")
		print(
			f"site: {args.site}, {history} appeals before the run, {args.calls} calls on one operator's line,"
			f" {args.gap:g} s apart"
		)
		print(f"{'':32}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
		for label, values in (
			("webhook answered (baseline)", webhook_ms),
			("card shown in the browser", card_ms),
		):
			print(
				f"{label:32}{percentile(values, 50):>10.0f}{percentile(values, 95):>10.0f}{max(values):>10.0f}"
			)
		ratio = percentile(card_ms, 50) / percentile(webhook_ms, 50)
		print(
			f"card / webhook, p50: {ratio:.2f}x; card within a second: {sum(v <= 1000 for v in card_ms)}/{len(card_ms)}"
		)
	finally:
		if driver is not None:
			driver.quit()
		web.terminate()
		realtime.terminate()
		for worker in rq_workers:
			stop_server(worker)
		frappe.db.rollback()
		for name in frappe.get_all("Appeal", filters={"call_log": ["like", "bench-card-%"]}, pluck="name"):
			frappe.db.delete("ToDo", {"reference_name": name})
			frappe.delete_doc("Appeal", name, force=True, ignore_permissions=True)
		frappe.db.delete("Call Log", {"name": ["like", "bench-card-%"]})
		frappe.db.commit()


if __name__ == "__main__":
	main()
