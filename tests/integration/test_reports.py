"""The reports' figures on known data (one day in 2025, which no other test uses)."""

import pytest

import frappe

from auto_service_crm.auto_service_crm.report.appeal_funnel.appeal_funnel import execute as funnel
from auto_service_crm.auto_service_crm.report.missed_calls.missed_calls import execute as missed
from tests.integration.factories import make_appeal, make_customer, make_sales_order

DAY = "2025-03-04"
FILTERS = {"from_date": DAY, "to_date": DAY}


def appeal_on(hour, **fields):
	return make_appeal(appeal_datetime=f"{DAY} {hour:02d}:00:00", **fields)


def test_appeal_funnel_from_appeals_to_orders_with_revenue():
	customer = make_customer()
	order = make_sales_order(customer, is_repair_order=1)  # one item at 2 500
	request = frappe.get_doc(
		{"doctype": "Service Request", "kind": "Repair", "customer": customer, "sales_order": order.name}
	).insert()
	appeal_on(9, customer=customer, service_request=request.name, category="Repair Services")
	appeal_on(10, phone="+79166000001", category="Other")
	appeal_on(11, phone="+79166000002", channel="Visit", category="Other")

	columns, rows, _message, chart = funnel({**FILTERS, "group_by": "Channel"})
	by_channel = {row.group: row for row in rows}
	assert set(by_channel) == {"Incoming Call", "Visit"}
	calls = by_channel["Incoming Call"]
	assert (calls.appeals, calls.service_requests, calls.orders) == (2, 1, 1)
	assert calls.revenue == order.base_grand_total == 2500
	assert calls.conversion == 50.0
	assert (by_channel["Visit"].appeals, by_channel["Visit"].orders) == (1, 0)
	assert [c["fieldname"] for c in columns][:2] == ["group", "appeals"]
	assert chart["data"]["labels"] == ["Incoming Call", "Visit"]

	_columns, rows, *_ = funnel({**FILTERS, "group_by": "Category"})
	assert {row.group: row.appeals for row in rows} == {"Other": 2, "Repair Services": 1}


def test_missed_calls_by_loss_reason():
	appeal_on(9, phone="+79166000003", channel="Missed Call", loss_reason="Queue Wait", wait_time=30)
	appeal_on(10, phone="+79166000004", channel="Missed Call", loss_reason="Queue Wait", wait_time=90)
	ivr = appeal_on(
		11, phone="+79166000005", channel="Missed Call", loss_reason="IVR", wait_time=12, category="Other"
	)
	ivr.complete()
	appeal_on(12, phone="+79166000006")  # answered: not in the report

	_columns, rows, _message, chart = missed(FILTERS)
	by_reason = {row.group: row for row in rows}
	assert set(by_reason) == {"Queue Wait", "IVR"}
	queue = by_reason["Queue Wait"]
	assert (queue.calls, queue.average_wait, queue.longest_wait, queue.processed) == (2, 60.0, 90, 0)
	assert (by_reason["IVR"].calls, by_reason["IVR"].processed) == (1, 1)
	assert chart["type"] == "pie"


def test_missed_calls_by_operator_and_by_waiting_time():
	from frappe.utils import add_to_date, get_datetime

	from tests.integration.factories import make_user

	operator = make_user("Auto Service Operator")
	name = frappe.utils.get_fullname(operator)
	quick = appeal_on(9, phone="+79166000021", channel="Missed Call", wait_time=10, category="Other")
	frappe.set_user(operator)
	quick.complete()  # processed by the operator
	frappe.set_user("Administrator")
	quick.db_set("completed_on", add_to_date(get_datetime(quick.appeal_datetime), minutes=30))
	appeal_on(10, phone="+79166000022", channel="Missed Call", wait_time=45)
	appeal_on(11, phone="+79166000023", channel="Missed Call", wait_time=50)
	appeal_on(12, phone="+79166000024", channel="Missed Call")  # the telephony gave no wait

	columns, rows, _message, _chart = missed({**FILTERS, "group_by": "Operator"})
	by_operator = {row.group: row for row in rows}
	assert columns[0]["label"] == "Operator"
	assert set(by_operator) == {name, "Not Set"}
	olga = by_operator[name]
	assert (olga.calls, olga.processed, olga.average_processing) == (1, 1, 30.0)
	assert (by_operator["Not Set"].calls, by_operator["Not Set"].processed) == (3, 0)

	_columns, rows, _message, _chart = missed({**FILTERS, "group_by": "Waiting Time"})
	assert [(row.group, row.calls) for row in rows] == [
		("Under 30 s", 1),
		("30 s to 1 min", 2),
		("Wait Unknown", 1),
	]


