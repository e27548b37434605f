// Copyright (c) 2026, auto_service_crm contributors
// For license information, please see license.txt

// frappe.ui.form.on("Automatic Category Rule", {
// 	refresh(frm) {
// 	},
// });
