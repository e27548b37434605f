"""The desk serves the app's DocTypes and speaks Russian."""

import pytest

import frappe
from frappe.desk.form.load import getdoctype
from frappe.translate import get_messages_for_app, get_translations_from_apps, get_translations_from_csv

from tests.integration.factories import make_user
from tests.static.app_files import doctypes

TOP_LEVEL = sorted(name for name, dt in doctypes().items() if not dt.get("istable"))


@pytest.mark.parametrize("doctype", TOP_LEVEL)
def test_operator_opens_every_form(doctype):
	frappe.set_user(make_user("Auto Service Operator"))
	getdoctype(doctype)
	loaded = {d.name for d in frappe.response.docs}
	assert doctype in loaded
	meta = frappe.get_meta(doctype)
	assert meta.module == "Auto Service CRM"


def test_frappe_finds_a_russian_translation_for_every_message_of_the_app():
	messages = {
		message
		for path, message, *_rest in get_messages_for_app("auto_service_crm")
		if not (path or "").startswith("Navbar")  # the site's navbar, which Frappe adds to every app
	}
	ru = get_translations_from_csv("ru", "auto_service_crm")
	host = get_translations_from_apps("ru", apps=["frappe", "erpnext"])  # e.g. "System Manager"
	ignored = {"APL-.YYYY.-", "SR-.YYYY.-", "VEH-.#####"}  # naming series
	assert messages, "Frappe found no messages in the app"
	missing = sorted(m for m in messages - set(ru) - set(host) - ignored if m.strip())
	assert not missing, missing


def test_russian_user_sees_russian_labels():
	frappe.local.lang = "ru"
	try:
		assert frappe._("Appeal") == "Обращение"
		assert frappe._("Repair Services") == "Услуги по ремонту"
		assert frappe._("Primary / Repeat") == "Первичный / Повторный"
	finally:
		frappe.local.lang = "en"
