// Copyright (c) 2026, auto_service_crm contributors
// For license information, please see license.txt

frappe.ui.form.on("Intake Payload", {
	refresh(frm) {
		// a payload that could not be filed is filed again once its cause is fixed
		if (frm.doc.status !== "Failed" || !frm.perm[0]?.write) return;
		frm.add_custom_button(__("Replay"), () =>
			frm.call("replay").then((r) => {
				frm.reload_doc();
				const appeals = r.message || [];
				frappe.show_alert({
					message: appeals.length
						? __("Filed as {0}", [appeals.join(", ")])
						: __("Filed again: see the status"),
					indicator: appeals.length ? "green" : "orange",
				});
			})
		);
	},
});
