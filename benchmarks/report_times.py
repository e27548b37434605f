"""How long the reports, the workspace's charts and number cards take over HTTP, against Frappe's own
list view of Appeal in the same run; and (``--explain``) the EXPLAIN of every query they send.

The script starts the site's gunicorn on a loopback port (as intake_rate.py does, or uses --url),
logs in as a manager (``bench-manager@example.com``: Auto Service Manager, the role that reads
every report) and times, each ``--runs`` times in rounds (every call once per round, so that a
slower moment of the machine falls on all), the calls the desk makes:

- baseline: ``frappe.desk.reportview.get`` of Appeal, 20 rows ordered by ``modified`` (the list view);
- every report (``frappe.desk.query_report.run``) with every grouping it offers, over the last 30
  and the last 365 days;
- every chart of the workspace «Auto Service CRM» (``dashboard_chart.get`` with ``refresh`` for
  «Appeals per Day», the app's «Appeals Grouped» source for the others), each over a whole month:
  the charts' «this month» is asked as «last month», i.e. the figure of late in a month;
- every number card (``number_card.get_result``, the dynamic filters as the desk computes them);
- the workspace: its page (``frappe.desk.desktop.get_desktop_page``), its four charts and four
  cards sent together from 4 client threads, as the browser sends them, the wall time of all.

It prints p50 / p95 per call, the ratio of p50 to the baseline's p50 and the issue's target in
seconds (30 days <= 0.5 s, 365 days <= 1.5 s, a chart <= 0.3 s, the workspace <= 1 s). With
``--explain`` it runs the same reports, charts and cards in process and prints MariaDB's EXPLAIN
of each SELECT they send that reads Appeal (table, access type, key, rows, extra).

    env/bin/python apps/auto_service_crm/benchmarks/report_times.py --site asc-bench.localhost --explain
"""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from _bench import (
	QueryLog,
	connect,
	machine,
	parser,
	percentile,
	prepare_site,
	print_table,
	summary_ms,
)
from intake_rate import ensure_user, start_server, stop_server

import frappe
from frappe.utils import add_days, add_to_date, getdate, now_datetime

MANAGER = "bench-manager@example.com"
PASSWORD = "bench-Manager-0"
WORKSPACE = "Auto Service CRM"
CHART_SOURCE = "auto_service_crm.auto_service_crm.dashboard_chart_source.appeals_grouped.appeals_grouped.get"
# {report: the groupings it offers (None: it has none)}
REPORTS = {
	"Appeal Funnel": ["Channel", "Category", "Ad Channel", "Result"],
	"Ad Channel Effectiveness": ["Ad Channel", "Campaign"],
	"Missed Calls": ["Loss Reason", "Operator", "Waiting Time"],
	"SLA Compliance": [None],
	"Demand by Work Type": [None],
}
TARGETS = {"30 days": 0.5, "365 days": 1.5, "chart": 0.3, "card": None, "workspace": 1.0, "baseline": None}


def manager_session(base: str, host: str) -> requests.Session:
	ensure_user(MANAGER, ["Auto Service Manager"])
	from frappe.utils.password import update_password

	update_password(MANAGER, PASSWORD)
	frappe.db.commit()
	session = requests.Session()
	session.headers["Host"] = host
	answer = session.post(f"{base}/api/method/login", data={"usr": MANAGER, "pwd": PASSWORD}, timeout=30)
	answer.raise_for_status()
	return session


def month_filters(filters_json: str) -> list:
	"""The chart's filters with «this month» asked as «last month»: a whole month of appeals."""
	filters = json.loads(filters_json or "[]")
	for f in filters:
		if f[2] == "Timespan" and f[3] == "this month":
			f[3] = "last month"
	return filters


def card_filters(card) -> list:
	"""The card's filters and its dynamic filters evaluated as the desk evaluates them."""
	filters = json.loads(card.filters_json or "[]")
	now = now_datetime()
	dynamic = {
		"frappe.datetime.now_datetime()": str(now),
		"moment(frappe.datetime.now_datetime()).add(30, 'minutes').format('YYYY-MM-DD HH:mm:ss')": str(
			add_to_date(now, minutes=30)
		),
	}
	for f in json.loads(card.dynamic_filters_json or "[]"):
		filters.append([f[0], f[1], f[2], dynamic.get(f[3], f[3])])
	return filters


