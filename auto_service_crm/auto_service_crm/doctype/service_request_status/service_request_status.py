# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

from frappe.model.document import Document

from auto_service_crm.status import keep_single_default


class ServiceRequestStatus(Document):
	def on_update(self):
		keep_single_default(self)
