# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from auto_service_crm.clients import get_client_kind
from auto_service_crm.settings import normalized_phone
from auto_service_crm.status import default_status


class Appeal(Document):
	def validate(self):
		self.set_normalized_phone()
		self.set_client()
		self.validate_vehicle()
		if not self.status:
			self.status = default_status("Appeal Status")
		self.title = " · ".join(filter(None, (self.client_name or self.phone, self.category))) or _("New Appeal")

	def set_normalized_phone(self):
		self.phone_normalized = normalized_phone(self.phone)
		if self.phone and not self.phone_normalized:
			frappe.throw(_("{0} is not a phone number").format(frappe.bold(self.phone)), title=_("Invalid Phone"))

	def set_client(self):
		if self.customer and (not self.client_name or self.has_value_changed("customer")):
			self.client_name = frappe.db.get_value("Customer", self.customer, "customer_name")
		self.client_kind = get_client_kind(self.customer)

	def validate_vehicle(self):
		if not self.vehicle:
			return
		owner = frappe.db.get_value("Customer Vehicle", self.vehicle, "customer")
		if self.customer and owner != self.customer:
			frappe.throw(
				_("Vehicle {0} belongs to another customer").format(frappe.bold(self.vehicle)),
				title=_("Wrong Vehicle"),
			)
