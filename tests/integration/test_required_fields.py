"""A result requires any field of the Appeal, a consultant's custom field too (seed 004: «extra
fields» of an action, kept in history): the consultant lists it on the result, «Done, close» asks
for it by its label, the value is kept in the appeal's version history and filters the list."""

import json

import pytest

import frappe
from frappe.utils import add_to_date, now_datetime

from auto_service_crm.desk import category_results
from auto_service_crm.patches.v0_2 import appeal_result_required_fields as patch
from tests.integration.factories import make_appeal, make_customer, make_stock_item, make_user

TYRE_SIZE = "custom_tyre_size"


@pytest.fixture
def tyre_size():
	"""The consultant's field «Tyre Size» on the Appeal, added as Customize Form adds it (a Custom
	Field; adding its column commits, so it is removed and committed again afterwards)."""
	frappe.set_user("Administrator")
	frappe.db.rollback()
	if not frappe.db.exists("Custom Field", {"dt": "Appeal", "fieldname": TYRE_SIZE}):
		frappe.get_doc(
			{
				"doctype": "Custom Field",
				"dt": "Appeal",
				"label": "Tyre Size",
				"fieldtype": "Data",
				"insert_after": "result_reason",
			}
		).insert()
	frappe.db.commit()
	assert frappe.get_meta("Appeal").get_field(TYRE_SIZE).label == "Tyre Size"
	yield TYRE_SIZE
	frappe.set_user("Administrator")
	frappe.db.rollback()
	frappe.delete_doc("Custom Field", f"Appeal-{TYRE_SIZE}", force=True)
	frappe.db.commit()
	if frappe.db.has_column("Appeal", TYRE_SIZE):
		frappe.db.sql_ddl(f"alter table `tabAppeal` drop column `{TYRE_SIZE}`")
		frappe.cache.hdel("table_columns", "tabAppeal")
	frappe.clear_cache(doctype="Appeal")


def make_result(name, *fields, action="Close Appeal", **extra):
	frappe.set_user("Administrator")
	frappe.get_doc(
		{
			"doctype": "Appeal Result",
			"result_name": name,
			"action": action,
			"appeal_status": "Closed",
			"required_fields": [{"fieldname": field} for field in fields],
			**extra,
		}
	).insert()
	frappe.get_doc(
		{
			"doctype": "Appeal Category",
			"category_name": f"{name} Category",
			"display_order": 20,
			"is_targeted": 1,
			"results": [{"result": name}],
		}
	).insert()
	return name


def test_a_required_custom_field_is_asked_for_by_its_label_then_kept_in_history_and_filters(tyre_size):
	result = make_result("Tyres Checked", tyre_size, "result_reason")
	assert [r["requires"] for r in category_results("Tyres Checked Category")] == [
		[tyre_size, "result_reason"]
	]
	frappe.set_user(make_user("Auto Service Operator"))
	appeal = make_appeal(customer=make_customer(), category="Tyres Checked Category", result=result)

	with pytest.raises(frappe.ValidationError) as e:
		appeal.complete()
	assert str(e.value) == "To complete the appeal, fill in: Tyre Size, Reason"
	appeal.result_reason = "Worn tread"
	appeal.save()
	frappe.local.lang = "ru"
	try:
		with pytest.raises(frappe.ValidationError) as e:
			appeal.complete()
	finally:
		frappe.local.lang = "en"
	assert str(e.value) == "Чтобы выполнить обращение, заполните: Tyre Size"
	appeal.set(tyre_size, "   ")  # spaces are no value
	with pytest.raises(frappe.ValidationError, match="Tyre Size"):
		appeal.complete()

	appeal.set(tyre_size, "205/55 R16")
	appeal.save(ignore_version=False)  # Frappe records no Version under tests unless asked
	appeal.complete()
	appeal.reload()
	assert appeal.completed_on and appeal.status == "Closed"

	changes = [
		row
		for data in frappe.get_all(
			"Version", filters={"ref_doctype": "Appeal", "docname": appeal.name}, pluck="data"
		)
		for row in json.loads(data).get("changed", [])
	]
	assert [row[2] for row in changes if row[0] == tyre_size] == ["205/55 R16"]
	other = make_appeal(customer=make_customer(), **{tyre_size: "195/65 R15"})
	assert frappe.get_list("Appeal", filters={tyre_size: "205/55 R16"}, pluck="name") == [appeal.name]
	assert frappe.get_list("Appeal", filters={tyre_size: ["like", "%R15"]}, pluck="name") == [other.name]


