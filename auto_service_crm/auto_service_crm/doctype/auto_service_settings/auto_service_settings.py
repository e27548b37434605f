# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import time_diff_in_seconds

from auto_service_crm.automatic_rules import settings_into_rules
from auto_service_crm.rules.phone_numbers import is_valid_region


class AutoServiceSettings(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		callback_appeal_status: DF.Link | None
		client_email_language: DF.Link | None
		default_company: DF.Link | None
		default_phone_region: DF.Data
		default_service_interval_km: DF.Int
		default_service_interval_months: DF.Int
		dial_attempts: DF.Int
		dial_interval_seconds: DF.Int
		dial_token: DF.Password | None
		dial_url: DF.Data | None
		group_number: DF.Data | None
		holiday_list: DF.Link | None
		invitation_days_before: DF.Int
		invite_by_email: DF.Check
		invite_by_sms: DF.Check
		jivosite_token: DF.Password | None
		mango_api_key: DF.Data | None
		mango_api_salt: DF.Password | None
		min_mileage_readings: DF.Int
		min_reading_span_days: DF.Int
		mobile_app_token: DF.Password | None
		refused_request_lookback_days: DF.Int
		repair_order_rule: DF.Literal["Is Repair Order Checked", "Order Type"]
		repair_order_type: DF.Data | None
		same_day_appeal_threshold: DF.Int
		specialists_see_own_appeals: DF.Check
		supervisor_role: DF.Link | None
		telegram_secret_token: DF.Password | None
		telephony_token: DF.Password | None
		website_form_token: DF.Password | None
		whatsapp_app_secret: DF.Password | None
		whatsapp_verify_token: DF.Password | None
		work_day_end: DF.Time | None
		work_day_start: DF.Time | None
		zadarma_secret: DF.Password | None

	# end: auto-generated types
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
			frappe.throw(
				_("Enter the Sales Order type that marks repair orders"), title=_("Order Type Missing")
			)
		if (
			self.work_day_start
			and self.work_day_end
			and time_diff_in_seconds(self.work_day_end, self.work_day_start) < 3600
		):
			frappe.throw(
				_("The work day must end at least an hour after it starts"), title=_("Invalid Working Hours")
			)

	def on_update(self):
		settings_into_rules(self)
