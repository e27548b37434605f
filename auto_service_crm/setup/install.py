"""Install, migrate and uninstall steps: every step is idempotent and keeps a consultant's edits."""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields
from frappe.permissions import setup_custom_perms

from auto_service_crm.setup import defaults
from auto_service_crm.setup.custom_fields import get_custom_fields


def before_install():
	make_roles()


def after_install():
	after_migrate()


def after_migrate():
	make_roles()
	add_erpnext_permissions()
	create_custom_fields(get_custom_fields(), ignore_validate=True)
	make_default_records()
	fill_empty_settings()


def before_uninstall():
	delete_custom_fields(get_custom_fields())
	remove_erpnext_permissions()
	delete_roles()


def make_roles():
	for role in defaults.ROLES:
		if not frappe.db.exists("Role", role):
			frappe.get_doc({"doctype": "Role", "role_name": role, "desk_access": 1}).insert(
				ignore_permissions=True
			)


def make_default_records():
	"""Give each configurable list its defaults while it is empty.

	A list the consultant has already filled is left alone, so a default that was renamed or
	deleted in the desk does not come back on the next migrate (hide a category with *Show in
	List* rather than deleting it). Later versions add defaults with patches.
	"""
	seed("Appeal Channel", defaults.CHANNELS)
	seed("Appeal Status", defaults.APPEAL_STATUSES)
	seed("Service Request Status", defaults.SERVICE_REQUEST_STATUSES)
	seed("Appeal Result", defaults.RESULTS)
	seed(
		"Appeal Category",
		[
			{
				**category,
				"results": [
					{"result": result}
					for result in category.get("results", ())
					if frappe.db.exists("Appeal Result", result)
				],
			}
			for category in defaults.CATEGORIES
		],
	)


def fill_empty_settings() -> None:
	"""Give Auto Service Settings the defaults of its fields where a value is still empty."""
	settings = frappe.get_single("Auto Service Settings")
	changed = False
	for field in settings.meta.fields:
		if field.default and field.fieldtype not in ("Table", "Section Break", "Column Break"):
			if settings.get(field.fieldname) in (None, ""):
				settings.set(field.fieldname, field.default)
				changed = True
	if changed:
		settings.flags.ignore_permissions = True
		settings.save()


def seed(doctype: str, records) -> None:
	if frappe.db.count(doctype):
		return
	for record in records:
		frappe.get_doc({"doctype": doctype, **record}).insert(ignore_permissions=True)


def add_erpnext_permissions():
	"""Make sure each role has at least its rights on ERPNext's DocTypes (never takes rights away)."""
	for doctype, roles in defaults.ERPNEXT_PERMISSIONS.items():
		if not frappe.db.exists("DocType", doctype):
			continue
		setup_custom_perms(doctype)
		for role, rights in roles.items():
			name = frappe.db.get_value(
				"Custom DocPerm", {"parent": doctype, "role": role, "permlevel": 0, "if_owner": 0}
			)
			if not name:
				frappe.get_doc(
					{
						"doctype": "Custom DocPerm",
						"parent": doctype,
						"parenttype": "DocType",
						"parentfield": "permissions",
						"role": role,
						"permlevel": 0,
						**{right: 1 for right in rights},
					}
				).insert(ignore_permissions=True)
				continue
			current = frappe.db.get_value("Custom DocPerm", name, list(rights), as_dict=True)
			missing = {right: 1 for right in rights if not current.get(right)}
			if missing:
				frappe.db.set_value("Custom DocPerm", name, missing)
		frappe.clear_cache(doctype=doctype)


def remove_erpnext_permissions():
	for doctype in defaults.ERPNEXT_PERMISSIONS:
		frappe.db.delete("Custom DocPerm", {"parent": doctype, "role": ("in", defaults.ROLES)})
		frappe.clear_cache(doctype=doctype)


def delete_custom_fields(custom_fields: dict) -> None:
	for doctype, fields in custom_fields.items():
		fieldnames = [field["fieldname"] for field in fields]
		for name in frappe.get_all(
			"Custom Field", filters={"dt": doctype, "fieldname": ("in", fieldnames)}, pluck="name"
		):
			frappe.delete_doc("Custom Field", name, ignore_permissions=True, force=True)
		frappe.clear_cache(doctype=doctype)


def delete_roles():
	for role in defaults.ROLES:
		frappe.db.delete("Has Role", {"role": role})
		frappe.db.delete("DocPerm", {"role": role})
		frappe.db.delete("Custom DocPerm", {"role": role})
		if frappe.db.exists("Role", role):
			frappe.delete_doc("Role", role, ignore_permissions=True, force=True)
