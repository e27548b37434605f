# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document


class IntakePayload(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		appeal: DF.Link | None
		attempts: DF.Int
		channel: DF.Link | None
		content_type: DF.Data | None
		dedupe_key: DF.Data | None
		error: DF.Code | None
		external_id: DF.Data | None
		payload: DF.Code | None
		provider: DF.Data | None
		received_on: DF.Datetime | None
		status: DF.Literal["Received", "Processed", "Duplicate", "Ignored", "Failed"]
		thread: DF.Data | None
	# end: auto-generated types

	@frappe.whitelist()
	def replay(self):
		"""File this payload again, once the cause of its failure is fixed."""
		self.check_permission("write")
		from auto_service_crm.api import replay

		return replay(self.name)


def on_doctype_update():
	"""A job takes its thread's waiting deliveries oldest first; the sweep finds the waiting ones."""
	frappe.db.add_index("Intake Payload", ["thread", "status", "creation"], "thread_status_creation")
	frappe.db.add_index("Intake Payload", ["status", "creation"], "status_creation")
