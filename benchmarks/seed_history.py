"""Grow (or shrink) a site's history to N past appeals and C clients, with bulk SQL (not the ORM).

What it writes, all named with the prefix ``BN-`` so that it can tell its own rows from the rest:

- C Customers, each with a Contact linked to it (Dynamic Link) and a mobile phone (Contact Phone,
  with ``phone_normalized`` in E.164 as the app keeps it: ``+79xxxxxxxxx``); one contact in a
  hundred also has the number of the next client (a family car: "several matches").
- N Appeals over the last 3 years (1095 days, working hours 8:00-18:00), 80% from known clients
  and 20% from numbers no contact has; one appeal in twenty is the client's second appeal of the
  same day. Names follow dates as a naming series gives them: appeal number s is the s-th in time
  (the N appeals spread evenly over the days), so a period's rows are neighbours in the primary
  key as on a real site. Channels: 60% incoming calls, 10% missed calls (each with its ERPNext Call
  Log, a loss reason and a waiting time), 20% website forms (with a UTM campaign), 10% chats; a
  quarter come from the benchmark's Ad Channel; the closed ones have a result and, where the site
  has ERPNext's SLA on Appeal, its agreement status. Every appeal has its Intake Payload (status
  Processed, with its dedupe key), and one with a Service Request links it.
- A Service Request for one appeal in ten (mostly completed; some refused; the recent ones open),
  a submitted Sales Order (half of them repair orders) and a submitted Sales Invoice for one in twenty.

Every row is a pure function of its number and of N, so the script is idempotent: run again with
the same sizes it changes nothing. Since an appeal's date depends on N (the history always spans
the same three years), another N re-dates the history: the script deletes its own appeal rows and
inserts the N anew (fast from small to large; shrinking a million rows is slow). The dates are
anchored on the day of the first run (kept in the site's defaults).

    env/bin/python apps/auto_service_crm/benchmarks/seed_history.py --site asc-bench.localhost \\
        --appeals 1000000 --contacts 200000
"""

import time

from _bench import connect, parser

import frappe

PREFIX = "BN-"
CHUNK = 100_000
ANCHOR_KEY = "asc_bench_history_anchor"

# Expressions of one appeal's facts from its number `s` (the seq column of MariaDB's SEQUENCE engine).
SIZE_KEY = "asc_bench_history_size"
DAYS = 1095
BASE = "IF(s MOD 20 = 0, s - 1, s)"  # a second appeal of the same day repeats the previous one's client
KNOWN = f"(CRC32(CONCAT('known', {BASE})) MOD 10 < 8)"


def day_offset(appeals: int) -> str:
	"""Days before the anchor day of appeal s: the N appeals fill the DAYS days in order of number
	(a second appeal of the day keeps the day of the one it repeats)."""
	return f"({DAYS - 1} - FLOOR(({BASE} - 1) * {DAYS} / {appeals}))"


def second_of_day(appeals: int) -> str:
	"""Seconds after 8:00 of appeal s: its place among the day's appeals over ten hours, in order of
	number (a second appeal of the day one second after the one it repeats, before the next)."""
	return f"(FLOOR(((({BASE} - 1) * {DAYS}) MOD {appeals}) * 36000 / {appeals}) + IF(s MOD 20 = 0, 1, 0))"


CHANNEL = (
	"ELT((s MOD 10) + 1, 'Incoming Call', 'Incoming Call', 'Incoming Call', 'Incoming Call',"
	" 'Incoming Call', 'Incoming Call', 'Missed Call', 'Website Form', 'Website Form', 'Chat')"
)
IS_CALL = "(s MOD 10 <= 6)"


def client_of(base_expr: str, contacts: int) -> str:
	return f"((({base_expr}) * 104729) MOD {contacts} + 1)"


def phone_digits(client_expr: str) -> str:
	"""Nine digits after +79: distinct for every client (7919 is prime to 10^9)."""
	return f"LPAD((({client_expr}) * 7919) MOD 1000000000, 9, '0')"


def phone_raw(digits: str) -> str:
	return (
		f"CONCAT('+7 9', SUBSTR({digits}, 1, 2), ' ', SUBSTR({digits}, 3, 3), '-',"
		f" SUBSTR({digits}, 6, 2), '-', SUBSTR({digits}, 8, 2))"
	)


def pad(expr: str, width: int) -> str:
	return f"LPAD({expr}, {width}, '0')"


