"""Configurable statuses (Appeal Status, Service Request Status) and what each status means."""

import frappe

from auto_service_crm.caching import configuration, forget

OPEN_CATEGORIES = ("Open", "Paused")
CLOSED_CATEGORIES = ("Completed", "Refused")


@configuration
def default_status(status_doctype: str) -> str | None:
	return frappe.db.get_value(status_doctype, {"is_default": 1}, "name") or frappe.db.get_value(
		status_doctype, {"category": "Open"}, "name", order_by="creation asc"
	)


def keep_single_default(doc) -> None:
	"""Only one status of a DocType is the default: setting it clears the others."""
	if doc.is_default:
		frappe.db.set_value(
			doc.doctype, {"is_default": 1, "name": ("!=", doc.name)}, "is_default", 0, update_modified=False
		)


@configuration
def statuses_of(status_doctype: str, categories) -> list[str]:
	"""Names of the statuses whose category is one of ``categories``."""
	return frappe.get_all(status_doctype, filters={"category": ["in", list(categories)]}, pluck="name")


def forget_statuses() -> None:
	"""A status saved or deleted: the default and the statuses by category are read again."""
	forget(default_status, statuses_of)


def category_of(status_doctype: str, status: str | None) -> str | None:
	return frappe.db.get_value(status_doctype, status, "category") if status else None
