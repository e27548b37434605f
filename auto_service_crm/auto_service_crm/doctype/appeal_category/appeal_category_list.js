// The names the app ships (and the consultant's own, when translated) in the reader's language.
frappe.listview_settings["Appeal Category"] = {
	formatters: {
		name: (value) => __(value),
		category_name: (value) => __(value),
	},
};
