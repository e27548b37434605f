# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class AppealResult(Document):
	def validate(self):
		if self.action != "Hand Off to Service Request":
			self.service_request_kind = None
		if self.service_request_kind != "Parts" and (self.reserve_stock or self.record_sale):
			frappe.throw(_("Only a parts result can reserve stock or record a sale"), title=_("Not a Parts Result"))
