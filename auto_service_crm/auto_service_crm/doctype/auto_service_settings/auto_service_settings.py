# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import get_time

from auto_service_crm.rules.phone_numbers import is_valid_region


class AutoServiceSettings(Document):
	def validate(self):
		self.default_phone_region = (self.default_phone_region or "").upper()
		if not is_valid_region(self.default_phone_region):
			frappe.throw(
				_("{0} is not a two-letter country code known to the phone library").format(
					frappe.bold(self.default_phone_region)
				),
				title=_("Invalid Region"),
			)
		if self.repair_order_rule == "Order Type" and not self.repair_order_type:
			frappe.throw(_("Enter the Sales Order type that marks repair orders"), title=_("Order Type Missing"))
		if self.work_day_start and self.work_day_end and get_time(self.work_day_start) >= get_time(self.work_day_end):
			frappe.throw(_("The work day must end after it starts"), title=_("Invalid Working Hours"))
