"""The appeal's day (``appeal_date``) and the reports' indexes: every report and chart reads its
period as a range of one of the indexes of ``REPORT_INDEXES`` (EXPLAIN on the site's MariaDB)."""

import json
from contextlib import contextmanager

import pytest

import frappe
from frappe.utils import add_days, getdate

from auto_service_crm.auto_service_crm.dashboard_chart_source.appeals_grouped.appeals_grouped import (
	get as grouped_chart,
)
from auto_service_crm.auto_service_crm.doctype.appeal.appeal import REPORT_INDEXES
from auto_service_crm.auto_service_crm.report.ad_channel_effectiveness.ad_channel_effectiveness import (
	execute as effectiveness,
)
from auto_service_crm.auto_service_crm.report.appeal_funnel.appeal_funnel import execute as funnel
from auto_service_crm.auto_service_crm.report.missed_calls.missed_calls import execute as missed
from auto_service_crm.auto_service_crm.report.sla_compliance.sla_compliance import execute as sla
from auto_service_crm.patches.v0_4.appeal_date_from_datetime import execute as backfill
from tests.integration.factories import make_appeal
from tests.integration.statements import sent

DAY = "2025-05-06"


@contextmanager
def appeal_selects():
	"""The SELECTs reading Appeal sent while active."""
	seen = []
	with sent() as statements:
		yield seen
	seen.extend(
		query
		for query in statements
		if query.lstrip().upper().startswith("SELECT") and "`tabAppeal`" in query
	)


def appeal_keys(queries: list[str]) -> list[tuple[str, str]]:
	"""(access type, key) of tabAppeal in the EXPLAIN of each query."""
	plans = []
	for query in queries:
		for row in frappe.db.sql(f"EXPLAIN {query}", as_dict=True):
			if row.table == "tabAppeal":
				plans.append((row.type, row.key))
	return plans


def test_the_day_of_an_appeal_follows_its_date_and_time():
	appeal = make_appeal(appeal_datetime=f"{DAY} 23:59:59", phone="+79167400001")
	assert appeal.appeal_date == getdate(DAY)
	assert frappe.db.get_value("Appeal", appeal.name, "appeal_date") == getdate(DAY)
	appeal.appeal_datetime = f"{add_days(DAY, 1)} 00:00:00"
	appeal.save()
	assert frappe.db.get_value("Appeal", appeal.name, "appeal_date") == getdate(add_days(DAY, 1))


def test_the_backfill_gives_every_appeal_its_day_in_one_update():
	missing = make_appeal(appeal_datetime=f"{DAY} 10:00:00", phone="+79167400002")
	wrong = make_appeal(appeal_datetime=f"{DAY} 11:00:00", phone="+79167400003")
	frappe.db.sql("UPDATE `tabAppeal` SET appeal_date = NULL WHERE name = %s", missing.name)
	frappe.db.sql("UPDATE `tabAppeal` SET appeal_date = '2000-01-01' WHERE name = %s", wrong.name)
	backfill()
	days = dict(
		frappe.get_all(
			"Appeal",
			filters={"name": ("in", [missing.name, wrong.name])},
			fields=["name", "appeal_date"],
			as_list=True,
		)
	)
	assert days == {missing.name: getdate(DAY), wrong.name: getdate(DAY)}
	assert frappe.db.count("Appeal", {"appeal_date": ("is", "not set")}) == 0


def test_the_report_indexes_are_on_the_table_in_their_order():
	rows = frappe.db.sql("SHOW INDEX FROM `tabAppeal`", as_dict=True)
	for name, columns in REPORT_INDEXES.items():
		found = [r.Column_name for r in sorted(rows, key=lambda r: r.Seq_in_index) if r.Key_name == name]
		assert tuple(found) == columns, name


PERIOD = {"from_date": DAY, "to_date": add_days(DAY, 29)}
CASES = [
	("funnel by channel", lambda: funnel({**PERIOD, "group_by": "Channel"}), "appeal_date_groups"),
	("funnel by category", lambda: funnel({**PERIOD, "group_by": "Category"}), "appeal_date_groups"),
	("funnel by ad channel", lambda: funnel({**PERIOD, "group_by": "Ad Channel"}), "appeal_date_groups"),
	("funnel by result", lambda: funnel({**PERIOD, "group_by": "Result"}), "appeal_date_groups"),
	("effectiveness", lambda: effectiveness(PERIOD), "appeal_date_groups"),
	(
		"effectiveness by campaign",
		lambda: effectiveness({**PERIOD, "group_by": "Campaign"}),
		"appeal_date_campaign",
	),
	("missed calls by loss reason", lambda: missed(PERIOD), "missed_calls_period"),
	("missed calls by operator", lambda: missed({**PERIOD, "group_by": "Operator"}), "missed_calls_period"),
	(
		"missed calls by waiting time",
		lambda: missed({**PERIOD, "group_by": "Waiting Time"}),
		"missed_calls_period",
	),
	("SLA compliance", lambda: sla(PERIOD), "sla_period"),
]


@pytest.fixture
def a_month_of_appeals():
	for n in range(6):
		make_appeal(
			appeal_datetime=f"{add_days(DAY, n * 5)} 10:00:00",
			phone=f"+7916741000{n}",
			channel="Missed Call" if n % 2 else "Incoming Call",
			utm_campaign="spring" if n % 3 == 0 else None,
		)


@pytest.mark.parametrize("label, run, index", CASES, ids=[c[0] for c in CASES])
def test_each_report_reads_its_period_through_its_index(a_month_of_appeals, label, run, index):
	with appeal_selects() as queries:
		run()
	plans = appeal_keys(queries)
	assert plans, f"{label}: no query of Appeal"
	assert all(key == index and kind in ("range", "ref") for kind, key in plans), plans


CHARTS = {
	"Appeals by Channel": "appeal_date_groups",
	"Appeals by Category": "appeal_date_groups",
	"Missed Calls by Loss Reason": "missed_calls_period",
}


@pytest.mark.parametrize("chart_name", list(CHARTS))
def test_each_grouped_chart_reads_the_month_through_an_index(a_month_of_appeals, chart_name):
	chart = frappe.get_doc("Dashboard Chart", chart_name)
	filters = json.loads(chart.filters_json)
	assert any(f[1] == "appeal_date" and f[2] == "Timespan" for f in filters)
	with appeal_selects() as queries:
		grouped_chart(chart_name=chart_name)
	plans = appeal_keys(queries)
	assert plans and all(key == CHARTS[chart_name] and kind in ("range", "ref") for kind, key in plans), plans


def test_appeals_per_day_counts_by_day_on_an_index(a_month_of_appeals):
	from frappe.desk.doctype.dashboard_chart.dashboard_chart import get

	chart = frappe.get_doc("Dashboard Chart", "Appeals per Day")
	assert chart.based_on == "appeal_date"
	with appeal_selects() as queries:
		result = get(
			chart_name=chart.name,
			timespan="Select Date Range",
			time_interval="Daily",
			from_date=DAY,
			to_date=add_days(DAY, 29),
			refresh=1,
		)
	assert sum(result["datasets"][0]["values"]) == 6
	plans = appeal_keys(queries)
	assert plans and all(kind == "range" and key.startswith("appeal_date") for kind, key in plans), plans
