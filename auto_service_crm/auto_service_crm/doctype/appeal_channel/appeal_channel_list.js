// The names the app ships (and the consultant's own, when translated) in the reader's language.
frappe.listview_settings["Appeal Channel"] = {
	formatters: {
		name: (value) => __(value),
		channel_name: (value) => __(value),
	},
};
