# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

"""What each ad channel brought for what it cost: appeals, orders and revenue from the funnel, the
channel's cost over the period from its monthly cost, the cost per appeal and per order, and the
revenue per unit of cost. Grouped by campaign (the appeal's UTM campaign) it shows what each
campaign brought; a campaign has no cost of its own, so its cost columns stay empty."""

import frappe
from frappe import _
from frappe.utils import flt, getdate

from auto_service_crm.auto_service_crm.report import report_chart
from auto_service_crm.auto_service_crm.report.appeal_funnel.appeal_funnel import funnel
from auto_service_crm.rules.ad_spend import cost_for_period, per


def execute(filters=None):
	filters = frappe._dict(filters or {})
	if not (filters.from_date and filters.to_date):
		frappe.throw(_("Choose the period: the cost of a channel depends on it"), title=_("No Period"))
	from_date, to_date = getdate(filters.from_date), getdate(filters.to_date)
	if filters.group_by == "Campaign":
		data = by_campaign(from_date, to_date)
		return columns("Campaign"), data, None, report_chart(data, "group", {_("Revenue"): "revenue"})
	data = effectiveness(from_date, to_date)
	return columns(), data, None, chart(data)


def columns(group_label: str = "Ad Channel") -> list[dict]:
	currency = {"fieldtype": "Currency", "width": 130}
	return [
		{"fieldname": "group", "label": _(group_label), "fieldtype": "Data", "width": 180},
		{"fieldname": "appeals", "label": _("Appeals"), "fieldtype": "Int", "width": 100},
		{"fieldname": "orders", "label": _("Orders and Sales"), "fieldtype": "Int", "width": 130},
		{"fieldname": "revenue", "label": _("Revenue"), **currency},
		{"fieldname": "conversion", "label": _("Appeal to Order, %"), "fieldtype": "Percent", "width": 140},
		{"fieldname": "cost", "label": _("Cost"), **currency},
		{"fieldname": "cost_per_appeal", "label": _("Cost per Appeal"), **currency},
		{"fieldname": "cost_per_order", "label": _("Cost per Order"), **currency},
		{
			"fieldname": "revenue_per_cost",
			"label": _("Revenue per Unit of Cost"),
			"fieldtype": "Float",
			"precision": 2,
			"width": 180,
		},
	]


def effectiveness(from_date, to_date) -> list[dict]:
	rows = funnel("ad_channel", from_date, to_date)
	monthly = dict(frappe.get_all("Ad Channel", fields=["name", "monthly_cost"], as_list=True))
	seen = {row.group_value for row in rows}
	for name, cost in monthly.items():  # a channel that cost money and brought nothing shows too
		if cost and name not in seen:
			rows.append(
				frappe._dict(group=name, group_value=name, appeals=0, orders=0, revenue=0.0, conversion=0)
			)
	for row in rows:
		row.cost = flt(cost_for_period(flt(monthly.get(row.group_value)), from_date, to_date), 2)
		row.cost_per_appeal = rounded(per(row.cost, row.appeals)) if row.cost else None
		row.cost_per_order = rounded(per(row.cost, row.orders)) if row.cost else None
		row.revenue_per_cost = rounded(per(row.revenue, row.cost))
	return rows


def by_campaign(from_date, to_date) -> list[dict]:
	"""The funnel's figures per UTM campaign, without cost (no campaign has a cost recorded)."""
	rows = funnel("utm_campaign", from_date, to_date)
	for row in rows:
		row.update(cost=None, cost_per_appeal=None, cost_per_order=None, revenue_per_cost=None)
	return rows


def rounded(value: float | None) -> float | None:
	return None if value is None else flt(value, 2)


def chart(rows: list[dict]) -> dict | None:
	return report_chart(rows, "group", {_("Revenue"): "revenue", _("Cost"): "cost"})
