# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from auto_service_crm.settings import normalized_phone


class AdChannel(Document):
	def validate(self):
		for row in self.phone_numbers:
			row.phone_normalized = normalized_phone(row.phone_number)
			if not row.phone_normalized:
				frappe.throw(
					_("Row {0}: {1} is not a phone number").format(row.idx, frappe.bold(row.phone_number)),
					title=_("Invalid Phone"),
				)
