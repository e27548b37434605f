// Copyright (c) 2026, auto_service_crm contributors
// For license information, please see license.txt

frappe.query_reports["Maintenance Invitations"] = {
	filters: [
		{ fieldname: "from_date", label: __("From Date"), fieldtype: "Date", default: frappe.datetime.month_start() },
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date", default: frappe.datetime.month_end() },
	],
};
