# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model import display_fieldtypes
from frappe.model.document import Document


class AppealResult(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		action: DF.Literal[
			"Close Appeal", "Hand Off to Service Request", "Redirect", "Continue Service Request"
		]
		appeal_status: DF.Link | None
		description: DF.SmallText | None
		from auto_service_crm.auto_service_crm.doctype.appeal_result_required_field.appeal_result_required_field import (
			AppealResultRequiredField,
		)

		record_sale: DF.Check
		required_fields: DF.Table[AppealResultRequiredField]
		reserve_stock: DF.Check
		result_name: DF.Data
		service_request_kind: DF.Literal["", "Repair", "Parts"]
		service_request_status: DF.Link | None

	# end: auto-generated types
	def validate(self):
		if self.action != "Hand Off to Service Request":
			self.service_request_kind = None
		if self.service_request_kind != "Parts" and (self.reserve_stock or self.record_sale):
			frappe.throw(
				_("Only a parts result can reserve stock or record a sale"), title=_("Not a Parts Result")
			)
		self.validate_required_fields()

	def validate_required_fields(self):
		"""Each required field is a field of the Appeal that holds a value (a custom one too),
		listed once."""
		meta = frappe.get_meta("Appeal")
		seen = set()
		for row in self.required_fields:
			row.fieldname = (row.fieldname or "").strip()
			df = meta.get_field(row.fieldname)
			if not df:
				frappe.throw(
					_("Row {0}: the Appeal has no field {1}").format(row.idx, frappe.bold(row.fieldname)),
					title=_("Unknown Field"),
				)
			if df.fieldtype in display_fieldtypes:
				frappe.throw(
					_("Row {0}: {1} of the Appeal is a {2}, which holds no value to require").format(
						row.idx, frappe.bold(_(df.label or df.fieldname)), _(df.fieldtype)
					),
					title=_("Not a Data Field"),
				)
			if row.fieldname in seen:
				frappe.throw(
					_("Row {0}: the field {1} is listed twice").format(
						row.idx, frappe.bold(_(df.label or df.fieldname))
					),
					title=_("Listed Twice"),
				)
			seen.add(row.fieldname)
			row.label = df.label
