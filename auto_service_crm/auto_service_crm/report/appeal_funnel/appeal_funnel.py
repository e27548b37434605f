# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

"""Appeals → Service Requests → repair orders and sales, with revenue from ERPNext, by channel,
category, ad channel or result."""

import frappe
from frappe import _
from frappe.utils import flt, getdate

from auto_service_crm.auto_service_crm.report import report_chart

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
	to, those requests' submitted sales orders and their revenue (each order once).

	One pass over the period's range of the report index, grouped by the index's own leading columns
	up to ``group_field`` (the appeal's day first): MariaDB streams the groups in index order with
	no sort or temporary table, joins the request and its order only where the appeal has one, and
	names each day's requests and orders; the days are summed up here. A group by ``group_field``
	alone would sort the whole year's appeals first (three times slower at a million).
	"""
	index, columns = report_index(group_field)
	grouped = ", ".join(f"`tabAppeal`.`{column}`" for column in ("appeal_date", *columns))
	conditions, values = period_conditions(from_date, to_date)
	days = frappe.db.sql(
		f"""SELECT `tabAppeal`.`{group_field}` AS `group`, COUNT(*) AS appeals,
			GROUP_CONCAT(DISTINCT r.`name` SEPARATOR '\x1e') AS requests,
			GROUP_CONCAT(DISTINCT CONCAT(o.`name`, '\x1f', o.`base_grand_total`) SEPARATOR '\x1e') AS orders
		FROM `tabAppeal` FORCE INDEX (`{index}`)
		LEFT JOIN `tabService Request` r ON r.`name` = `tabAppeal`.`service_request`
		LEFT JOIN `tabSales Order` o ON o.`name` = r.`sales_order` AND o.`docstatus` = 1
		WHERE {conditions}
		GROUP BY {grouped}""",
		values,
		as_dict=True,
	)
	totals: dict = {}
	for day in days:
		group = totals.setdefault(day.group, {"appeals": 0, "requests": set(), "orders": {}})
		group["appeals"] += day.appeals
		if day.requests:
			group["requests"].update(day.requests.split("\x1e"))
		for order in (day.orders or "").split("\x1e") if day.orders else ():
			name, _sep, total = order.partition("\x1f")
			group["orders"][name] = flt(total)
	rows = []
	for value, group in sorted(totals.items(), key=lambda item: -item[1]["appeals"]):
		orders = len(group["orders"])
		rows.append(
			frappe._dict(
				group=_(value) if value else _("Not Set"),
				group_value=value,  # the record's name, before translation
				appeals=group["appeals"],
				service_requests=len(group["requests"]),
				orders=orders,
				revenue=flt(sum(group["orders"].values())),
				conversion=flt(100.0 * orders / group["appeals"], 1) if group["appeals"] else 0,
			)
		)
	return rows


def report_index(group_field: str) -> tuple[str, tuple[str, ...]]:
	"""The report index to read and its columns after the day, up to and including ``group_field``."""
	from auto_service_crm.auto_service_crm.doctype.appeal.appeal import REPORT_INDEXES

	index = "appeal_date_campaign" if group_field == "utm_campaign" else "appeal_date_groups"
	columns = REPORT_INDEXES[index][1:]
	return index, columns[: columns.index(group_field) + 1]


def period_conditions(from_date=None, to_date=None) -> tuple[str, dict]:
	"""The period on the appeal's day, both days whole (the index's leading column)."""
	conditions, values = ["1 = 1"], {}
	if from_date:
		conditions.append("`tabAppeal`.`appeal_date` >= %(from_date)s")
		values["from_date"] = getdate(from_date)
	if to_date:
		conditions.append("`tabAppeal`.`appeal_date` <= %(to_date)s")
		values["to_date"] = getdate(to_date)
	return " AND ".join(conditions), values


def chart(rows: list[dict]) -> dict | None:
	series = {
		_("Appeals"): "appeals",
		_("Service Requests"): "service_requests",
		_("Orders and Sales"): "orders",
	}
	return report_chart(rows, "group", series)
