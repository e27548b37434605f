# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

"""Missed calls by loss reason: how many, how long clients waited, how many were called back."""

import frappe
from frappe import _
from frappe.query_builder.functions import Avg, Count, Max
from frappe.utils import flt

from auto_service_crm.auto_service_crm.report import appeals_between, report_chart


def execute(filters=None):
	filters = frappe._dict(filters or {})
	data = missed_calls(filters.from_date, filters.to_date)
	return columns(), data, None, chart(data)


def columns() -> list[dict]:
	return [
		{"fieldname": "loss_reason", "label": _("Loss Reason"), "fieldtype": "Data", "width": 180},
		{"fieldname": "calls", "label": _("Missed Calls"), "fieldtype": "Int", "width": 120},
		{
			"fieldname": "average_wait",
			"label": _("Average Wait (s)"),
			"fieldtype": "Float",
			"precision": 1,
			"width": 140,
		},
		{"fieldname": "longest_wait", "label": _("Longest Wait (s)"), "fieldtype": "Int", "width": 140},
		{"fieldname": "processed", "label": _("Processed"), "fieldtype": "Int", "width": 110},
	]


def missed_calls(from_date=None, to_date=None) -> list[dict]:
	appeal = frappe.qb.DocType("Appeal")
	processed = frappe.qb.terms.Case().when(appeal.completed_on.isnotnull(), 1).else_(0)
	query = (
		frappe.qb.from_(appeal)
		.select(
			appeal.loss_reason,
			Count(appeal.name).as_("calls"),
			Avg(appeal.wait_time).as_("average_wait"),
			Max(appeal.wait_time).as_("longest_wait"),
			frappe.qb.functions("SUM", processed).as_("processed"),
		)
		.where(appeal.channel == "Missed Call")
		.groupby(appeal.loss_reason)
		.orderby(Count(appeal.name), order=frappe.qb.desc)
	)
	rows = appeals_between(query, appeal, from_date, to_date).run(as_dict=True)
	for row in rows:
		row.loss_reason = _(row.loss_reason) if row.loss_reason else _("Not Set")
		row.average_wait = flt(row.average_wait, 1)
		row.longest_wait = int(row.longest_wait or 0)
		row.processed = int(row.processed or 0)
	return rows


def chart(rows: list[dict]) -> dict | None:
	return report_chart(rows, "loss_reason", {_("Missed Calls"): "calls"}, "pie")
