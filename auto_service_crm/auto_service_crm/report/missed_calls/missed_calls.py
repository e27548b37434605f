# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

"""Missed calls by loss reason, operator or waiting time: how many, how long clients waited, how many
were processed and how long processing took."""

import frappe
from frappe import _
from frappe.query_builder.functions import Avg, Count, Max
from frappe.utils import flt

from auto_service_crm.auto_service_crm.report import appeals_between, report_chart
from auto_service_crm.rules.waiting_time import UNKNOWN_WAIT, WAIT_BANDS, band_order

GROUPS = ("Loss Reason", "Operator", "Waiting Time")


def execute(filters=None):
	filters = frappe._dict(filters or {})
	group_by = filters.group_by if filters.group_by in GROUPS else "Loss Reason"
	data = missed_calls(group_by, filters.from_date, filters.to_date)
	return columns(group_by), data, None, chart(data)


def columns(group_by: str) -> list[dict]:
	return [
		{"fieldname": "group", "label": _(group_by), "fieldtype": "Data", "width": 200},
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
		{
			"fieldname": "average_processing",
			"label": _("Average Time to Process (min)"),
			"fieldtype": "Float",
			"precision": 1,
			"width": 200,
		},
	]


def group_term(appeal, group_by: str):
	if group_by == "Operator":
		return appeal.operator
	if group_by == "Waiting Time":
		case = frappe.qb.terms.Case()
		for bound, label in WAIT_BANDS:
			if bound is not None:
				case = case.when(appeal.wait_time < bound, label)
		return case.when(appeal.wait_time.isnotnull(), WAIT_BANDS[-1][1]).else_(UNKNOWN_WAIT)
	return appeal.loss_reason


def missed_calls(group_by: str = "Loss Reason", from_date=None, to_date=None) -> list[dict]:
	appeal = frappe.qb.DocType("Appeal")
	group = group_term(appeal, group_by)
	processed = frappe.qb.terms.Case().when(appeal.completed_on.isnotnull(), 1).else_(0)
	processing_seconds = frappe.qb.functions(
		"TIMESTAMPDIFF", frappe.qb.terms.LiteralValue("SECOND"), appeal.appeal_datetime, appeal.completed_on
	)
	query = (
		frappe.qb.from_(appeal)
		.select(
			group.as_("group"),
			Count(appeal.name).as_("calls"),
			Avg(appeal.wait_time).as_("average_wait"),
			Max(appeal.wait_time).as_("longest_wait"),
			frappe.qb.functions("SUM", processed).as_("processed"),
			Avg(processing_seconds).as_("average_processing"),
		)
		.where(appeal.channel == "Missed Call")
		.groupby(group)
		.orderby(Count(appeal.name), order=frappe.qb.desc)
	)
	rows = appeals_between(query, appeal, from_date, to_date).run(as_dict=True)
	if group_by == "Waiting Time":
		rows.sort(key=lambda row: band_order(row.group))
	for row in rows:
		if not row.group:
			row.group = _("Not Set")
		elif group_by == "Operator":
			row.group = frappe.utils.get_fullname(row.group)
		else:
			row.group = _(row.group)
		row.average_wait = flt(row.average_wait, 1)
		row.longest_wait = int(row.longest_wait or 0)
		row.processed = int(row.processed or 0)
		row.average_processing = flt((row.average_processing or 0) / 60, 1)
	return rows


def chart(rows: list[dict]) -> dict | None:
	return report_chart(rows, "group", {_("Missed Calls"): "calls"}, "pie")
