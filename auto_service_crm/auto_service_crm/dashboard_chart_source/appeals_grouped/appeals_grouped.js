frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Appeals Grouped"] = {
	method: "auto_service_crm.auto_service_crm.dashboard_chart_source.appeals_grouped.appeals_grouped.get",
	filters: [],
};
