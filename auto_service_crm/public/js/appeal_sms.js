// Copyright (c) 2026, auto_service_crm contributors
// For license information, please see license.txt

// «Send SMS» on the appeal's form: the text goes to the appeal's phone through Frappe's SMS
// Settings (auto_service_crm.sms.send_sms_to_client) and stays on the appeal's timeline.

frappe.ui.form.on("Appeal", {
	refresh(frm) {
		if (frm.is_new() || !frm.doc.phone || !(frm.perm && frm.perm[0] && frm.perm[0].write)) {
			return;
		}
		frm.add_custom_button(__("Send SMS"), () => sms_dialog(frm));
	},
});

function sms_dialog(frm) {
	const dialog = new frappe.ui.Dialog({
		title: __("SMS to {0}", [frm.doc.phone_display || frm.doc.phone]),
		fields: [{ fieldname: "message", fieldtype: "Small Text", label: __("Message"), reqd: 1 }],
		primary_action_label: __("Send"),
		primary_action({ message }) {
			dialog.disable_primary_action();
			frappe
				.xcall("auto_service_crm.sms.send_sms_to_client", { appeal: frm.doc.name, message })
				.then((result) => {
					// not sent: the server has shown the gateway's reason, and kept the message
					dialog.hide();
					if (result.sent) {
						frappe.show_alert({ message: __("The SMS was sent"), indicator: "green" });
					}
					frm.reload_doc();
				})
				.finally(() => dialog.enable_primary_action());
		},
	});
	dialog.show();
}
