# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

from frappe.model.document import Document

from auto_service_crm.status import forget_statuses, keep_single_default


class ServiceRequestStatus(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		category: DF.Literal["Open", "Paused", "Completed", "Refused"]
		color: DF.Color | None
		description: DF.SmallText | None
		is_default: DF.Check
		status_name: DF.Data

	# end: auto-generated types
	def on_update(self):
		keep_single_default(self)
		forget_statuses()

	def on_trash(self):
		forget_statuses()
