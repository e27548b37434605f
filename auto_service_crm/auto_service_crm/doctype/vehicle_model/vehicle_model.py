# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

from frappe.model.document import Document


class VehicleModel(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		make: DF.Data
		model: DF.Data
		service_interval_km: DF.Int
		service_interval_months: DF.Int
		year_from: DF.Int
		year_to: DF.Int

	# end: auto-generated types
	pass
