"""Reading Auto Service Settings with the defaults the app falls back on."""

import frappe

from auto_service_crm.rules import phone_numbers
from auto_service_crm.rules.phone_numbers import DEFAULT_REGION, normalize_phone_or_none


def site_language() -> str:
	"""The language of the site (System Settings): text the app writes into records is in it, not in
	the language of whichever request happened to write it (a webhook's, an operator's)."""
	return frappe.db.get_single_value("System Settings", "language") or "en"


def get_settings():
	return frappe.get_cached_doc("Auto Service Settings")


def phone_region() -> str:
	return get_settings().default_phone_region or DEFAULT_REGION


def normalized_phone(raw: str | None) -> str | None:
	return normalize_phone_or_none(raw, phone_region())


def display_phone(raw: str | None) -> str | None:
	"""The number as people write it (``+7 916 123-45-67``), or as sent when it is none."""
	return phone_numbers.display_phone(raw, phone_region())
