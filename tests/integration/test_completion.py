"""«Done, close» for every predefined category with each of its results, end to end in ERPNext."""

import pytest

import frappe
from frappe.utils import add_to_date, get_datetime, now_datetime

from tests.integration.factories import (
	make_appeal,
	make_customer,
	make_sales_order,
	make_stock_item,
	make_user,
	make_vehicle_model,
	warehouse,
)


@pytest.fixture
def operator():
	user = make_user("Auto Service Operator")
	frappe.set_user(user)
	return user


def booking_time():
	"""A free slot: ERPNext's Appointment allows as many bookings at one time as there are agents."""
	return add_to_date(
		now_datetime(), days=2, minutes=frappe.utils.cint(frappe.generate_hash(length=4), 16) % 9000
	)


def completed(appeal):
	appeal.complete()
	appeal.reload()
	return appeal


@pytest.mark.parametrize("category", ["Call Continuation", "Repair Order Status", "Other"])
def test_closing_categories(operator, category):
	appeal = completed(make_appeal(phone="+79160000001", category=category))
	assert appeal.status == "Closed"
	assert appeal.completed_on
	assert not appeal.service_request


def test_repeat_appeal_continues_the_refused_request(operator):
	customer = make_customer()
	frappe.set_user("Administrator")
	request = frappe.get_doc({"doctype": "Service Request", "kind": "Repair", "customer": customer}).insert()
	request.status = "Refused"
	request.save()
	advisor = make_user("Service Advisor")
	frappe.db.set_value("Service Request", request.name, "owner", advisor)
	frappe.set_user(operator)

	appeal = make_appeal(customer=customer, client_comment="Changed my mind")
	assert appeal.category == "Repeat Appeal"
	appeal = completed(appeal)
	assert appeal.status == "Closed" and appeal.completed_on
	request.reload()
	assert request.status == "Open" and not request.closed_on
	assert appeal.service_request == request.name
	assert frappe.db.exists(
		"ToDo", {"reference_name": request.name, "allocated_to": advisor, "status": "Open"}
	)
	assert frappe.db.exists(
		"Comment", {"reference_name": request.name, "content": ["like", f"%{appeal.name}%"]}
	)


def test_repair_client_booked_creates_the_request_client_and_appointment(operator):
	when = booking_time()
	appeal = make_appeal(
		phone="8 916 000-00-02",
		client_name="Новый Клиент",
		email="client@example.com",
		category="Repair Services",
		result="Client Booked",
		booking_time=when,
		client_comment="ТО-2",
	)
	appeal = completed(appeal)
	assert appeal.status == "Handed Off" and appeal.completed_on
	assert appeal.customer and appeal.contact
	assert frappe.db.get_value("Contact Phone", {"parent": appeal.contact}, "phone") == "8 916 000-00-02"
	request = frappe.get_doc("Service Request", appeal.service_request)
	assert (request.kind, request.status, request.customer) == ("Repair", "Booked", appeal.customer)
	assert request.source_appeal == appeal.name and request.description == "ТО-2"
	appointment = frappe.get_doc("Appointment", request.appointment)
	assert get_datetime(appointment.scheduled_time).replace(microsecond=0) == get_datetime(when).replace(
		microsecond=0
	)
	assert (appointment.appointment_with, appointment.party) == ("Customer", appeal.customer)
	assert appointment.calendar_event
	assert frappe.db.get_value("Event", appointment.calendar_event, "starts_on")


def test_a_client_without_email_is_booked_too(operator):
	appeal = completed(
		make_appeal(
			phone="+79160000010",
			client_name="Без Почты",
			category="Repair Services",
			result="Client Booked",
			booking_time=booking_time(),
		)
	)
	appointment = frappe.db.get_value("Service Request", appeal.service_request, "appointment")
	assert appointment and not frappe.db.get_value("Appointment", appointment, "customer_email")


def test_repair_booking_without_time_is_refused_and_leaves_nothing(operator):
	appeal = make_appeal(
		phone="+79160000003", client_name="X", category="Repair Services", result="Client Booked"
	)
	with pytest.raises(frappe.ValidationError, match="Visit Booked For"):
		appeal.complete()
	assert not frappe.db.exists("Service Request", {"source_appeal": appeal.name})
	assert not frappe.db.exists("Customer", {"customer_name": "X"})


