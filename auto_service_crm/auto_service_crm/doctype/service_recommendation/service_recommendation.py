# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from auto_service_crm.clients import repair_order_filters_from_settings

# the documents a recommendation is recorded on, and the field of each that names the client's car
SOURCE_VEHICLE_FIELDS = {"Service Request": "vehicle", "Sales Order": "customer_vehicle"}


class ServiceRecommendation(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		appeal: DF.Link | None
		booked_in: DF.Link | None
		customer: DF.Link
		customer_name: DF.Data | None
		description: DF.SmallText
		due_date: DF.Date | None
		due_mileage: DF.Int
		naming_series: DF.Literal["REC-.YYYY.-"]
		source_doctype: DF.Link | None
		source_name: DF.DynamicLink | None
		status: DF.Literal["Open", "Booked", "Done", "Declined"]
		vehicle: DF.Link | None
		work_type: DF.Link | None

	# end: auto-generated types
	def validate(self):
		self.take_client_from_source()
		self.validate_vehicle_owner()

	def take_client_from_source(self):
		"""A recommendation recorded on a Service Request or a repair order is for that document's client
		and car: they are taken from it when not given, and may not differ from it."""
		if not self.source_doctype and not self.source_name:
			return
		if self.source_doctype not in SOURCE_VEHICLE_FIELDS or not self.source_name:
			frappe.throw(
				_("A recommendation is recorded on a Service Request or a repair order"),
				title=_("Invalid Source"),
			)
		if self.source_doctype == "Sales Order" and not frappe.db.exists(
			"Sales Order", {"name": self.source_name, **repair_order_filters_from_settings()}
		):
			frappe.throw(
				_("Sales Order {0} is not a repair order").format(frappe.bold(self.source_name)),
				title=_("Invalid Source"),
			)
		vehicle_field = SOURCE_VEHICLE_FIELDS[self.source_doctype]
		source = frappe.db.get_value(
			self.source_doctype, self.source_name, ["customer", vehicle_field], as_dict=True
		)
		if not source:
			frappe.throw(
				_("{0} {1} does not exist").format(_(self.source_doctype), frappe.bold(self.source_name)),
				title=_("Invalid Source"),
			)
		if not source.customer:
			frappe.throw(
				_("{0} {1} has no customer to recommend work to").format(
					_(self.source_doctype), frappe.bold(self.source_name)
				),
				title=_("Invalid Source"),
			)
		self.customer = self.customer or source.customer
		self.vehicle = self.vehicle or source.get(vehicle_field)
		if self.customer != source.customer:
			frappe.throw(
				_("The recommendation's customer must be the customer of {0} {1}").format(
					_(self.source_doctype), frappe.bold(self.source_name)
				),
				title=_("Invalid Customer"),
			)

	def validate_vehicle_owner(self):
		"""The recommended car is one of the customer's cars."""
		if not self.vehicle:
			return
		owner = frappe.db.get_value("Customer Vehicle", self.vehicle, "customer")
		if owner != self.customer:
			frappe.throw(
				_("Vehicle {0} is not a car of customer {1}").format(
					frappe.bold(self.vehicle), frappe.bold(self.customer)
				),
				title=_("Invalid Vehicle"),
			)
