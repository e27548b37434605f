// Copyright (c) 2026, auto_service_crm contributors
// For license information, please see license.txt

frappe.listview_settings["Appeal"] = {
	add_fields: ["completed_on", "channel"],
	onload(listview) {
		// a client at the reception desk: the short form, with the channel already set
		listview.page.add_inner_button(__("New Visit"), () => frappe.new_doc("Appeal", { channel: "Visit" }));
	},
};
