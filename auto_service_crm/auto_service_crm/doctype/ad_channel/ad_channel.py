# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from auto_service_crm.identification import forget_ad_channels
from auto_service_crm.settings import normalized_phone


class AdChannel(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from auto_service_crm.auto_service_crm.doctype.ad_channel_phone_number.ad_channel_phone_number import (
			AdChannelPhoneNumber,
		)

		ad_channel_name: DF.Data
		description: DF.SmallText | None
		enabled: DF.Check
		monthly_cost: DF.Currency
		phone_numbers: DF.Table[AdChannelPhoneNumber]
		utm_source: DF.Data | None

	# end: auto-generated types
	def validate(self):
		for row in self.phone_numbers:
			row.phone_normalized = normalized_phone(row.phone_number)
			if not row.phone_normalized:
				frappe.throw(
					_("Row {0}: {1} is not a phone number").format(row.idx, frappe.bold(row.phone_number)),
					title=_("Invalid Phone"),
				)

	def on_update(self):
		forget_ad_channels()

	def on_trash(self):
		forget_ad_channels()
