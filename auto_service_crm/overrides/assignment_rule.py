"""Frappe's Assignment Rule: stepping aside for appeals while a delivery is filed, and, on Appeal,
a round robin whose turns are counted in the site's Redis.

Frappe applies the rules in the transaction that saves the document and writes the round robin's
``last_user`` there, so each filing held the rule's row until commit and all intake queued on it.
The app routes a filed appeal after its filing instead (``auto_service_crm/routing.py``); every
other document, and an appeal saved in the desk, is assigned as Frappe does.

Frappe's round robin reads the rule's ``last_user`` from its cached document and writes it with
``db_set``, which loads the rule again, locking it, and drops it from the cache, so that the next
routing loads it once more: six queries for each appeal. Two filings routing at once both read the
same ``last_user`` and gave their appeals to the same operator (every second appeal, with two
filing jobs). A round robin rule on Appeal takes its turns from a counter in the site's Redis
(``routing.next_in_turn``): each routing the next user, whatever runs beside it; the user given
the appeal is still written on the rule's row as its ``last_user`` (``routing.note_turn``), where
the desk shows it and where the counter starts from when Redis has lost it or the rule is saved.
"""

from frappe.automation.doctype.assignment_rule.assignment_rule import AssignmentRule

from auto_service_crm import routing


class AutoServiceAssignmentRule(AssignmentRule):
	def apply_assign(self, doc):
		if routing.is_deferred(self.document_type):
			return False
		return super().apply_assign(doc)

	def get_user_round_robin(self):
		if self.document_type == routing.DOCTYPE:
			return routing.next_in_turn(self) or super().get_user_round_robin()
		return super().get_user_round_robin()

	def db_set(self, fieldname, value=None, *args, **kwargs):
		if (
			fieldname == "last_user"
			and self.document_type == routing.DOCTYPE
			and routing.note_turn(self, value)
		):
			return
		return super().db_set(fieldname, value, *args, **kwargs)

	def clear_cache(self):
		super().clear_cache()
		if self.document_type == routing.DOCTYPE:
			routing.forget_turns(self.name)
