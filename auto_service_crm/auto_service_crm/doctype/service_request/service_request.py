# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from auto_service_crm.settings import get_settings
from auto_service_crm.status import default_status


class ServiceRequest(Document):
	def validate(self):
		if not self.status:
			self.status = default_status("Service Request Status")
		if not self.company:
			self.company = get_settings().default_company or frappe.defaults.get_user_default("Company")
		if self.customer and not self.client_name:
			self.client_name = frappe.db.get_value("Customer", self.customer, "customer_name")
		if self.kind == "Parts" and any(not item.qty or item.qty <= 0 for item in self.items):
			frappe.throw(_("Every part needs a quantity above zero"), title=_("Invalid Quantity"))
		self.title = " · ".join(filter(None, (self.client_name, _(self.kind)))) or _("New Service Request")
