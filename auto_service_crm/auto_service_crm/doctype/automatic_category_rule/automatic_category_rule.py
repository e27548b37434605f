# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

from frappe.model.document import Document

from auto_service_crm.automatic_rules import forget_rules, rule_into_settings, validate_rule


class AutomaticCategoryRule(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from auto_service_crm.auto_service_crm.doctype.automatic_category_rule_condition.automatic_category_rule_condition import (
			AutomaticCategoryRuleCondition,
		)

		category: DF.Link
		conditions: DF.Table[AutomaticCategoryRuleCondition]
		description: DF.SmallText | None
		enabled: DF.Check
		link_request: DF.Literal["", "Open Service Request", "Refused Service Request"]
		reason: DF.Data
		rule_name: DF.Data
		rule_order: DF.Int

	# end: auto-generated types
	def validate(self):
		validate_rule(self)

	def on_update(self):
		rule_into_settings(self)
		forget_rules()

	def on_trash(self):
		forget_rules()
