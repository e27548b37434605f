"""ERPNext's Call Log, finding the caller's Contact through the app's indexed normalized phone, and
without ERPNext's call popup, which the app's call card replaces (``telephony/screen_pop.py``).

ERPNext links a new Call Log to the caller's Contact with ``Contact Phone.phone LIKE '%<number>'``,
which reads every contact phone of the site on each new call (about 100 ms with 200 000 contacts:
benchmarks/README.md), and misses a number written another way («8 (916) …» for «+7 916 …»). The
app keeps every Contact Phone's number normalized and indexed (``phone_normalized``), so the same
Contact is found with one index lookup. The Lead and the employee who received the call are found
as ERPNext finds them; a number the app cannot read goes through ERPNext's own lookup.
"""

import frappe

from erpnext.crm.doctype.lead.lead import get_lead_with_phone_number
from erpnext.crm.doctype.utils import strip_number
from erpnext.telephony.doctype.call_log.call_log import CallLog

from auto_service_crm.settings import normalized_phone


class AutoServiceCallLog(CallLog):
	def before_insert(self):
		number = self.get("from") if self.is_incoming_call() else self.get("to")
		normalized = normalized_phone(number)
		if not normalized:
			return super().before_insert()
		if contact := contact_with_phone(normalized):
			self.add_link(link_type="Contact", link_name=contact)
		if lead := get_lead_with_phone_number(strip_number(number)):
			self.add_link(link_type="Lead", link_name=lead)
		if self.is_incoming_call():
			self.update_received_by()

	def trigger_call_popup(self):
		"""ERPNext's popup (``show_call_popup`` to the Employees of Incoming Call Settings) would show a
		second card beside the app's, which knows the client's cars, requests and appeal."""


def contact_with_phone(phone_normalized: str) -> str | None:
	"""The first Contact that has the number (ERPNext links one Contact per call)."""
	contacts = frappe.get_all(
		"Contact Phone",
		filters={"phone_normalized": phone_normalized, "parenttype": "Contact"},
		pluck="parent",
		order_by="creation asc",
		limit=1,
	)
	return contacts[0] if contacts else None
