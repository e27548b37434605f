# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class AppealCategory(Document):
	def validate(self):
		results = [row.result for row in self.results]
		duplicates = sorted({result for result in results if results.count(result) > 1})
		if duplicates:
			frappe.throw(_("Results listed twice: {0}").format(", ".join(duplicates)), title=_("Duplicate Result"))
		if self.on_selection == "Ask for Result" and not results:
			frappe.throw(_("List the results the operator can choose for this category"), title=_("No Results"))
		if self.on_selection != "Ask for Result" and results:
			frappe.throw(
				_("A category that closes the appeal or continues a Service Request has no results"),
				title=_("Results Not Used"),
			)
