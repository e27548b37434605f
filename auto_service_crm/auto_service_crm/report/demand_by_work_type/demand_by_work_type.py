# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

"""What clients ask for (seed 002, «Описание работ»): appeals and hand-offs by work type."""

import frappe
from frappe import _
from frappe.query_builder.functions import Count

from auto_service_crm.auto_service_crm.report import appeals_between, report_chart


def execute(filters=None):
	filters = frappe._dict(filters or {})
	data = demand(filters.from_date, filters.to_date)
	columns = [
		{
			"fieldname": "work_type",
			"label": _("Work Type"),
			"fieldtype": "Link",
			"options": "Work Type",
			"width": 220,
		},
		{"fieldname": "appeals", "label": _("Appeals"), "fieldtype": "Int", "width": 110},
		{"fieldname": "service_requests", "label": _("Service Requests"), "fieldtype": "Int", "width": 140},
	]
	return columns, data, None, report_chart(data, "work_type", {_("Appeals"): "appeals"})


def demand(from_date=None, to_date=None) -> list[dict]:
	appeal = frappe.qb.DocType("Appeal")
	detail = frappe.qb.DocType("Work Type Detail")
	query = (
		frappe.qb.from_(detail)
		.join(appeal)
		.on((detail.parent == appeal.name) & (detail.parenttype == "Appeal"))
		.select(
			detail.work_type,
			Count(appeal.name).distinct().as_("appeals"),
			Count(appeal.service_request).distinct().as_("service_requests"),
		)
		.groupby(detail.work_type)
		.orderby(Count(appeal.name).distinct(), order=frappe.qb.desc)
	)
	return appeals_between(query, appeal, from_date, to_date).run(as_dict=True)
