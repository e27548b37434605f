# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

"""Appeals → Service Requests → repair orders and sales, with revenue from ERPNext, by channel,
category, ad channel or result."""

import frappe
from frappe import _
from frappe.query_builder.functions import Count, Sum
from frappe.utils import flt

from auto_service_crm.auto_service_crm.report import appeals_between, report_chart

GROUPS = {"Channel": "channel", "Category": "category", "Ad Channel": "ad_channel", "Result": "result"}


def execute(filters=None):
	filters = frappe._dict(filters or {})
	group_field = GROUPS.get(filters.group_by or "Channel", "channel")
	data = funnel(group_field, filters.from_date, filters.to_date)
	return columns(filters.group_by or "Channel"), data, None, chart(data)


def columns(group_label: str) -> list[dict]:
	return [
		{"fieldname": "group", "label": _(group_label), "fieldtype": "Data", "width": 200},
		{"fieldname": "appeals", "label": _("Appeals"), "fieldtype": "Int", "width": 100},
		{"fieldname": "service_requests", "label": _("Service Requests"), "fieldtype": "Int", "width": 140},
		{"fieldname": "orders", "label": _("Orders and Sales"), "fieldtype": "Int", "width": 130},
		{"fieldname": "revenue", "label": _("Revenue"), "fieldtype": "Currency", "width": 130},
		{"fieldname": "conversion", "label": _("Appeal to Order, %"), "fieldtype": "Percent", "width": 140},
	]


def funnel(group_field: str, from_date=None, to_date=None) -> list[dict]:
	"""Per value of ``group_field``: the appeals of the period, the Service Requests they handed off
	to, those requests' submitted sales orders and their revenue. Two queries, each a range of the
	period's index (forced: MariaDB's estimate of a year's range otherwise makes it walk a whole
	index): the appeals counted in the index alone, then the requests and orders joined only to the
	appeals that have a request."""
	appeal = frappe.qb.DocType("Appeal")
	request = frappe.qb.DocType("Service Request")
	order = frappe.qb.DocType("Sales Order")
	index = "appeal_date_campaign" if group_field == "utm_campaign" else "appeal_date_groups"
	counted = (
		frappe.qb.from_(appeal)
		.force_index(index)
		.select(appeal[group_field].as_("group"), Count("*").as_("appeals"))
		.groupby(appeal[group_field])
	)
	handed_off = (
		frappe.qb.from_(appeal)
		.force_index(index)
		.join(request)
		.on(request.name == appeal.service_request)
		.left_join(order)
		.on((order.name == request.sales_order) & (order.docstatus == 1))
		.select(
			appeal[group_field].as_("group"),
			Count(request.name).distinct().as_("service_requests"),
			Count(order.name).distinct().as_("orders"),
			Sum(order.base_grand_total).as_("revenue"),
		)
		.where(appeal.service_request.isnotnull())
		.groupby(appeal[group_field])
	)
	rows = appeals_between(counted, appeal, from_date, to_date).run(as_dict=True)
	requests = {
		row.group: row for row in appeals_between(handed_off, appeal, from_date, to_date).run(as_dict=True)
	}
	rows.sort(key=lambda row: -row.appeals)
	for row in rows:
		found = requests.get(row.group) or {}
		row.service_requests = found.get("service_requests") or 0
		row.orders = found.get("orders") or 0
		row.group_value = row.group  # the record's name, before translation
		row.group = _(row.group) if row.group else _("Not Set")
		row.revenue = flt(found.get("revenue"))
		row.conversion = flt(100.0 * row.orders / row.appeals, 1) if row.appeals else 0
	return rows


def chart(rows: list[dict]) -> dict | None:
	series = {
		_("Appeals"): "appeals",
		_("Service Requests"): "service_requests",
		_("Orders and Sales"): "orders",
	}
	return report_chart(rows, "group", series)
