# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class AppealResult(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		action: DF.Literal[
			"Close Appeal", "Hand Off to Service Request", "Redirect", "Continue Service Request"
		]
		appeal_status: DF.Link | None
		description: DF.SmallText | None
		record_sale: DF.Check
		requires_assignee: DF.Check
		requires_booking_time: DF.Check
		requires_callback_time: DF.Check
		requires_items: DF.Check
		requires_reason: DF.Check
		requires_sales_order: DF.Check
		reserve_stock: DF.Check
		result_name: DF.Data
		service_request_kind: DF.Literal["", "Repair", "Parts"]
		service_request_status: DF.Link | None

	# end: auto-generated types
	def validate(self):
		if self.action != "Hand Off to Service Request":
			self.service_request_kind = None
		if self.service_request_kind != "Parts" and (self.reserve_stock or self.record_sale):
			frappe.throw(
				_("Only a parts result can reserve stock or record a sale"), title=_("Not a Parts Result")
			)