def test_demand_by_work_type():
	from auto_service_crm.auto_service_crm.report.demand_by_work_type.demand_by_work_type import execute

	for name in ("ASC Oil Change", "ASC Diagnostics"):
		if not frappe.db.exists("Work Type", name):
			frappe.get_doc({"doctype": "Work Type", "work_type_name": name}).insert()
	appeal_on(
		9,
		phone="+79166000011",
		work_types=[{"work_type": "ASC Oil Change"}, {"work_type": "ASC Diagnostics"}],
	)
	appeal_on(10, phone="+79166000012", work_types=[{"work_type": "ASC Oil Change"}])
	_columns, rows, _message, chart = execute(FILTERS)
	assert {row.work_type: row.appeals for row in rows} == {"ASC Oil Change": 2, "ASC Diagnostics": 1}
	assert rows[0].work_type == "ASC Oil Change" and chart["data"]["labels"][0] == "ASC Oil Change"


def test_sla_compliance():
	from frappe.utils import add_to_date, get_datetime

	from auto_service_crm.auto_service_crm.report.sla_compliance.sla_compliance import execute

	kept = appeal_on(9, phone="+79166000013", category="Other")
	kept.complete()
	late = appeal_on(10, phone="+79166000014", category="Other")
	frappe.flags.current_time = add_to_date(get_datetime(late.response_by), minutes=5)
	try:
		late.complete()
	finally:
		frappe.flags.current_time = None
	appeal_on(11, phone="+79166000015")  # not answered yet
	_columns, rows, *_ = execute(FILTERS)
	by_status = {row.agreement_status: (row.appeals, row.share) for row in rows}
	assert by_status == {"Fulfilled": (1, 33.3), "Failed": (1, 33.3), "First Response Due": (1, 33.3)}


def test_ad_channel_effectiveness_divides_cost_by_what_the_channel_brought():
	from auto_service_crm.auto_service_crm.report.ad_channel_effectiveness.ad_channel_effectiveness import (
		execute,
	)

	def channel(name, monthly_cost):
		return frappe.get_doc(
			{"doctype": "Ad Channel", "ad_channel_name": name, "monthly_cost": monthly_cost}
		).insert()

	paid = channel("ASC Paid Search", 31_000).name  # March has 31 days: 1 000 a day
	silent = channel("ASC Radio", 62_000).name
	channel("ASC Free Listing", 0)
	customer = make_customer()
	order = make_sales_order(customer, is_repair_order=1)  # 2 500
	request = frappe.get_doc(
		{"doctype": "Service Request", "kind": "Repair", "customer": customer, "sales_order": order.name}
	).insert()
	appeal_on(9, customer=customer, ad_channel=paid, service_request=request.name, category="Other")
	appeal_on(10, phone="+79166000031", ad_channel=paid)
	appeal_on(11, phone="+79166000032", ad_channel="ASC Free Listing")

	_columns, rows, _message, chart = execute(FILTERS)  # one day: 2025-03-04
	by_channel = {row.group: row for row in rows}
	assert set(by_channel) == {paid, silent, "ASC Free Listing"}
	search = by_channel[paid]
	assert (search.appeals, search.orders, search.revenue, search.cost) == (2, 1, 2500, 1000)
	assert (search.cost_per_appeal, search.cost_per_order, search.revenue_per_cost) == (500, 1000, 2.5)
	radio = by_channel[silent]
	assert (radio.appeals, radio.cost, radio.cost_per_appeal) == (0, 2000, None), "cost and nothing else"
	free = by_channel["ASC Free Listing"]
	assert (free.appeals, free.cost, free.revenue_per_cost) == (1, 0, None)
	assert {dataset["name"] for dataset in chart["data"]["datasets"]} == {"Revenue", "Cost"}

	with pytest.raises(frappe.ValidationError):
		execute({})
