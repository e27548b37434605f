// Copyright (c) 2026, auto_service_crm contributors
// For license information, please see license.txt

// the car offered is one of the recommendation's customer's
frappe.ui.form.on("Service Recommendation", {
	setup(frm) {
		frm.set_query("vehicle", () => ({ filters: { customer: frm.doc.customer || "" } }));
		frm.set_query("source_doctype", () => ({
			filters: { name: ["in", ["Service Request", "Sales Order"]] },
		}));
	},
});