def test_repair_postpone_hands_off_with_a_callback_task(operator):
	when = add_to_date(now_datetime(), days=3)
	customer = make_customer()
	appeal = completed(
		make_appeal(customer=customer, category="Repair Services", result="Postpone", callback_at=when)
	)
	request = frappe.get_doc("Service Request", appeal.service_request)
	assert request.status == "Postponed" and request.kind == "Repair"
	todo = frappe.get_all(
		"ToDo", filters={"reference_name": request.name, "allocated_to": operator}, fields=["date", "status"]
	)
	assert todo and str(todo[0].date) == str(get_datetime(when).date())


@pytest.mark.parametrize("category", ["Repair Services", "Spare Parts"])
def test_redirect_to_a_present_specialist(operator, category):
	specialist = make_user("Service Advisor")
	appeal = completed(
		make_appeal(phone="+79160000004", category=category, result="Redirect", redirect_to=specialist)
	)
	assert appeal.status == "In Progress" and not appeal.completed_on
	assert not appeal.callback_at
	assert (
		frappe.db.count("ToDo", {"reference_name": appeal.name, "allocated_to": specialist, "status": "Open"})
		== 1
	)


@pytest.mark.parametrize("category", ["Repair Services", "Spare Parts"])
def test_redirect_with_a_callback_when_the_specialist_is_away(operator, category):
	specialist = make_user("Parts Manager")
	when = add_to_date(now_datetime(), hours=26)
	appeal = make_appeal(
		phone="+79160000005", category=category, result="Redirect", redirect_to=specialist, call_back=1
	)
	with pytest.raises(frappe.ValidationError, match="Call Back At"):
		appeal.complete()
	appeal.callback_at = when
	appeal.save()
	appeal = completed(appeal)
	assert appeal.status == "Callback Scheduled"
	todo = frappe.get_all(
		"ToDo", filters={"reference_name": appeal.name, "allocated_to": specialist}, fields=["date"]
	)
	assert str(todo[0].date) == str(get_datetime(when).date())


@pytest.mark.parametrize("category", ["Repair Services", "Spare Parts"])
def test_refused_closes_with_the_reason(operator, category):
	appeal = make_appeal(phone="+79160000006", category=category, result="Refused")
	with pytest.raises(frappe.ValidationError, match="Reason"):
		appeal.complete()
	appeal.result_reason = "Found a cheaper shop"
	appeal.save()
	appeal = completed(appeal)
	assert appeal.status == "Refused" and appeal.completed_on and not appeal.service_request


@pytest.fixture
def stock_reservation():
	frappe.db.set_single_value("Stock Settings", "enable_stock_reservation", 1)


def test_parts_await_with_reservation_reserves_in_erpnext_stock(operator, stock_reservation):
	frappe.set_user("Administrator")
	item = make_stock_item("ASC-BRAKE-PADS", qty=10)
	frappe.set_user(operator)
	customer = make_customer()
	appeal = make_appeal(
		customer=customer,
		category="Spare Parts",
		result="Await Client with Reservation",
		items=[{"item_code": item, "qty": 2, "warehouse": warehouse(), "rate": 1500}],
	)
	appeal = completed(appeal)
	request = frappe.get_doc("Service Request", appeal.service_request)
	assert (request.kind, request.status) == ("Parts", "Awaiting Client")
	order = frappe.get_doc("Sales Order", request.sales_order)
	assert order.docstatus == 1 and order.customer == customer and order.service_request == request.name
	reserved = frappe.get_all(
		"Stock Reservation Entry",
		filters={"voucher_no": order.name, "docstatus": 1},
		fields=["item_code", "reserved_qty", "warehouse"],
	)
	assert [(r.item_code, r.reserved_qty, r.warehouse) for r in reserved] == [(item, 2, warehouse())]


