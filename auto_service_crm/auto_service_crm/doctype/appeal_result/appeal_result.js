// Copyright (c) 2026, auto_service_crm contributors
// For license information, please see license.txt

// The required fields are chosen among the Appeal's fields that hold a value, its custom fields
// (Customize Form) included.
const LAYOUT_TYPES = ["Section Break", "Column Break", "Tab Break", "HTML", "Button", "Image", "Fold", "Heading"];

frappe.ui.form.on("Appeal Result", {
	setup(frm) {
		frappe.model.with_doctype("Appeal", () => {
			const options = frappe
				.get_meta("Appeal")
				.fields.filter((df) => !LAYOUT_TYPES.includes(df.fieldtype))
				.map((df) => ({ value: df.fieldname, label: `${__(df.label || df.fieldname)} (${df.fieldname})` }));
			frm.fields_dict.required_fields.grid.update_docfield_property("fieldname", "options", options);
		});
	},
});

frappe.ui.form.on("Appeal Result Required Field", {
	fieldname(frm, cdt, cdn) {
		const row = locals[cdt][cdn];
		const df = frappe.meta.get_docfield("Appeal", row.fieldname);
		frappe.model.set_value(cdt, cdn, "label", df ? df.label : "");
	},
});
