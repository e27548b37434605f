# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

from frappe.model.document import Document


class ServiceRequestItem(Document):
	pass
