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
	ignored = {"APL-.YYYY.-", "SR-.YYYY.-", "VEH-.#####", "REC-.YYYY.-", "MI-.YYYY.-"}  # naming series
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


def test_the_workspace_shows_the_numbers_an_operator_watches():
	import json

	from frappe.desk.doctype.number_card.number_card import get_result
	from frappe.utils import add_to_date, now_datetime

	from tests.integration.factories import make_appeal

	workspace = frappe.get_doc("Workspace", "Auto Service CRM")
	assert workspace.module == "Auto Service CRM" and workspace.public
	cards = [row.number_card_name for row in workspace.number_cards]
	assert cards == ["Appeals Today", "Unprocessed Missed Calls", "Overdue Callbacks", "SLA at Risk"]
	blocks = json.loads(workspace.content)
	assert {b["data"].get("number_card_name") for b in blocks if b["type"] == "number_card"} == set(cards)

	def count(card, extra=()):
		doc = frappe.get_doc("Number Card", card)
		return get_result(doc.as_json(), json.dumps(json.loads(doc.filters_json) + list(extra)))

	before = {card: count(card) for card in cards[:3]}
	make_appeal(phone="+79167100001", channel="Missed Call")
	late = make_appeal(phone="+79167100002", call_back=1, callback_at=add_to_date(now_datetime(), hours=-1))
	assert count("Appeals Today") == before["Appeals Today"] + 2
	assert count("Unprocessed Missed Calls") == before["Unprocessed Missed Calls"] + 1
	overdue = [["Appeal", "callback_at", "<", str(now_datetime())]]
	at_risk = [["Appeal", "response_by", "<", str(add_to_date(now_datetime(), minutes=30))]]
	risky_before = count("SLA at Risk", at_risk)
	risky = make_appeal(phone="+79167100003")
	frappe.db.set_value("Appeal", risky.name, "response_by", add_to_date(now_datetime(), minutes=10))
	assert risky.agreement_status == "First Response Due"
	assert count("SLA at Risk", at_risk) == risky_before + 1
	assert late.name in frappe.get_all(
		"Appeal",
		filters=json.loads(frappe.db.get_value("Number Card", "Overdue Callbacks", "filters_json")) + overdue,
		pluck="name",
	)
