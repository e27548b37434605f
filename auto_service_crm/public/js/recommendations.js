// Copyright (c) 2026, auto_service_crm contributors
// For license information, please see license.txt

// «Add Recommendation» on a Service Request and on a repair order (Sales Order): the work a service
// advisor recommends, for the document's customer and car (auto_service_crm/recommendations.py);
// the recommendations recorded show in the form's connections.

frappe.provide("auto_service_crm.recommendations");

auto_service_crm.recommendations.add_button = function (frm) {
	if (frm.is_new() || !frm.doc.customer || !frappe.model.can_create("Service Recommendation")) return;
	frm.add_custom_button(__("Add Recommendation"), () => auto_service_crm.recommendations.dialog(frm), __("Create"));
};

auto_service_crm.recommendations.dialog = function (frm) {
	const vehicle = frm.doctype === "Sales Order" ? frm.doc.customer_vehicle : frm.doc.vehicle;
	const dialog = new frappe.ui.Dialog({
		title: __("Add Recommendation"),
		fields: [
			{
				fieldname: "description",
				fieldtype: "Small Text",
				label: __("Recommended Work"),
				reqd: 1,
				description: __("What the service advisor recommends, e.g. replace the brake pads"),
			},
			{ fieldname: "work_type", fieldtype: "Link", options: "Work Type", label: __("Work Type") },
			{
				fieldname: "vehicle",
				fieldtype: "Link",
				options: "Customer Vehicle",
				label: __("Vehicle"),
				default: vehicle,
				get_query: () => ({ filters: { customer: frm.doc.customer } }),
			},
			{ fieldtype: "Section Break", label: __("Due") },
			{ fieldname: "due_mileage", fieldtype: "Int", label: __("Due at Mileage (km)") },
			{ fieldtype: "Column Break" },
			{ fieldname: "due_date", fieldtype: "Date", label: __("Due Date") },
		],
		primary_action_label: __("Add"),
		primary_action(values) {
			frappe.db
				.insert({
					doctype: "Service Recommendation",
					source_doctype: frm.doctype,
					source_name: frm.doc.name,
					customer: frm.doc.customer,
					...values,
				})
				.then((doc) => {
					dialog.hide();
					frappe.show_alert({ message: __("Recommendation {0} added", [doc.name]), indicator: "green" });
					frm.reload_doc();
				});
		},
	});
	dialog.show();
};

frappe.ui.form.on("Service Request", {
	refresh(frm) {
		auto_service_crm.recommendations.add_button(frm);
	},
});

frappe.ui.form.on("Sales Order", {
	refresh(frm) {
		if (frm.is_new() || frm.doc.docstatus === 2 || !frm.doc.customer) return;
		frappe
			.xcall("auto_service_crm.recommendations.is_repair_order", { sales_order: frm.doc.name })
			.then((yes) => yes && auto_service_crm.recommendations.add_button(frm));
	},
});
