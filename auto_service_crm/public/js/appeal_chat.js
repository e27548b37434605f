// Copyright (c) 2026, auto_service_crm contributors
// For license information, please see license.txt

// The conversation of a chat appeal on its form: «Reply» answers the client in the conversation's
// own messenger (auto_service_crm.messengers.outbound.send_reply), and a new message of the
// conversation, the client's or an operator's, redraws the event feed at once (the realtime event
// auto_service_crm_appeal_message, published to the appeal's document room).

frappe.ui.form.on("Appeal", {
	setup() {
		// one listener for every Appeal form: the event names the appeal it is about
		frappe.realtime.off("auto_service_crm_appeal_message");
		frappe.realtime.on("auto_service_crm_appeal_message", (data) => {
			const frm = window.cur_frm;
			if (!frm || frm.doctype !== "Appeal" || !data || frm.doc.name !== data.appeal) return;
			// the operator's own reply: send_reply's answer already redraws the feed
			if (data.sent_or_received === "Sent" && data.user === frappe.session.user) return;
			refresh_feed(frm);
		});
	},

	refresh(frm) {
		if (frm.is_new() || frm.doc.channel !== "Chat" || !frm.doc.chat_platform || !frm.doc.conversation_id) {
			return;
		}
		if (frm.perm && frm.perm[0] && frm.perm[0].write) {
			frm.add_custom_button(__("Reply"), () => reply_dialog(frm));
		}
	},
});

function reply_dialog(frm) {
	const dialog = new frappe.ui.Dialog({
		title: __("Reply to the Client in {0}", [__(frm.doc.chat_platform)]),
		fields: [{ fieldname: "text", fieldtype: "Small Text", label: __("Message"), reqd: 1 }],
		primary_action_label: __("Send"),
		primary_action({ text }) {
			dialog.disable_primary_action();
			frappe
				.xcall("auto_service_crm.messengers.outbound.send_reply", { appeal: frm.doc.name, text })
				.then((result) => {
					// not delivered: the server has shown the provider's reason, and kept the reply
					dialog.hide();
					if (result.delivered) {
						frappe.show_alert({
							message: result.template
								? __("Sent as the template {0}", [result.template])
								: __("The reply was sent"),
							indicator: "green",
						});
					}
					refresh_feed(frm);
				})
				.finally(() => dialog.enable_primary_action());
		},
	});
	dialog.show();
}

function refresh_feed(frm) {
	// the feed is drawn by the form's own script (appeal.js) when the form refreshes; a refresh
	// keeps what the operator has typed and not saved
	const appeal = (window.auto_service_crm && window.auto_service_crm.appeal) || {};
	if (typeof appeal.render_feed === "function") {
		appeal.render_feed(frm);
	} else {
		frm.refresh();
	}
}
