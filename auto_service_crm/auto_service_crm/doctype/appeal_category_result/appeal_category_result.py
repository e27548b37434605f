# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

from frappe.model.document import Document


class AppealCategoryResult(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		action: DF.Literal[
			"", "Close Appeal", "Hand Off to Service Request", "Redirect", "Continue Service Request"
		]
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		result: DF.Link
	# end: auto-generated types
	pass
