"""ERPNext's Service Level Agreement, loaded from Frappe's document cache.

ERPNext applies the agreement to every new appeal (its ``apply``, on validate) and loads it from the
database each time: its row and its four tables (priorities, service days, the statuses that pause
and fulfil it), and then the row of the appeal's priority once more, six queries for what a
consultant changes once in a while. A load that does not lock the agreement is copied from
Frappe's document cache, which Frappe clears whenever an agreement is saved, changed by
``set_value``, renamed or deleted (and again when that transaction ends); a locking load reads the
database. The priority is read from the agreement's own table of priorities. Which agreement
applies, and what it sets on the document, is ERPNext's own.
"""

import copy

import frappe

from erpnext.support.doctype.service_level_agreement.service_level_agreement import (
	ServiceLevelAgreement,
)

from auto_service_crm.overrides.loading import load_from_values


class AutoServiceServiceLevelAgreement(ServiceLevelAgreement):
	def load_from_db(self):
		if self.flags.for_update or not isinstance(self.name, str):
			return super().load_from_db()
		key = frappe.get_document_cache_key(self.doctype, self.name)
		kept = frappe.cache.get_value(key)
		if kept is None:
			super().load_from_db()
			frappe.cache.set_value(key, copy.deepcopy(self))  # not this document, which its caller may change
			return self
		return load_from_values(self, kept.as_dict(convert_dates_to_str=False))

	def get_service_level_agreement_priority(self, priority):
		row = next((row for row in self.priorities if row.priority == priority), None)
		if row is None:
			return super().get_service_level_agreement_priority(priority)  # ERPNext's error
		return frappe._dict(
			{
				"priority": row.priority,
				"response_time": row.response_time,
				"resolution_time": row.resolution_time,
			}
		)