def anchor() -> str:
	"""The last day of the history: the day of the first seeding, kept so that later growth matches."""
	value = frappe.db.get_default(ANCHOR_KEY)
	if not value:
		value = str(frappe.utils.getdate())
		frappe.db.set_default(ANCHOR_KEY, value)
		frappe.db.commit()
	return value


def run(sql: str, label: str) -> int:
	start = time.perf_counter()
	frappe.db.sql(sql)
	count = frappe.db._cursor.rowcount
	frappe.db.commit()
	print(f"  {label}: {count} rows in {time.perf_counter() - start:.1f} s", flush=True)
	return count


def highest(table: str, prefix: str) -> int:
	"""The highest number of this script's rows in a table (names are zero-padded: the PK orders them)."""
	last = frappe.db.sql(f"SELECT MAX(name) FROM `tab{table}` WHERE name LIKE %s", (prefix + "%",))[0][0]
	return int(last[len(prefix) :].split("-")[0]) if last else 0


def seed_clients(contacts: int) -> None:
	have = highest("Customer", f"{PREFIX}C-")
	if have > contacts:
		print(f"clients: {have} present, {contacts} asked: the extra ones are kept (appeals refer to them)")
		return
	for start in range(have + 1, contacts + 1, CHUNK):
		end = min(start + CHUNK - 1, contacts)
		seq = f"(SELECT seq AS s FROM seq_{start}_to_{end}) q"
		digits = phone_digits("s")
		created = "TIMESTAMP('2023-01-01') + INTERVAL (s * 7) MOD 94608000 SECOND"
		run(
			f"""INSERT IGNORE INTO `tabCustomer` (name, creation, modified, modified_by, owner, docstatus,
				idx, naming_series, customer_name, customer_type, customer_group, territory, disabled,
				language, default_commission_rate)
			SELECT CONCAT('{PREFIX}C-', {pad("s", 6)}), {created}, {created}, 'Administrator',
				'Administrator', 0, 0, 'CUST-.YYYY.-', CONCAT('Клиент ', {pad("s", 6)}), 'Individual',
				'Individual', 'Rest Of The World', 0, 'ru', 0
			FROM {seq}""",
			f"Customer {start}..{end}",
		)
		run(
			f"""INSERT IGNORE INTO `tabContact` (name, creation, modified, modified_by, owner, docstatus,
				idx, first_name, last_name, full_name, phone, mobile_no, status, is_primary_contact,
				unsubscribed, is_billing_contact)
			SELECT CONCAT('{PREFIX}K-', {pad("s", 6)}), {created}, {created}, 'Administrator',
				'Administrator', 0, 0, 'Клиент', {pad("s", 6)}, CONCAT('Клиент ', {pad("s", 6)}),
				{phone_raw(digits)}, {phone_raw(digits)}, 'Passive', 1, 0, 0
			FROM {seq}""",
			f"Contact {start}..{end}",
		)
		run(
			f"""INSERT IGNORE INTO `tabContact Phone` (name, creation, modified, modified_by, owner,
				docstatus, idx, parent, parentfield, parenttype, phone, phone_normalized,
				is_primary_phone, is_primary_mobile_no)
			SELECT CONCAT('{PREFIX}KP-', {pad("s", 6)}, '-1'), {created}, {created}, 'Administrator',
				'Administrator', 0, 1, CONCAT('{PREFIX}K-', {pad("s", 6)}), 'phone_nos', 'Contact',
				{phone_raw(digits)}, CONCAT('+79', {digits}), 0, 1
			FROM {seq}""",
			f"Contact Phone {start}..{end}",
		)
		shared = phone_digits("s + 1")
		run(
			f"""INSERT IGNORE INTO `tabContact Phone` (name, creation, modified, modified_by, owner,
				docstatus, idx, parent, parentfield, parenttype, phone, phone_normalized,
				is_primary_phone, is_primary_mobile_no)
			SELECT CONCAT('{PREFIX}KP-', {pad("s", 6)}, '-2'), {created}, {created}, 'Administrator',
				'Administrator', 0, 2, CONCAT('{PREFIX}K-', {pad("s", 6)}), 'phone_nos', 'Contact',
				{phone_raw(shared)}, CONCAT('+79', {shared}), 0, 0
			FROM {seq} WHERE s MOD 100 = 0 AND s < {contacts}""",
			f"shared Contact Phone {start}..{end}",
		)
		run(
			f"""INSERT IGNORE INTO `tabDynamic Link` (name, creation, modified, modified_by, owner,
				docstatus, idx, parent, parentfield, parenttype, link_doctype, link_name, link_title)
			SELECT CONCAT('{PREFIX}KL-', {pad("s", 6)}), {created}, {created}, 'Administrator',
				'Administrator', 0, 1, CONCAT('{PREFIX}K-', {pad("s", 6)}), 'links', 'Contact', 'Customer',
				CONCAT('{PREFIX}C-', {pad("s", 6)}), CONCAT('Клиент ', {pad("s", 6)})
			FROM {seq}""",
			f"Dynamic Link {start}..{end}",
		)


