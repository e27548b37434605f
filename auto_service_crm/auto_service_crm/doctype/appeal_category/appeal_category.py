# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class AppealCategory(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from auto_service_crm.auto_service_crm.doctype.appeal_category_result.appeal_category_result import (
			AppealCategoryResult,
		)

		call_script: DF.TextEditor | None
		category_group: DF.Data | None
		category_name: DF.Data
		closing_status: DF.Link | None
		description: DF.SmallText | None
		display_order: DF.Int
		is_targeted: DF.Check
		on_selection: DF.Literal["Ask for Result", "Close Appeal", "Continue Service Request"]
		results: DF.Table[AppealCategoryResult]
		show_in_list: DF.Check

	# end: auto-generated types
	def validate(self):
		results = [row.result for row in self.results]
		duplicates = sorted({result for result in results if results.count(result) > 1})
		if duplicates:
			frappe.throw(
				_("Results listed twice: {0}").format(", ".join(duplicates)), title=_("Duplicate Result")
			)
		if self.on_selection == "Ask for Result" and not results:
			frappe.throw(
				_("List the results the operator can choose for this category"), title=_("No Results")
			)
		if self.on_selection != "Ask for Result" and results:
			frappe.throw(
				_("A category that closes the appeal or continues a Service Request has no results"),
				title=_("Results Not Used"),
			)
