"""Staff create appeals, vehicles and service requests through the document API."""

import pytest

import frappe
from frappe.utils import add_days, nowdate

from erpnext.selling.doctype.sales_order.sales_order import update_status

from tests.integration.factories import (
	make_customer,
	make_sales_invoice,
	make_sales_order,
	make_user,
	make_vehicle_model,
)


@pytest.fixture
def operator():
	user = make_user("Auto Service Operator")
	frappe.set_user(user)
	return user


def test_operator_records_a_call_from_an_unknown_client(operator):
	appeal = frappe.get_doc(
		{
			"doctype": "Appeal",
			"channel": "Incoming Call",
			"phone": "8 (916) 123-45-67",
			"client_name": "Иван",
			"client_comment": "Стучит подвеска",
		}
	).insert()
	assert appeal.owner == operator
	assert appeal.name.startswith("APL-")
	assert appeal.phone_normalized == "+79161234567"
	assert appeal.client_kind == "Primary"
	assert appeal.status == "New"
	assert appeal.title == "Иван"


def test_operator_records_a_client_with_a_car_and_a_service_request(operator):
	customer = make_customer("Пётр Сидоров")
	vehicle = frappe.get_doc(
		{
			"doctype": "Customer Vehicle",
			"customer": customer,
			"vehicle_model": make_vehicle_model(),
			"license_plate": "а 123 вс 77",
			"vin": "xta21703080123456",
			"year": 2019,
			"mileage_readings": [
				{"reading_date": add_days(nowdate(), -365), "mileage": 40000},
				{"reading_date": nowdate(), "mileage": 52000},
			],
		}
	).insert()
	assert vehicle.license_plate == "A123BC77"
	assert vehicle.vin == "XTA21703080123456"
	assert vehicle.current_mileage == 52000
	assert vehicle.make == "Lada"
	assert vehicle.title == "Lada Vesta · A123BC77"

	appeal = frappe.get_doc(
		{
			"doctype": "Appeal",
			"channel": "Visit",
			"customer": customer,
			"vehicle": vehicle.name,
			"mileage": 52000,
			"category": "Repair Services",
			"work_types": [],
		}
	).insert()
	assert appeal.client_name == "Пётр Сидоров"
	assert appeal.vehicle_model == "Lada Vesta"
	assert appeal.vehicle_year == 2019
	assert appeal.client_kind == "Primary"
	assert appeal.title == "Пётр Сидоров"

	request = frappe.get_doc(
		{
			"doctype": "Service Request",
			"kind": "Repair",
			"customer": customer,
			"vehicle": vehicle.name,
			"source_appeal": appeal.name,
			"booking_time": add_days(nowdate(), 1) + " 10:00:00",
		}
	).insert()
	assert request.name.startswith("SR-")
	assert request.status == "Open"
	assert request.client_name == "Пётр Сидоров"
	assert request.vehicle_model == "Lada Vesta"
	assert request.company

	appeal.service_request = request.name
	appeal.save()
	connections = frappe.get_all("Appeal", filters={"service_request": request.name}, pluck="name")
	assert connections == [appeal.name]


def test_a_customer_with_a_submitted_sale_is_a_repeat_client():
	customer = make_customer()
	make_sales_invoice(customer)
	appeal = frappe.get_doc({"doctype": "Appeal", "channel": "Incoming Call", "customer": customer}).insert()
	assert appeal.client_kind == "Repeat"


def test_a_customer_with_a_completed_repair_order_is_a_repeat_client():
	customer = make_customer()
	order = make_sales_order(customer, is_repair_order=1)
	appeal = frappe.get_doc({"doctype": "Appeal", "channel": "Incoming Call", "customer": customer}).insert()
	assert appeal.client_kind == "Primary", "an open repair order is not history yet"

	update_status("Closed", order.name)
	appeal.save()
	assert appeal.client_kind == "Repeat"


def test_an_ordinary_open_sales_order_does_not_make_a_repeat_client():
	customer = make_customer()
	make_sales_order(customer, is_repair_order=0)
	appeal = frappe.get_doc({"doctype": "Appeal", "channel": "Incoming Call", "customer": customer}).insert()
	assert appeal.client_kind == "Primary"


def test_repair_orders_by_order_type_when_settings_say_so():
	settings = frappe.get_single("Auto Service Settings")
	settings.repair_order_rule = "Order Type"
	settings.repair_order_type = "Maintenance"
	settings.save()
	customer = make_customer()
	order = make_sales_order(customer, is_repair_order=0)
	order.db_set("order_type", "Maintenance")
	update_status("Closed", order.name)
	appeal = frappe.get_doc({"doctype": "Appeal", "channel": "Incoming Call", "customer": customer}).insert()
	assert appeal.client_kind == "Repeat"


def test_times_are_stored_in_whole_seconds_as_the_desk_edits_them():
	from frappe.utils import get_datetime

	appeal = frappe.get_doc({"doctype": "Appeal", "channel": "Visit", "phone": "+79161110000"}).insert()
	request = frappe.get_doc({"doctype": "Service Request", "kind": "Repair", "client_name": "X"}).insert()
	assert get_datetime(appeal.appeal_datetime).microsecond == 0
	assert get_datetime(request.request_date).microsecond == 0
	request.status = "Refused"
	request.save()
	assert get_datetime(request.closed_on).microsecond == 0