def seed_appeals(start: int, end: int, appeals: int, contacts: int, last_day: str, company: str) -> None:
	day_off = day_offset(appeals)
	client = client_of(BASE, contacts)
	digits = phone_digits(client)
	known_phone = f"CONCAT('+79', {digits})"
	unknown_phone = f"CONCAT('+7495', LPAD({BASE} MOD 10000000, 7, '0'))"
	phone_normalized = f"IF({KNOWN}, {known_phone}, {unknown_phone})"
	raw_phone = (
		f"IF({KNOWN}, {phone_raw(digits)}, CONCAT('8 (495) ', SUBSTR({unknown_phone}, 6, 3), '-',"
		f" SUBSTR({unknown_phone}, 9, 2), '-', SUBSTR({unknown_phone}, 11, 2)))"
	)
	when = (
		f"(TIMESTAMP('{last_day} 08:00:00') - INTERVAL {day_off} DAY"
		f" + INTERVAL {second_of_day(appeals)} SECOND)"
	)
	open_ = f"({day_off} < 2)"
	customer = f"IF({KNOWN}, CONCAT('{PREFIX}C-', {pad(client, 6)}), NULL)"
	client_name = f"IF({KNOWN}, CONCAT('Клиент ', {pad(client, 6)}), NULL)"
	category = (
		"IF(s MOD 20 = 0, 'Call Continuation', ELT((s MOD 6) + 1, 'Repair Services', 'Spare Parts',"
		" 'Other', 'Repair Services', 'Spare Parts', 'Repair Order Status'))"
	)
	call_log = f"IF({IS_CALL}, CONCAT('{PREFIX}CL-', {pad('s', 7)}), NULL)"
	seq = f"(SELECT seq AS s FROM seq_{start}_to_{end}) q"
	missed = "(s MOD 10 = 6)"
	sla_columns, sla_values = "", ""
	if frappe.db.has_column("Appeal", "agreement_status"):  # ERPNext's SLA on Appeal (the app's default)
		sla = frappe.db.get_value("Service Level Agreement", {"document_type": "Appeal"}) or ""
		sla_columns = ", service_level_agreement, agreement_status"
		sla_values = (
			f", {frappe.db.escape(sla)}, IF({open_}, 'First Response Due',"
			" IF(s MOD 7 = 0, 'Failed', 'Fulfilled'))"
		)
	run(
		f"""INSERT IGNORE INTO `tabAppeal` (name, creation, modified, modified_by, owner, docstatus, idx,
			naming_series, title, channel, chat_platform, conversation_id, appeal_datetime, appeal_date,
			status, phone, phone_normalized, customer, contact, client_name, client_kind, identification,
			dialled_number, call_log, category, category_set_automatically, automatic_reason,
			completed_on, mileage, vehicle_year, call_back, callback_alert_sent, sla_alert_sent,
			service_request, ad_channel, utm_campaign, loss_reason, wait_time, result{sla_columns})
		SELECT CONCAT('{PREFIX}A-', {pad("s", 7)}), {when}, {when}, 'Administrator', 'Guest', 0, 0,
			'APL-.YYYY.-', CONCAT(COALESCE({client_name}, {raw_phone}), ' · ', {category}), {CHANNEL},
			IF(s MOD 10 = 9, 'Telegram', NULL), IF(s MOD 10 = 9, CONCAT('{PREFIX}', {BASE}), NULL), {when},
			DATE({when}), IF({open_}, 'New', 'Closed'), {raw_phone}, {phone_normalized}, {customer},
			IF({KNOWN}, CONCAT('{PREFIX}K-', {pad(client, 6)}), NULL), {client_name},
			IF({client} MOD 3 = 0, 'Repeat', 'Primary'), IF({KNOWN}, 'Identified', 'Not Found'),
			IF({IS_CALL}, '+7 495 100-00-00', NULL), {call_log}, {category}, IF(s MOD 20 = 0, 1, 0),
			IF(s MOD 20 = 0, 'second appeal of the day', NULL),
			IF({open_}, NULL, {when} + INTERVAL 15 MINUTE), 0, 0, 0, 0, 0,
			IF(s MOD 10 = 3 AND {KNOWN}, CONCAT('{PREFIX}SR-', {pad("s", 7)}), NULL),
			IF(s MOD 4 = 1, 'Bench Yandex Direct', NULL),
			IF(s MOD 10 IN (7, 8), CONCAT('campaign-', s MOD 5), NULL),
			IF({missed}, ELT((s DIV 10) MOD 4 + 1, 'IVR', 'Queue Wait', 'Ringing Manager', 'Other'), ''),
			IF({missed}, (s DIV 10) MOD 120, NULL),
			IF({open_}, NULL, ELT((s DIV 10) MOD 4 + 1, 'Client Booked', 'Postpone', 'Refused', 'Sale Made'))
			{sla_values}
		FROM {seq}""",
		f"Appeal {start}..{end}",
	)
	provider = "IF(s MOD 10 <= 6, 'generic', IF(s MOD 10 = 9, 'telegram', 'website_form'))"
	external = f"IF({IS_CALL}, {call_log}, CONCAT('{PREFIX}', s))"
	run(
		f"""INSERT IGNORE INTO `tabIntake Payload` (name, creation, modified, modified_by, owner,
			docstatus, idx, channel, provider, status, received_on, dedupe_key, appeal, external_id,
			attempts, content_type, payload)
		SELECT CONCAT('{PREFIX}IP-', {pad("s", 7)}), {when}, {when}, 'Guest', 'Guest', 0, 0, {CHANNEL},
			{provider}, 'Processed', {when},
			CONCAT({provider}, ':', IF({IS_CALL}, 'ringing', ''), ':', {external}),
			CONCAT('{PREFIX}A-', {pad("s", 7)}), {external}, 1, 'application/json',
			CONCAT('{{"id": "', {external}, '", "phone": "', {raw_phone}, '", "event": "ringing"}}')
		FROM {seq}""",
		f"Intake Payload {start}..{end}",
	)
	run(
		f"""INSERT IGNORE INTO `tabCall Log` (name, creation, modified, modified_by, owner, docstatus,
			idx, id, `from`, `to`, medium, start_time, end_time, type, status, duration)
		SELECT {call_log}, {when}, {when}, 'Guest', 'Guest', 0, 0, {call_log}, {raw_phone},
			'+7 495 100-00-00', 'generic', {when}, {when} + INTERVAL 3 MINUTE, 'Incoming',
			IF(s MOD 10 = 6, 'No Answer', 'Completed'), IF(s MOD 10 = 6, 0, 95)
		FROM {seq} WHERE {IS_CALL}""",
		f"Call Log {start}..{end}",
	)
	sr_status = (
		f"IF({day_off} < 60 AND (s DIV 10) MOD 10 = 9, 'Booked',"
		" IF((s DIV 10) MOD 10 IN (7, 8), 'Refused', 'Completed'))"
	)
	run(
		f"""INSERT IGNORE INTO `tabService Request` (name, creation, modified, modified_by, owner,
			docstatus, idx, naming_series, title, kind, status, request_date, company, customer, contact,
			client_name, phone, closed_on, source_appeal)
		SELECT CONCAT('{PREFIX}SR-', {pad("s", 7)}), {when}, {when}, 'Administrator', 'Administrator', 0,
			0, 'SR-.YYYY.-', {client_name}, IF(s MOD 20 = 3, 'Repair', 'Parts'), {sr_status}, {when},
			%(company)s, {customer}, CONCAT('{PREFIX}K-', {pad(client, 6)}), {client_name}, {raw_phone},
			IF({sr_status} = 'Booked', NULL, {when} + INTERVAL 2 DAY), CONCAT('{PREFIX}A-', {pad("s", 7)})
		FROM {seq} WHERE s MOD 10 = 3 AND {KNOWN}""".replace("%(company)s", frappe.db.escape(company)),
		f"Service Request {start}..{end}",
	)
	run(
		f"""INSERT IGNORE INTO `tabSales Order` (name, creation, modified, modified_by, owner, docstatus,
			idx, naming_series, customer, customer_name, order_type, transaction_date, delivery_date,
			company, currency, conversion_rate, selling_price_list, price_list_currency,
			plc_conversion_rate, status, is_repair_order, per_delivered, per_billed, grand_total)
		SELECT CONCAT('{PREFIX}SO-', {pad("s", 7)}), {when}, {when}, 'Administrator', 'Administrator', 1,
			0, 'SAL-ORD-.YYYY.-', {customer}, {client_name}, 'Sales', DATE({when}),
			DATE({when}) + INTERVAL 3 DAY, %(company)s, 'USD', 1, 'Standard Selling', 'USD', 1,
			IF({day_off} < 30, 'To Deliver and Bill', 'Completed'), IF(s MOD 40 = 7, 1, 0),
			IF({day_off} < 30, 0, 100), IF({day_off} < 30, 0, 100), 150
		FROM {seq} WHERE s MOD 20 = 7 AND {KNOWN}""".replace("%(company)s", frappe.db.escape(company)),
		f"Sales Order {start}..{end}",
	)
	run(
		f"""INSERT IGNORE INTO `tabSales Invoice` (name, creation, modified, modified_by, owner,
			docstatus, idx, naming_series, customer, customer_name, posting_date, due_date, company,
			currency, conversion_rate, selling_price_list, price_list_currency, plc_conversion_rate,
			status, is_return, grand_total)
		SELECT CONCAT('{PREFIX}SI-', {pad("s", 7)}), {when}, {when}, 'Administrator', 'Administrator', 1,
			0, 'ACC-SINV-.YYYY.-', {customer}, {client_name}, DATE({when}), DATE({when}), %(company)s,
			'USD', 1, 'Standard Selling', 'USD', 1, 'Paid', 0, 150
		FROM {seq} WHERE s MOD 20 = 13 AND {KNOWN}""".replace("%(company)s", frappe.db.escape(company)),
		f"Sales Invoice {start}..{end}",
	)


