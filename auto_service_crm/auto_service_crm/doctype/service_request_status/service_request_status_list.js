// The names the app ships (and the consultant's own, when translated) in the reader's language.
frappe.listview_settings["Service Request Status"] = {
	formatters: {
		name: (value) => __(value),
		status_name: (value) => __(value),
	},
};
