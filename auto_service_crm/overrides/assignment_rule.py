"""Frappe's Assignment Rule, stepping aside for appeals while a delivery is being filed.

Frappe applies the rules in the transaction that saves the document and writes the round robin's
``last_user`` there, so each filing held the rule's row until commit and all intake queued on it.
The app routes a filed appeal after its filing instead (``auto_service_crm/routing.py``); every
other document, and an appeal saved in the desk, is assigned as Frappe does.
"""

from frappe.automation.doctype.assignment_rule.assignment_rule import AssignmentRule

from auto_service_crm.routing import is_deferred


class AutoServiceAssignmentRule(AssignmentRule):
	def apply_assign(self, doc):
		if is_deferred(self.document_type):
			return False
		return super().apply_assign(doc)
