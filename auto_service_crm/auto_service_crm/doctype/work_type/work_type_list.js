// The names the app ships (and the consultant's own, when translated) in the reader's language.
frappe.listview_settings["Work Type"] = {
	formatters: {
		name: (value) => __(value),
		work_type_name: (value) => __(value),
	},
};
