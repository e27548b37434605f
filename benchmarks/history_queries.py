"""Do the identification and automatic-category queries keep their speed as the history grows?

For each history size asked (default 10 000, then 1 000 000 past appeals, with 200 000 clients),
the script brings the site's history to that size with seed_history.py (bulk SQL), then:

1. times the app's own functions that read the history while an appeal is filed, called as the
   app calls them, for the same 200 sample appeals at every size (appeals 1..10 000 of the seeded
   history, which exist at both sizes: their clients' phones, customers, days, call ids):

   - identification: ``identification.clients_with_phone`` (Contact Phone → Dynamic Link →
     Customer) and ``clients.get_client_kind`` (the client's sales and repair orders);
   - automatic category: ``appeal_facts.gather_client_facts`` (appeals of the client that day,
     a locking read; open Service Requests; open repair orders; recently refused requests);
   - filing lookups: the Appeal of a Call Log (``telephony.filing.file_call``), the Intake Payload of
     a dedupe key (``api.receive``), the open chat Appeal (``messengers.filing.file_chat``), and
     ERPNext's own contact lookup that every new Call Log runs (Contact Phone ``LIKE '%number'``);

   each sample runs once to warm up and once measured, in a transaction rolled back after it;
2. prints the EXPLAIN of every SELECT each of them sends (the index used, the rows examined);
3. counts the queries of filing one appeal of each kind (queries_per_appeal.py) at that size.

Then it prints each group's p50 at every size and the ratio largest/smallest against the target
(at most 1.5x), and whether the query counts stayed flat.

    env/bin/python apps/auto_service_crm/benchmarks/history_queries.py --site asc-bench.localhost
    env/bin/python apps/auto_service_crm/benchmarks/history_queries.py --site asc-bench.localhost \\
        --sizes 10000 --no-seed      # measure the history as it is
"""

import random
import time

from _bench import QueryLog, connect, machine, parser, prepare_site, print_table, summary_ms, verdict
from queries_per_appeal import count_queries, print_counts
from seed_history import seed

import frappe

TARGET = 1.5
SAMPLES = 200


def samples(count: int) -> list[dict]:
	"""Appeals 1..10 000 of the seeded history: present at every size, the same at every size."""
	rows = frappe.db.sql(
		"""SELECT name, phone_normalized, customer, appeal_datetime, call_log, conversation_id
		FROM `tabAppeal` WHERE name BETWEEN 'BN-A-0000001' AND 'BN-A-0010000' ORDER BY name""",
		as_dict=True,
	)
	if not rows:
		raise SystemExit("no seeded history on this site: run seed_history.py (or drop --no-seed)")
	return random.Random(5).sample(rows, min(count, len(rows)))


def new_appeal(sample: dict):
	"""An appeal being filed now for the sample's client, on the sample's day (not saved)."""
	appeal = frappe.new_doc("Appeal")
	appeal.update(
		{
			"customer": sample.customer,
			"phone_normalized": sample.phone_normalized,
			"appeal_datetime": sample.appeal_datetime,
		}
	)
	return appeal


def probes() -> dict:
	"""{group: {probe: function(sample)}}: each calls the app exactly as filing an appeal does."""
	from frappe.contacts.doctype.contact.contact import get_contact_with_phone_number

	from erpnext.crm.doctype.utils import strip_number

	from auto_service_crm.appeal_facts import gather_client_facts
	from auto_service_crm.clients import get_client_kind
	from auto_service_crm.identification import clients_with_phone

	return {
		"identification": {
			"clients_with_phone": lambda s: clients_with_phone(s.phone_normalized),
			"get_client_kind": lambda s: get_client_kind(s.customer),
		},
		"automatic category": {
			"gather_client_facts": lambda s: gather_client_facts(new_appeal(s)),
		},
		"filing lookups": {
			"Appeal of a Call Log": lambda s: frappe.db.get_value(
				"Appeal", {"call_log": s.call_log or s.name}
			),
			"Intake Payload by dedupe key": lambda s: frappe.db.exists(
				"Intake Payload",
				{
					"dedupe_key": f"generic:ringing:{s.call_log or s.name}",
					"status": ["in", ["Processed", "Ignored"]],
				},
			),
			"open chat Appeal": lambda s: frappe.db.get_value(
				"Appeal",
				{
					"channel": "Chat",
					"chat_platform": "Telegram",
					"conversation_id": s.conversation_id or s.name,
					"completed_on": ["is", "not set"],
				},
				"name",
				order_by="creation desc",
			),
		},
		"ERPNext Call Log (not the app)": {
			"Contact of the caller (LIKE '%number')": lambda s: get_contact_with_phone_number(
				strip_number(s.phone_normalized)
			),
		},
	}


