// The appeal's short form titled in the reader's grammar: Frappe titles it «New {0}» with the
// DocType's name, which Russian reads «Новый Обращение»; «New Appeal» has its own translation.
frappe.provide("frappe.ui.form");

frappe.ui.form.AppealQuickEntryForm = class AppealQuickEntryForm extends frappe.ui.form.QuickEntryForm {
	render_dialog() {
		super.render_dialog();
		this.dialog.set_title(__("New Appeal"));
	}
};
