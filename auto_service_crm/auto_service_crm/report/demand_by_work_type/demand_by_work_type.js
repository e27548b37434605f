// Copyright (c) 2026, auto_service_crm contributors
// For license information, please see license.txt

frappe.query_reports["Demand by Work Type"] = {
	filters: [
		{ fieldname: "from_date", label: __("From Date"), fieldtype: "Date", default: frappe.datetime.month_start() },
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date", default: frappe.datetime.get_today() },
	],
};
