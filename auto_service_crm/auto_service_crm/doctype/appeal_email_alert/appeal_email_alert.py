# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

from frappe.model.document import Document


class AppealEmailAlert(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		email_template: DF.Link
		enabled: DF.Check
		event: DF.Literal[
			"Appeal Registered", "Appeal Closed", "Appeal Assigned", "Callback Overdue", "SLA Breached"
		]
		language: DF.Link | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		recipient: DF.Literal["Client", "Assignee", "Supervisor"]
	# end: auto-generated types
	pass