OWN_TABLES = {  # what each appeal number has in other tables
	"Appeal": "A-",
	"Intake Payload": "IP-",
	"Call Log": "CL-",
	"Service Request": "SR-",
	"Sales Order": "SO-",
	"Sales Invoice": "SI-",
}


def shrink(appeals: int) -> None:
	for table, prefix in OWN_TABLES.items():
		first = f"{PREFIX}{prefix}"
		above = frappe.db.escape(f"{first}{appeals:07d}")
		run(
			f"DELETE FROM `tab{table}` WHERE name LIKE {frappe.db.escape(first + '%')} AND name > {above}",
			f"{table} above {appeals}",
		)


def seed(appeals: int, contacts: int = 200_000) -> dict:
	"""Make the site's history exactly `appeals` BN appeals and at least `contacts` BN clients."""
	started = time.perf_counter()
	frappe.db.sql("SET SESSION unique_checks = 0")
	seed_clients(contacts)
	clients = highest("Customer", f"{PREFIX}C-")
	have = highest("Appeal", f"{PREFIX}A-")
	dated_for = frappe.utils.cint(frappe.db.get_default(SIZE_KEY))
	print(f"appeals: {have} present (dated for {dated_for}), {appeals} asked", flush=True)
	if have and dated_for != appeals:  # the dates depend on N: the history is made anew
		shrink(0)
		have = 0
	elif have > appeals:
		shrink(appeals)
	frappe.db.set_default(SIZE_KEY, str(appeals))
	frappe.db.commit()
	company = (
		frappe.db.get_single_value("Global Defaults", "default_company")
		or frappe.get_all("Company", pluck="name", limit=1)[0]
	)
	last_day = anchor()
	for start in range(have + 1, appeals + 1, CHUNK):
		seed_appeals(start, min(start + CHUNK - 1, appeals), appeals, clients, last_day, company)
	frappe.db.sql("SET SESSION unique_checks = 1")
	if have != appeals:
		for table in (*OWN_TABLES, "Customer", "Contact", "Contact Phone", "Dynamic Link"):
			frappe.db.sql(f"ANALYZE TABLE `tab{table}`")
	counts = {table: frappe.db.sql(f"SELECT COUNT(*) FROM `tab{table}`")[0][0] for table in OWN_TABLES}
	counts["Contact Phone"] = frappe.db.sql("SELECT COUNT(*) FROM `tabContact Phone`")[0][0]
	counts["Customer"] = frappe.db.sql("SELECT COUNT(*) FROM `tabCustomer`")[0][0]
	print(
		f"history ready in {time.perf_counter() - started:.0f} s: "
		+ ", ".join(f"{k} {v}" for k, v in counts.items())
	)
	return counts


def main():
	p = parser(__doc__)
	p.add_argument("--appeals", type=int, default=10_000, help="past appeals to have (default 10000)")
	p.add_argument("--contacts", type=int, default=200_000, help="clients (Customer + Contact + phone)")
	args = p.parse_args()
	connect(args.site)
	try:
		seed(args.appeals, args.contacts)
	finally:
		frappe.destroy()


if __name__ == "__main__":
	main()