def workspace_parts() -> tuple[list, list]:
	page = frappe.get_doc("Workspace", WORKSPACE)
	return [row.chart_name for row in page.charts], [row.number_card_name for row in page.number_cards]


def calls() -> list[tuple]:
	"""(kind, label, method, params) of every call timed."""
	today = getdate()
	found = [
		(
			"baseline",
			"Appeal list view (reportview.get, 20 rows)",
			"frappe.desk.reportview.get",
			{
				"doctype": "Appeal",
				"fields": json.dumps(
					[
						"`tabAppeal`.`name`",
						"`tabAppeal`.`title`",
						"`tabAppeal`.`status`",
						"`tabAppeal`.`channel`",
						"`tabAppeal`.`category`",
						"`tabAppeal`.`modified`",
					]
				),
				"order_by": "`tabAppeal`.`modified` desc",
				"start": 0,
				"page_length": 20,
				"with_comment_count": 1,
			},
		)
	]
	for days in (30, 365):
		period = {"from_date": str(add_days(today, -days + 1)), "to_date": str(today)}
		for report, groups in REPORTS.items():
			for group in groups:
				filters = dict(period, **({"group_by": group} if group else {}))
				label = report + (f" by {group}" if group else "")
				found.append(
					(
						f"{days} days",
						label,
						"frappe.desk.query_report.run",
						{"report_name": report, "filters": json.dumps(filters), "ignore_prepared_report": 1},
					)
				)
	charts, cards = workspace_parts()
	for name in charts:
		found.append(("chart", name, *chart_call(name)))
	for name in cards:
		card = frappe.get_doc("Number Card", name)
		found.append(
			(
				"card",
				name,
				"frappe.desk.doctype.number_card.number_card.get_result",
				{"doc": card.as_json(), "filters": json.dumps(card_filters(card))},
			)
		)
	return found


def chart_call(name: str) -> tuple[str, dict]:
	chart = frappe.get_doc("Dashboard Chart", name)
	if chart.chart_type == "Custom":
		return CHART_SOURCE, {"chart_name": name, "filters": json.dumps(month_filters(chart.filters_json))}
	return (
		"frappe.desk.doctype.dashboard_chart.dashboard_chart.get",
		{
			"chart_name": name,
			"filters": chart.filters_json or "[]",
			"timespan": chart.timespan,
			"time_interval": chart.time_interval,
			"refresh": 1,
		},
	)


def call(session: requests.Session, base: str, method: str, params: dict) -> float:
	start = time.perf_counter()
	answer = session.post(f"{base}/api/method/{method}", data=params, timeout=120)
	elapsed = time.perf_counter() - start
	if answer.status_code != 200:
		raise SystemExit(f"{method} answered {answer.status_code}: {answer.text[:500]}")
	return elapsed


def workspace_call(session: requests.Session, base: str, parts: list[tuple]) -> float:
	"""The workspace's page, then its charts and cards from 4 threads: the wall time of all."""
	start = time.perf_counter()
	page = {"page": json.dumps({"name": WORKSPACE, "title": WORKSPACE, "public": 1})}
	call(session, base, "frappe.desk.desktop.get_desktop_page", page)
	with ThreadPoolExecutor(4) as pool:
		list(pool.map(lambda part: call(session, base, part[2], part[3]), parts))
	return time.perf_counter() - start


def measure(session, base: str, runs: int) -> dict:
	timed = calls()
	parts = [c for c in timed if c[0] in ("chart", "card")]
	seconds = {(kind, label): [] for kind, label, _m, _p in timed}
	seconds[("workspace", "Workspace «Auto Service CRM»: page, 4 charts, 4 cards")] = []
	for _kind, _label, method, params in timed:  # warm-up: each once, not counted
		call(session, base, method, params)
	for round_ in range(runs):
		order = timed if round_ % 2 == 0 else list(reversed(timed))
		for kind, label, method, params in order:
			seconds[(kind, label)].append(call(session, base, method, params))
		seconds[("workspace", "Workspace «Auto Service CRM»: page, 4 charts, 4 cards")].append(
			workspace_call(session, base, parts)
		)
	return seconds


