// The names the app ships (and the consultant's own, when translated) in the reader's language.
frappe.listview_settings["Appeal Result"] = {
	formatters: {
		name: (value) => __(value),
		result_name: (value) => __(value),
	},
};