def time_group(functions: dict, picked: list[dict]) -> list[float]:
	"""Seconds per sample for the whole group (its functions one after the other), warm pass measured."""
	measured = []
	for pass_ in (0, 1):
		for sample in picked:
			start = time.perf_counter()
			for fn in functions.values():
				fn(sample)
			if pass_:
				measured.append(time.perf_counter() - start)
			frappe.db.rollback()
	return measured


def explain_rows(functions: dict, sample: dict) -> list[list]:
	rows = []
	for probe, fn in functions.items():
		log = QueryLog()
		with log.active():
			fn(sample)
		for query in log.queries:
			text = str(query).strip()
			if not text.lower().startswith("select") or "get_lock" in text.lower():
				continue
			for plan in frappe.db.sql(f"EXPLAIN {text}", as_dict=True):
				# "index" is a full index scan (its row estimate counts on the LIMIT: not a bound)
				scan = plan.type == "index" or (plan.type == "ALL" and int(plan.rows or 0) > 1000)
				rows.append(
					[
						probe,
						plan.table,
						plan.type,
						plan.key or "-",
						plan.rows,
						(plan.Extra or "")[:60],
						"SCAN" if scan else "",
					]
				)
		frappe.db.rollback()
	return rows


def measure(size: int) -> dict:
	picked = samples(SAMPLES)
	explain_sample = next((s for s in picked if s.customer and s.call_log), picked[0])
	found = {"groups": {}, "size": frappe.db.sql("SELECT COUNT(*) FROM `tabAppeal`")[0][0]}
	contacts = frappe.db.sql("SELECT COUNT(*) FROM `tabContact Phone`")[0][0]
	print(f"\n=== history: {found['size']:,} appeals, {contacts:,} contact phones ===")
	explain = []
	for group, functions in probes().items():
		found["groups"][group] = summary_ms(time_group(functions, picked))
		explain += explain_rows(functions, explain_sample)
	print_table(
		["group", "samples", "mean ms", "p50 ms", "p95 ms"],
		[[g, s["n"], s["mean"], s["p50"], s["p95"]] for g, s in found["groups"].items()],
		f"Per appeal, the group's queries together (history {found['size']:,} appeals)",
	)
	print_table(
		["query of", "table", "type", "key", "rows", "extra", ""],
		explain,
		f"EXPLAIN (history {found['size']:,} appeals; SCAN = a full table or index scan)",
	)
	found["counts"] = count_queries()
	print_counts({found["size"]: found["counts"]})
	return found


def main():
	p = parser(__doc__)
	p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000], help="past appeals")
	p.add_argument("--contacts", type=int, default=200_000, help="clients with a phone (default 200000)")
	p.add_argument("--no-seed", action="store_true", help="measure the history as it is, once")
	args = p.parse_args()
	connect(args.site)
	try:
		print(f"machine: {machine()}")
		prepare_site()
		results = []
		for size in [None] if args.no_seed else args.sizes:
			if size is not None:
				seed(size, args.contacts)
			results.append(measure(size))
		if len(results) > 1:
			report(results)
	finally:
		frappe.db.rollback()
		frappe.destroy()


def report(results: list[dict]) -> None:
	first, last = min(results, key=lambda r: r["size"]), max(results, key=lambda r: r["size"])
	rows = []
	for group in first["groups"]:
		a, b = first["groups"][group]["p50"], last["groups"][group]["p50"]
		rows.append([group, a, b, verdict(b / a, TARGET)])
	print_table(
		["group", f"p50 ms at {first['size']:,}", f"p50 ms at {last['size']:,}", "ratio"],
		rows,
		"History: the same lookups at both sizes",
	)
	print_counts({r["size"]: r["counts"] for r in sorted(results, key=lambda r: r["size"])})


if __name__ == "__main__":
	main()
