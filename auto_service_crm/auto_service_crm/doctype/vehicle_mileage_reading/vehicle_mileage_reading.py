# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

from frappe.model.document import Document


class VehicleMileageReading(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		appeal: DF.Link | None
		mileage: DF.Int
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		reading_date: DF.Date
	# end: auto-generated types
	pass
