# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from auto_service_crm.settings import get_settings
from auto_service_crm.status import CLOSED_CATEGORIES, category_of, default_status
from auto_service_crm.times import now_in_seconds, round_datetimes


class ServiceRequest(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from auto_service_crm.auto_service_crm.doctype.service_request_item.service_request_item import (
			ServiceRequestItem,
		)
		from auto_service_crm.auto_service_crm.doctype.work_type_detail.work_type_detail import WorkTypeDetail

		appointment: DF.Link | None
		booking_time: DF.Datetime | None
		callback_at: DF.Datetime | None
		client_name: DF.Data | None
		closed_on: DF.Datetime | None
		company: DF.Link | None
		contact: DF.Link | None
		customer: DF.Link | None
		description: DF.SmallText | None
		email: DF.Data | None
		items: DF.Table[ServiceRequestItem]
		kind: DF.Literal["Repair", "Parts"]
		mileage: DF.Int
		naming_series: DF.Literal["SR-.YYYY.-"]
		phone: DF.Data | None
		refusal_reason: DF.SmallText | None
		request_date: DF.Datetime
		sales_order: DF.Link | None
		source_appeal: DF.Link | None
		status: DF.Link | None
		title: DF.Data | None
		vehicle: DF.Link | None
		vehicle_model: DF.Link | None
		work_types: DF.TableMultiSelect[WorkTypeDetail]

	# end: auto-generated types
	def validate(self):
		round_datetimes(self)
		if not self.status:
			self.status = default_status("Service Request Status")
		if not self.company:
			self.company = get_settings().default_company or frappe.defaults.get_user_default("Company")
		if self.customer and not self.client_name:
			self.client_name = frappe.db.get_value("Customer", self.customer, "customer_name")
		if self.kind == "Parts" and any(not item.qty or item.qty <= 0 for item in self.items):
			frappe.throw(_("Every part needs a quantity above zero"), title=_("Invalid Quantity"))
		# who the request is for, in no language: its kind shows beside it, translated for the reader
		self.title = self.client_name or self.name
		self.set_closed_on()

	def set_closed_on(self):
		"""When the request was completed or refused; a reopened request is open again."""
		if category_of("Service Request Status", self.status) in CLOSED_CATEGORIES:
			if not self.closed_on or self.has_value_changed("status"):
				self.closed_on = now_in_seconds()
		else:
			self.closed_on = None
