"""Reading Auto Service Settings with the defaults the app falls back on."""

import frappe

from auto_service_crm.rules.phone_numbers import DEFAULT_REGION, normalize_phone_or_none


def get_settings():
	return frappe.get_cached_doc("Auto Service Settings")


def phone_region() -> str:
	return get_settings().default_phone_region or DEFAULT_REGION


def normalized_phone(raw: str | None) -> str | None:
	return normalize_phone_or_none(raw, phone_region())