def test_any_standard_field_can_be_required_and_a_table_needs_rows():
	frappe.set_user("Administrator")
	make_stock_item("ASC-OIL-FILTER")
	result = make_result("Mileage Noted", "mileage", "items")
	frappe.set_user(make_user("Auto Service Operator"))
	appeal = make_appeal(customer=make_customer(), category="Mileage Noted Category", result=result)
	with pytest.raises(frappe.ValidationError) as e:
		appeal.complete()
	assert str(e.value) == "To complete the appeal, fill in: Mileage (km), Parts"
	appeal.reload()
	assert appeal.mileage == 0  # as Frappe keeps a number nobody filled in: no value
	with pytest.raises(frappe.ValidationError, match=r"fill in: Mileage \(km\), Parts$"):
		appeal.complete()
	appeal.mileage = 61000
	appeal.append("items", {"item_code": make_stock_item("ASC-OIL-FILTER"), "qty": 1})
	appeal.save()
	appeal.complete()
	assert appeal.reload().completed_on


def test_the_consultant_may_list_only_data_fields_of_the_appeal_once(tyre_size):
	frappe.set_user("Administrator")

	def result_with(*fields):
		return frappe.get_doc(
			{
				"doctype": "Appeal Result",
				"result_name": "Listed " + frappe.generate_hash(length=6),
				"action": "Close Appeal",
				"required_fields": [{"fieldname": field} for field in fields],
			}
		)

	with pytest.raises(frappe.ValidationError, match="Row 2: the Appeal has no field <strong>tyre_colour"):
		result_with("booking_time", "tyre_colour").insert()
	with pytest.raises(frappe.ValidationError, match=r"Row 1: .*is a Section Break, which holds no value"):
		result_with("client_section").insert()
	with pytest.raises(
		frappe.ValidationError, match="Row 2: the field <strong>Tyre Size</strong> is listed twice"
	):
		result_with(tyre_size, tyre_size).insert()
	doc = result_with(tyre_size, "items", "call_back").insert()
	assert [(row.fieldname, row.label) for row in doc.required_fields] == [
		(tyre_size, "Tyre Size"),
		("items", "Parts"),
		("call_back", "Call the Client Back"),
	]


def test_what_an_action_needs_by_itself_stays():
	"""A redirect needs the specialist, and the callback time once «Call the Client Back» is ticked,
	though the result lists neither."""
	result = make_result("Bare Redirect", action="Redirect")
	assert [r["requires"] for r in category_results("Bare Redirect Category")] == [["redirect_to"]]
	advisor = make_user("Service Advisor")
	frappe.set_user(make_user("Auto Service Operator"))
	appeal = make_appeal(customer=make_customer(), category="Bare Redirect Category", result=result)
	with pytest.raises(frappe.ValidationError, match=r"fill in: Specialist$"):
		appeal.complete()
	appeal.redirect_to = advisor
	appeal.call_back = 1
	appeal.save()
	with pytest.raises(frappe.ValidationError, match=r"fill in: Call Back At$"):
		appeal.complete()
	appeal.callback_at = add_to_date(now_datetime(), hours=2)
	appeal.save()
	appeal.complete()
	assert frappe.db.exists("ToDo", {"reference_name": appeal.name, "allocated_to": advisor})


def test_the_patch_turns_the_old_checkboxes_into_required_fields():
	frappe.set_user("Administrator")
	name = (
		frappe.get_doc({"doctype": "Appeal Result", "result_name": "Old Style", "action": "Close Appeal"})
		.insert()
		.name
	)
	old = {
		"requires_booking_time": 1,
		"requires_reason": 1,
		"requires_items": 0,
		"requires_sales_order": None,
	}
	assert patch.convert(name, old) == ["booking_time", "result_reason"]
	assert patch.convert(name, old) == []  # run again: nothing twice
	rows = frappe.get_doc("Appeal Result", name).required_fields
	assert [(r.idx, r.fieldname, r.label) for r in rows] == [
		(1, "booking_time", "Visit Booked For"),
		(2, "result_reason", "Reason"),
	]
	assert patch.convert(name, {**old, "requires_assignee": 1}) == ["redirect_to"]


def test_the_patch_reads_the_old_columns_of_an_upgraded_site():
	if not frappe.db.has_column("Appeal Result", "requires_callback_time"):
		pytest.skip("this site was installed without the old checkboxes' columns")
	frappe.set_user("Administrator")
	name = (
		frappe.get_doc({"doctype": "Appeal Result", "result_name": "Old Columns", "action": "Close Appeal"})
		.insert()
		.name
	)
	table = frappe.qb.DocType("Appeal Result")
	frappe.qb.update(table).set(table.requires_callback_time, 1).set(table.requires_sales_order, 1).where(
		table.name == name
	).run()
	before = {
		r: [row.fieldname for row in frappe.get_doc("Appeal Result", r).required_fields]
		for r in frappe.get_all("Appeal Result", pluck="name")
		if r != name
	}
	patch.execute()
	patch.execute()
	assert [row.fieldname for row in frappe.get_doc("Appeal Result", name).required_fields] == [
		"callback_at",
		"sales_order",
	]
	# the results converted on migrate are as they were
	assert before == {
		r: [row.fieldname for row in frappe.get_doc("Appeal Result", r).required_fields] for r in before
	}
