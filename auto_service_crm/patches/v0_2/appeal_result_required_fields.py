"""An Appeal Result required its fields by six checkboxes; now it lists any fields of the Appeal in
its Required Fields. Each ticked checkbox becomes a row of that list (once: a field already listed
is not added again); the old columns stay in the table, as Frappe leaves a removed field's column."""

import frappe

# the checkbox of earlier versions → the Appeal field it required
OLD_CHECKBOXES = (
	("requires_booking_time", "booking_time"),
	("requires_callback_time", "callback_at"),
	("requires_assignee", "redirect_to"),
	("requires_reason", "result_reason"),
	("requires_items", "items"),
	("requires_sales_order", "sales_order"),
)


def execute():
	columns = [flag for flag, _field in OLD_CHECKBOXES if frappe.db.has_column("Appeal Result", flag)]
	if not columns:
		return
	table = frappe.qb.DocType("Appeal Result")
	for row in frappe.qb.from_(table).select(table.name, *columns).run(as_dict=True):
		convert(row.pop("name"), row)


def required_fields_of(old: dict) -> list[str]:
	"""The Appeal fields that the ticked checkboxes of ``old`` required, in the checkboxes' order."""
	return [field for flag, field in OLD_CHECKBOXES if frappe.utils.cint(old.get(flag))]


def convert(result: str, old: dict) -> list[str]:
	"""Add to the result's Required Fields what its old checkboxes required; return what was added."""
	doc = frappe.get_doc("Appeal Result", result)
	listed = {row.fieldname for row in doc.required_fields}
	meta = frappe.get_meta("Appeal")
	added = []
	for field in required_fields_of(old):
		if field in listed:
			continue
		doc.append("required_fields", {"fieldname": field, "label": meta.get_label(field)}).db_insert()
		added.append(field)
	if added:
		frappe.clear_document_cache("Appeal Result", result)
	return added
