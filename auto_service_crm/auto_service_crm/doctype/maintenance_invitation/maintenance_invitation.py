# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

from frappe.model.document import Document

from auto_service_crm.settings import get_settings


class MaintenanceInvitation(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		appeal: DF.Link | None
		contact: DF.Link | None
		customer: DF.Link | None
		customer_name: DF.Data | None
		due_date: DF.Date | None
		due_mileage: DF.Int
		email: DF.Data | None
		invitation_key: DF.Data | None
		km_per_day: DF.Float
		last_service_date: DF.Date | None
		naming_series: DF.Literal["MI-.YYYY.-"]
		phone: DF.Data | None
		reason: DF.SmallText | None
		recommendation: DF.Link | None
		sent_email: DF.Check
		sent_sms: DF.Check
		service_request: DF.Link | None
		status: DF.Literal["Invited", "Booked"]
		vehicle: DF.Link
		vehicle_model: DF.Link | None
		vehicle_title: DF.Data | None
	# end: auto-generated types

	@property
	def client_language(self) -> str:
		"""The language of the invitation to the client: Auto Service Settings' Client Email Language
		(Russian when not set); the Notifications' conditions read it."""
		return get_settings().client_email_language or "ru"
