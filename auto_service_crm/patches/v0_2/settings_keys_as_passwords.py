"""Mango Office's API key was a Data field of Auto Service Settings: it becomes a Password, so that
the key is stored encrypted and shown to nobody, and the earlier versions of the settings that
recorded it in plain text forget it."""

import json

import frappe
from frappe.utils.password import set_encrypted_password

SETTINGS = "Auto Service Settings"
FIELDS = ("mango_api_key",)


def execute():
	singles = frappe.qb.DocType("Singles")
	for field in FIELDS:
		rows = (
			frappe.qb.from_(singles)
			.select(singles.value)
			.where((singles.doctype == SETTINGS) & (singles.field == field))
			.run(pluck=True)
		)
		value = rows[0] if rows else None
		if value and set(value) != {"*"}:
			set_encrypted_password(SETTINGS, SETTINGS, value, field)
			frappe.db.set_single_value(SETTINGS, field, "*" * len(value))
	for name, data in frappe.get_all(
		"Version", filters={"ref_doctype": SETTINGS}, fields=["name", "data"], as_list=True
	):
		scrubbed = scrub(data)
		if scrubbed != data:
			frappe.db.set_value("Version", name, "data", scrubbed, update_modified=False)


def scrub(data: str | None) -> str | None:
	"""A Version's data with the values of the fields that became passwords masked."""
	try:
		diff = json.loads(data or "{}")
	except ValueError:
		return data
	changed = False
	for row in diff.get("changed") or []:
		if len(row) == 3 and row[0] in FIELDS:
			row[1], row[2] = ("*****" if row[1] else row[1]), ("*****" if row[2] else row[2])
			changed = True
	return json.dumps(diff, separators=(",", ":")) if changed else data
