// Copyright (c) 2026, auto_service_crm contributors
// For license information, please see license.txt

frappe.query_reports["Ad Channel Effectiveness"] = {
	filters: [
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			default: frappe.datetime.month_start(),
			reqd: 1,
		},
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date", default: frappe.datetime.get_today(), reqd: 1 },
		{
			fieldname: "group_by",
			label: __("Group By"),
			fieldtype: "Select",
			options: ["Ad Channel", "Campaign"],
			default: "Ad Channel",
		},
	],
};