def report(seconds: dict, appeals: int) -> None:
	baseline = percentile(seconds[next(k for k in seconds if k[0] == "baseline")], 50)
	rows = []
	for (kind, label), values in seconds.items():
		stats = summary_ms(values)
		target = TARGETS[kind]
		p50_s = stats["p50"] / 1000
		verdict = "" if target is None else ("met" if p50_s <= target else "MISSED")
		rows.append(
			[
				kind,
				label,
				stats["p50"],
				stats["p95"],
				f"{p50_s / baseline:.2f}x",
				"" if target is None else f"<= {target} s",
				verdict,
			]
		)
	print_table(
		["kind", "call", "p50 ms", "p95 ms", "p50 / list view", "target", ""],
		rows,
		f"{appeals} appeals; baseline p50 {baseline * 1000:.1f} ms",
	)


def explain(days: int = 365) -> None:
	"""The EXPLAIN of every SELECT reading Appeal that the reports, charts and cards send."""
	from frappe.desk.doctype.dashboard_chart.dashboard_chart import get as chart_get
	from frappe.desk.doctype.number_card.number_card import get_result
	from frappe.desk.query_report import run

	from auto_service_crm.auto_service_crm.dashboard_chart_source.appeals_grouped.appeals_grouped import (
		get as grouped_get,
	)

	frappe.set_user(MANAGER)
	today = getdate()
	probes = {}
	for span in (30, days):
		period = {"from_date": str(add_days(today, -span + 1)), "to_date": str(today)}
		for name, groups in REPORTS.items():
			for group in groups:
				filters = dict(period, **({"group_by": group} if group else {}))
				label = f"{name}{f' by {group}' if group else ''}, {span} days"
				probes[label] = lambda n=name, f=filters: run(n, filters=f, ignore_prepared_report=1)
	charts, cards = workspace_parts()
	for name in charts:
		chart = frappe.get_doc("Dashboard Chart", name)
		if chart.chart_type == "Custom":
			probes[name] = lambda n=name, c=chart: grouped_get(
				chart_name=n, filters=json.dumps(month_filters(c.filters_json))
			)
		else:
			probes[name] = lambda n=name, c=chart: chart_get(
				chart_name=n, timespan=c.timespan, time_interval=c.time_interval, refresh=1
			)
	for name in cards:
		card = frappe.get_doc("Number Card", name)
		probes[name] = lambda c=card: get_result(c.as_json(), json.dumps(card_filters(c)))
	rows = []
	for label, probe in probes.items():
		log = QueryLog()
		with log.active():
			probe()
		for query in log.queries:
			query = str(query)
			if not query.lstrip().upper().startswith("SELECT") or "tabAppeal`" not in query:
				continue
			for i, plan in enumerate(frappe.db.sql(f"EXPLAIN {query}", as_dict=True)):
				rows.append(
					[
						label if i == 0 else "",
						plan.table,
						plan.type,
						plan.key or "—",
						plan.rows,
						(plan.Extra or "")[:60],
					]
				)
	frappe.set_user("Administrator")
	print_table(["query of", "table", "type", "key", "rows", "extra"], rows, "EXPLAIN")


def main():
	p = parser(__doc__)
	p.add_argument("--port", type=int, default=8023, help="loopback port for gunicorn (default 8023)")
	p.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
	p.add_argument("--url", help="use this running server of the site instead of starting gunicorn")
	p.add_argument("--runs", type=int, default=5, help="measured rounds (default 5)")
	p.add_argument("--explain", action="store_true", help="also print the EXPLAIN of every query")
	p.add_argument("--no-timing", action="store_true", help="only the EXPLAIN")
	args = p.parse_args()
	connect(args.site)
	server = None
	try:
		prepare_site()
		appeals = frappe.db.sql("SELECT COUNT(*) FROM `tabAppeal`")[0][0]
		print(machine())
		print(f"history: {appeals} appeals, today {getdate()}")
		if not args.no_timing:
			ensure_user(MANAGER, ["Auto Service Manager"])
			frappe.db.commit()
			if args.url:
				base = args.url.rstrip("/")
			else:
				server, base, log = start_server(args.site, args.port, args.workers)
				print(f"gunicorn: {args.workers} sync workers on {base} (log {log})")
			session = manager_session(base, args.site)
			report(measure(session, base, args.runs), appeals)
		if args.explain or args.no_timing:
			explain()
	finally:
		if server:
			stop_server(server)
		frappe.destroy()


if __name__ == "__main__":
	main()
