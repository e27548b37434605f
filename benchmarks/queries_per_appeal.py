"""How many database queries filing one appeal of each kind costs, counted the way Frappe's
FrappeTestCase.assertQueryCount counts them (a wrapper around the database class's ``sql``).

Each kind goes the whole way a webhook goes, in this process: the endpoint of
``auto_service_crm.api`` with a real werkzeug request built from the same body and headers a
provider sends (token check, Intake Payload kept with its dedupe key, parsing, the Appeal with
identification, automatic category and routing, the Call Log or the Communication), then the
transaction is rolled back, so nothing stays. Each kind is filed three times with new ids and
the third count is reported (caches warm, as in a running web worker); the first (cold) is shown
too. The phones are those of known clients of the seeded history (seed_history.py) when there is
one, so identification finds a customer and the automatic rules read their history.

    env/bin/python apps/auto_service_crm/benchmarks/queries_per_appeal.py --site asc-bench.localhost
"""

import json
from collections import Counter

from _bench import (
	SECRETS,
	TRACKED_NUMBER,
	UTM_SOURCE,
	QueryLog,
	connect,
	normalize_query,
	parser,
	prepare_site,
	print_table,
)
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

import frappe

ENDPOINT_OF = {
	"call": "call_event",
	"missed call": "call_event",
	"call, unknown number": "call_event",
	"website form": "website_form_submission",
	"mobile app": "mobile_app_request",
	"chat (Telegram)": "telegram_update",
}


def known_phone() -> str:
	"""A phone of a seeded client who has past appeals (else any contact's phone, else a new one)."""
	row = frappe.db.sql(
		"""SELECT phone FROM `tabAppeal` WHERE name LIKE 'BN-A-%%' AND customer IS NOT NULL
		AND identification = 'Identified' ORDER BY name LIMIT 1 OFFSET 500"""
	) or frappe.db.sql("SELECT phone FROM `tabContact Phone` WHERE parenttype = 'Contact' LIMIT 1")
	return row[0][0] if row else "+7 916 700-00-01"


def delivery(kind: str, n: int, phone: str) -> tuple[bytes, dict]:
	"""The body and headers a provider sends for the n-th delivery of this kind."""
	run = frappe.generate_hash(length=8)
	call = {"call_id": f"q-{run}-{n}", "from": phone, "to": TRACKED_NUMBER}
	token = {"X-Webhook-Token": SECRETS["telephony_token"]}
	if kind == "call":
		return json.dumps({**call, "event": "ringing"}).encode(), token
	if kind == "call, unknown number":
		return json.dumps({**call, "event": "ringing", "from": f"+7 812 555-{n:02d}-{n:02d}"}).encode(), token
	if kind == "missed call":
		body = {**call, "event": "missed", "wait_seconds": 40, "loss_reason": "queue"}
		return json.dumps(body).encode(), token
	if kind == "website form":
		body = {
			"submission_id": f"q-{run}-{n}",
			"name": "Анна",
			"phone": phone,
			"comment": "Стучит подвеска спереди",
			"utm_source": UTM_SOURCE,
		}
		return json.dumps(body).encode(), {"X-Webhook-Token": SECRETS["website_form_token"]}
	if kind == "mobile app":
		body = {"request_id": f"q-{run}-{n}", "name": "Игорь", "phone": phone, "text": "Замена масла"}
		return json.dumps(body).encode(), {"X-Webhook-Token": SECRETS["mobile_app_token"]}
	if kind == "chat (Telegram)":
		chat = int(run, 16) % 10**9
		body = {
			"update_id": chat,
			"message": {
				"message_id": n,
				"date": 1795428000,
				"chat": {"id": chat, "type": "private"},
				"from": {"id": chat, "first_name": "Пётр", "is_bot": False},
				"text": "Нужна замена масла",
			},
		}
		return json.dumps(body).encode(), {
			"X-Telegram-Bot-Api-Secret-Token": SECRETS["telegram_secret_token"]
		}
	raise ValueError(kind)


def file_once(kind: str, n: int, phone: str, answered=("processed",)) -> tuple[QueryLog, dict]:
	"""File one delivery through its endpoint in this process; count its queries; roll it back.
	The answer's status must be one of ``answered``."""
	from auto_service_crm import api

	body, headers = delivery(kind, n, phone)
	method = ENDPOINT_OF[kind]
	environ = EnvironBuilder(
		method="POST",
		path=f"/api/method/auto_service_crm.api.{method}",
		data=body,
		headers=headers,
		content_type="application/json",
	).get_environ()
	frappe.local.request = Request(environ)
	frappe.local.response = frappe._dict({"docs": []})
	frappe.set_user("Guest")  # webhooks are guests, authenticated by the app's token
	log = QueryLog()
	try:
		with log.active():
			answer = getattr(api, method)()
		status = frappe.local.response.get("http_status_code") or 200
		if status != 200 or answer.get("status") not in answered:
			raise RuntimeError(f"{kind}: HTTP {status} {answer}")
	finally:
		frappe.db.rollback()
		frappe.set_user("Administrator")
		frappe.local.request = None
	return log, answer


def count_queries(repeats: int = 3) -> dict[str, dict]:
	"""{kind: {"cold": n, "warm": n, "queries": [...warm queries]}}"""
	phone = known_phone()
	result = {}
	for kind in ENDPOINT_OF:
		counts = []
		for n in range(1, repeats + 1):
			log, _answer = file_once(kind, n, phone)
			counts.append(len(log))
		result[kind] = {"cold": counts[0], "warm": counts[-1], "queries": log.queries}
	return result


def history_size() -> int:
	return frappe.db.sql("SELECT COUNT(*) FROM `tabAppeal`")[0][0]


def print_counts(counts_by_size: dict[int, dict]) -> None:
	sizes = list(counts_by_size)
	headers = ["appeal kind", *(f"queries at {size:,} appeals" for size in sizes)]
	if len(sizes) > 1:
		headers.append("flat?")
	rows = []
	for kind in ENDPOINT_OF:
		warm = [counts_by_size[size][kind]["warm"] for size in sizes]
		cold = [counts_by_size[size][kind]["cold"] for size in sizes]
		row = [kind, *(f"{w} (cold {c})" for w, c in zip(warm, cold, strict=True))]
		if len(sizes) > 1:
			row.append("yes" if len(set(warm)) == 1 else "NO")
		rows.append(row)
	print_table(
		headers, rows, "Queries per appeal (frappe.db.sql calls, whole webhook in-process, rolled back)"
	)


def print_statements(counts: dict) -> None:
	for kind, found in counts.items():
		shapes = Counter(normalize_query(q) for q in found["queries"])
		print(f"\n{kind}: {found['warm']} queries")
		for shape, times in shapes.items():
			print(f"  {times} x {shape[:200]}")


def main():
	p = parser(__doc__)
	p.add_argument("--show-queries", action="store_true", help="list each kind's statements (warm run)")
	args = p.parse_args()
	connect(args.site)
	try:
		prepare_site()
		size = history_size()
		counts = count_queries()
		print_counts({size: counts})
		if args.show_queries:
			print_statements(counts)
	finally:
		frappe.destroy()


if __name__ == "__main__":
	main()
