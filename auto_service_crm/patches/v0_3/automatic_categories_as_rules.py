"""The automatic categories become Automatic Category Rule records (issue 14).

Earlier versions set a category by Appeal Category's Select *Set Automatically When* and read the
thresholds from Auto Service Settings. The shipped rules are made with the category each site had
given the Select's rule (disabled when no category had it), and with the settings' values
(*Appeals in One Day for Call Continuation*, 0 = off; *Look Back for Refused Service Requests*).
The Select's column is left in the table, unused.
"""

import frappe

from auto_service_crm.automatic_rules import settings_values_into_rules
from auto_service_crm.setup.install import make_automatic_category_rules

# the shipped rule → the value of the Select it replaces
EARLIER_RULE = {
	"Open Repair Order": "Open Repair Order",
	"Call Continuation: Appeals Today": "Call Continuation",
	"Call Continuation: Open Service Request": "Call Continuation",
	"Recently Refused Service Request": "Recently Refused Service Request",
}


def execute():
	if frappe.db.count("Automatic Category Rule"):
		return
	categories = None
	if frappe.db.has_column("Appeal Category", "automatic_rule"):
		category = frappe.qb.DocType("Appeal Category")
		rows = (
			frappe.qb.from_(category)
			.select(category.automatic_rule, category.name)
			.where(category.automatic_rule.isnotnull() & (category.automatic_rule != ""))
			.orderby(category.display_order)
			.run()
		)
		by_rule: dict[str, str] = {}
		for rule, name in rows:
			by_rule.setdefault(rule, name)
		categories = {shipped: by_rule.get(earlier) for shipped, earlier in EARLIER_RULE.items()}
	make_automatic_category_rules(categories)
	settings_values_into_rules()
