# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

"""The «answer within 2 hours» rule kept or broken: appeals by the SLA's agreement status."""

import frappe
from frappe import _
from frappe.query_builder.functions import Count
from frappe.utils import flt

from auto_service_crm.auto_service_crm.report import appeals_between, report_chart


def execute(filters=None):
	filters = frappe._dict(filters or {})
	data = compliance(filters.from_date, filters.to_date)
	columns = [
		{"fieldname": "agreement_status", "label": _("Agreement Status"), "fieldtype": "Data", "width": 200},
		{"fieldname": "appeals", "label": _("Appeals"), "fieldtype": "Int", "width": 110},
		{"fieldname": "share", "label": _("Share, %"), "fieldtype": "Percent", "width": 110},
	]
	return columns, data, None, report_chart(data, "agreement_status", {_("Appeals"): "appeals"}, "donut")


def compliance(from_date=None, to_date=None) -> list[dict]:
	if not frappe.get_meta("Appeal").has_field("agreement_status"):
		return []  # no Service Level Agreement on Appeal
	appeal = frappe.qb.DocType("Appeal")
	query = (
		frappe.qb.from_(appeal)
		.select(appeal.agreement_status, Count(appeal.name).as_("appeals"))
		.where(appeal.service_level_agreement.isnotnull())
		.groupby(appeal.agreement_status)
		.orderby(Count(appeal.name), order=frappe.qb.desc)
	)
	rows = appeals_between(query, appeal, from_date, to_date).run(as_dict=True)
	total = sum(row.appeals for row in rows)
	for row in rows:
		row.agreement_status = _(row.agreement_status or "Not Set")
		row.share = flt(100.0 * row.appeals / total, 1) if total else 0
	return rows