def test_reservation_without_stock_fails_and_leaves_nothing_behind(operator, stock_reservation):
	frappe.set_user("Administrator")
	item = make_stock_item("ASC-RARE-PART", qty=0)
	frappe.set_user(operator)
	customer = make_customer()
	appeal = make_appeal(
		customer=customer,
		category="Spare Parts",
		result="Await Client with Reservation",
		items=[{"item_code": item, "qty": 1, "warehouse": warehouse(), "rate": 100}],
	)
	with pytest.raises(frappe.ValidationError):
		appeal.complete()
	assert not frappe.db.exists("Service Request", {"source_appeal": appeal.name})
	assert not frappe.db.exists("Sales Order", {"customer": customer})
	assert not frappe.db.get_value("Appeal", appeal.name, "completed_on")


def test_reservation_needs_parts(operator):
	appeal = make_appeal(phone="+79160000007", category="Spare Parts", result="Await Client with Reservation")
	with pytest.raises(frappe.ValidationError, match="Parts"):
		appeal.complete()


def test_parts_await_without_reservation(operator):
	customer = make_customer()
	appeal = completed(
		make_appeal(customer=customer, category="Spare Parts", result="Await Client without Reservation")
	)
	request = frappe.get_doc("Service Request", appeal.service_request)
	assert (request.kind, request.status, request.sales_order) == ("Parts", "Awaiting Client", None)


def test_parts_sale_made_links_the_sale(operator):
	customer = make_customer()
	frappe.set_user("Administrator")
	order = make_sales_order(customer, is_repair_order=0)
	frappe.set_user(operator)
	appeal = make_appeal(customer=customer, category="Spare Parts", result="Sale Made")
	with pytest.raises(frappe.ValidationError, match="Sales Order"):
		appeal.complete()
	appeal.sales_order = order.name
	appeal.save()
	appeal = completed(appeal)
	request = frappe.get_doc("Service Request", appeal.service_request)
	assert request.status == "Completed" and request.closed_on and request.sales_order == order.name
	assert frappe.db.get_value("Sales Order", order.name, "service_request") == request.name


def test_a_result_of_another_category_is_refused(operator):
	appeal = make_appeal(phone="+79160000008", category="Repair Services", result="Sale Made")
	with pytest.raises(frappe.ValidationError, match="not one of"):
		appeal.complete()


def test_completing_twice_is_refused(operator):
	appeal = completed(make_appeal(phone="+79160000009", category="Other"))
	with pytest.raises(frappe.ValidationError, match="already completed"):
		appeal.complete()


def test_mileage_becomes_a_reading_of_the_car(operator):
	customer = make_customer()
	vehicle = frappe.get_doc(
		{"doctype": "Customer Vehicle", "customer": customer, "vehicle_model": make_vehicle_model()}
	).insert()
	appeal = completed(make_appeal(customer=customer, vehicle=vehicle.name, mileage=61000, category="Other"))
	vehicle.reload()
	assert vehicle.current_mileage == 61000
	assert vehicle.mileage_readings[-1].appeal == appeal.name
	with pytest.raises(frappe.ValidationError, match="lower than"):
		make_appeal(customer=customer, vehicle=vehicle.name, mileage=50000)


def test_a_consultants_new_category_and_result_work_without_code(operator):
	frappe.set_user("Administrator")
	frappe.get_doc(
		{
			"doctype": "Appeal Result",
			"result_name": "Tyres Booked",
			"action": "Hand Off to Service Request",
			"service_request_kind": "Repair",
			"service_request_status": "Booked",
			"appeal_status": "Handed Off",
			"required_fields": [{"fieldname": "callback_at"}],
		}
	).insert()
	frappe.get_doc(
		{
			"doctype": "Appeal Category",
			"category_name": "Tyre Fitting",
			"display_order": 7,
			"is_targeted": 1,
			"results": [{"result": "Tyres Booked"}, {"result": "Refused"}],
		}
	).insert()
	frappe.set_user(operator)
	appeal = completed(
		make_appeal(
			customer=make_customer(),
			category="Tyre Fitting",
			result="Tyres Booked",
			callback_at=add_to_date(now_datetime(), days=1),
		)
	)
	assert frappe.db.get_value("Service Request", appeal.service_request, "status") == "Booked"
