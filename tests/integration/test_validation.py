"""Bad input gets a clear error and saves nothing."""

import pytest

import frappe
from frappe.utils import add_days, nowdate

from tests.integration.factories import make_customer, make_vehicle_model


def test_a_phone_that_is_not_a_phone():
	with pytest.raises(frappe.ValidationError, match="not a phone number"):
		frappe.get_doc({"doctype": "Appeal", "channel": "Incoming Call", "phone": "call me"}).insert()
	assert not frappe.db.exists("Appeal", {"phone": "call me"})


def vehicle(**fields):
	return frappe.get_doc({"doctype": "Customer Vehicle", "customer": make_customer(), **fields})


def test_vehicle_data_is_checked():
	with pytest.raises(frappe.ValidationError, match="VIN"):
		vehicle(vin="NOT-A-VIN").insert()
	with pytest.raises(frappe.ValidationError, match="year"):
		vehicle(year=1850).insert()
	with pytest.raises(frappe.ValidationError, match="lower than"):
		vehicle(
			mileage_readings=[
				{"reading_date": add_days(nowdate(), -30), "mileage": 60000},
				{"reading_date": nowdate(), "mileage": 59000},
			]
		).insert()


def test_one_vin_one_vehicle():
	vehicle(vin="XTA21703080123456", vehicle_model=make_vehicle_model()).insert()
	with pytest.raises(frappe.ValidationError, match="already recorded"):
		vehicle(vin="xta21703080123456").insert()


def test_the_vehicle_must_be_the_customers():
	car = vehicle(license_plate="B777OP99").insert()
	with pytest.raises(frappe.ValidationError, match="another customer"):
		frappe.get_doc(
			{"doctype": "Appeal", "channel": "Visit", "customer": make_customer(), "vehicle": car.name}
		).insert()


def test_category_and_result_configuration_is_checked():
	with pytest.raises(frappe.ValidationError):
		frappe.get_doc(
			{"doctype": "Appeal Category", "category_name": "Empty", "on_selection": "Ask for Result"}
		).insert()
	with pytest.raises(frappe.ValidationError):
		frappe.get_doc(
			{
				"doctype": "Appeal Category",
				"category_name": "Twice",
				"results": [{"result": "Refused"}, {"result": "Refused"}],
			}
		).insert()
	with pytest.raises(frappe.ValidationError):
		frappe.get_doc(
			{"doctype": "Appeal Result", "result_name": "Odd", "action": "Close Appeal", "reserve_stock": 1}
		).insert()


def settings_with(**values):
	settings = frappe.get_single("Auto Service Settings")
	settings.update(values)
	return settings


def test_settings_are_checked():
	with pytest.raises(frappe.ValidationError, match="country code"):
		settings_with(default_phone_region="XX").save()
	with pytest.raises(frappe.ValidationError, match="at least an hour after it starts"):
		settings_with(work_day_start="18:00:00", work_day_end="09:00:00").save()
	with pytest.raises(frappe.ValidationError, match="Sales Order type"):
		settings_with(repair_order_rule="Order Type", repair_order_type="").save()
	settings_with(default_phone_region="kz", work_day_start="09:00:00", work_day_end="18:00:00").save()
	assert frappe.db.get_single_value("Auto Service Settings", "default_phone_region") == "KZ"


def test_only_one_default_status():
	frappe.get_doc(
		{"doctype": "Appeal Status", "status_name": "Fresh", "category": "Open", "is_default": 1}
	).insert()
	assert frappe.get_all("Appeal Status", filters={"is_default": 1}, pluck="name") == ["Fresh"]
