# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

from frappe.model.document import Document


class AutomaticCategoryRuleCondition(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		fact: DF.Literal[
			"Appeals Today",
			"Open Service Requests",
			"Open Repair Orders",
			"Days Since a Service Request Was Refused",
			"Client Kind",
			"Channel",
			"Ad Channel",
		]
		operator: DF.Literal["=", "!=", ">", ">=", "<", "<=", "In", "Not In", "Is Set", "Is Not Set"]
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		value: DF.Data | None

	# end: auto-generated types
	pass
