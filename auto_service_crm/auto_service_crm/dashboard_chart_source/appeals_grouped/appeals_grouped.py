"""Appeals counted by one of their fields (channel, category, loss reason), for the workspace's
charts: a chart of this source keeps Frappe's own ``filters_json`` and ``group_by_based_on``.

Frappe's «Group By» charts label each slice with the raw value (``Missed Call``, ``Repair
Services``): this source counts the same way and labels the slices in the reader's language. It
caches nothing: the labels depend on the reader, and the count reads only the period's rows.
"""

import frappe
from frappe import _


@frappe.whitelist()
def get(
	chart_name=None,
	chart=None,
	no_cache=None,
	filters=None,
	from_date=None,
	to_date=None,
	timespan=None,
	time_interval=None,
	heatmap_year=None,
):
	chart = (
		frappe.get_doc("Dashboard Chart", chart_name)
		if chart_name
		else frappe._dict(frappe.parse_json(chart))
	)
	filters = frappe.parse_json(filters) if filters else frappe.parse_json(chart.filters_json or "[]")
	field = chart.group_by_based_on
	if not field or not frappe.get_meta(chart.document_type).has_field(field):
		frappe.throw(_("Chart {0} groups by no field of {1}").format(chart.name, chart.document_type))
	rows = frappe.get_list(
		chart.document_type,
		fields=[f"`{field}` as name", "count(*) as count"],
		filters=filters,
		group_by=f"`{field}`",
		order_by="count desc",
	)
	rows = [row for row in rows if row.name]  # what has no value yet (no category) is left out
	return {
		"labels": [_(row.name) for row in rows],
		"datasets": [{"name": _(chart.chart_name), "values": [row.count for row in rows]}],
	}
