"""Recommendations: a service advisor records the work on a repair order or a Service Request, the
operator sees it in the client portrait while the client is on the phone and books it from the
appeal; the usual hand-off makes the Service Request and the recommendation is Booked in it."""

import pytest

import frappe
from frappe.utils import add_days, add_to_date, now_datetime, nowdate

from auto_service_crm.desk import client_portrait
from auto_service_crm.recommendations import book_from_appeal
from tests.integration.factories import (
	make_appeal,
	make_customer,
	make_sales_order,
	make_user,
	make_vehicle_model,
)


@pytest.fixture
def client():
	"""A customer with a car whose last reading is 48,500 km."""
	customer = make_customer("Клиент С Рекомендацией")
	vehicle = frappe.get_doc(
		{
			"doctype": "Customer Vehicle",
			"customer": customer,
			"vehicle_model": make_vehicle_model("Kia", "Rio"),
			"year": 2018,
			"mileage_readings": [{"reading_date": nowdate(), "mileage": 48500}],
		}
	).insert()
	return frappe._dict(customer=customer, vehicle=vehicle.name)


@pytest.fixture
def advisor():
	return make_user("Service Advisor")


@pytest.fixture
def operator():
	return make_user("Auto Service Operator")


@pytest.fixture
def brake_pads():
	name = "ASC Rec Brake Pads"
	if not frappe.db.exists("Work Type", name):
		frappe.get_doc(
			{"doctype": "Work Type", "work_type_name": name, "comment_text": "Тормозная система"}
		).insert()
	return name


def recommend(source_doctype, source_name, user, **fields):
	frappe.set_user(user)
	try:
		return frappe.get_doc(
			{
				"doctype": "Service Recommendation",
				"source_doctype": source_doctype,
				"source_name": source_name,
				**fields,
			}
		).insert()
	finally:
		frappe.set_user("Administrator")


def repair_order(client):
	order = make_sales_order(client.customer)
	order.db_set("customer_vehicle", client.vehicle)
	return order


def booked_through_the_appeal(client, recommendation, operator, phone):
	"""The client calls; the operator sees the recommendation in the portrait, books it and closes."""
	frappe.set_user(operator)
	appeal = make_appeal(customer=client.customer, phone=phone, client_comment="Звонит сам")
	portrait = client_portrait(appeal.name)
	assert [r["name"] for r in portrait["recommendations"]] == [recommendation]
	book_from_appeal(appeal.name, recommendation)
	appeal.reload()
	appeal.booking_time = add_to_date(now_datetime(), days=2, minutes=int(phone[-3:]))
	appeal.save()
	appeal.complete()
	appeal.reload()
	frappe.set_user("Administrator")
	return appeal


def test_a_recommendation_travels_from_a_repair_order_to_the_portrait_to_a_booking(
	client, advisor, operator, brake_pads
):
	order = repair_order(client)
	rec = recommend(
		"Sales Order",
		order.name,
		advisor,
		description="Заменить тормозные колодки",
		work_type=brake_pads,
		due_mileage=49000,
	)
	assert (rec.customer, rec.vehicle, rec.status) == (client.customer, client.vehicle, "Open")

	frappe.set_user(operator)
	appeal = make_appeal(customer=client.customer, phone="+79160001101", client_comment="Звонит сам")
	[shown] = client_portrait(appeal.name)["recommendations"]
	assert (shown["name"], shown["due"], shown["km_left"], shown["due_mileage"]) == (
		rec.name,
		"Due Soon",
		500,
		49000,
	)
	assert shown["vehicle_title"] == frappe.db.get_value("Customer Vehicle", client.vehicle, "title")

	assert book_from_appeal(appeal.name, rec.name) == {
		"category": "Repair Services",
		"result": "Client Booked",
	}
	appeal.reload()
	assert (appeal.category, appeal.result, appeal.vehicle) == (
		"Repair Services",
		"Client Booked",
		client.vehicle,
	)
	assert [row.work_type for row in appeal.work_types] == [brake_pads]
	assert appeal.client_comment.startswith("Звонит сам")
	assert (
		"Заменить тормозные колодки" in appeal.client_comment and "Тормозная система" in appeal.client_comment
	)
	assert frappe.db.get_value("Service Recommendation", rec.name, ["status", "appeal"]) == (
		"Open",
		appeal.name,
	)

	appeal.booking_time = add_to_date(now_datetime(), days=2, minutes=17)
	appeal.save()
	appeal.complete()
	appeal.reload()
	request = frappe.get_doc("Service Request", appeal.service_request)
	assert (request.kind, request.status, request.customer, request.vehicle) == (
		"Repair",
		"Booked",
		client.customer,
		client.vehicle,
	)
	assert "Заменить тормозные колодки" in request.description
	assert [row.work_type for row in request.work_types] == [brake_pads]
	rec.reload()
	assert (rec.status, rec.booked_in, rec.appeal) == ("Booked", request.name, appeal.name)
	assert client_portrait(appeal.name)["recommendations"] == [], (
		"a booked recommendation is not offered again"
	)


def test_a_recommendation_recorded_on_a_service_request_is_booked_the_same_way(client, advisor, operator):
	request = frappe.get_doc(
		{
			"doctype": "Service Request",
			"kind": "Repair",
			"customer": client.customer,
			"vehicle": client.vehicle,
		}
	).insert()
	rec = recommend(
		"Service Request",
		request.name,
		advisor,
		description="Заменить ремень ГРМ",
		due_date=add_days(nowdate(), 90),
	)
	assert (rec.customer, rec.vehicle) == (client.customer, client.vehicle)
	appeal = booked_through_the_appeal(client, rec.name, operator, "+79160001102")
	assert appeal.service_request and appeal.service_request != request.name
	assert frappe.db.get_value("Service Recommendation", rec.name, ["status", "booked_in", "appeal"]) == (
		"Booked",
		appeal.service_request,
		appeal.name,
	)
	assert "Заменить ремень ГРМ" in frappe.db.get_value(
		"Service Request", appeal.service_request, "description"
	)


def test_the_portrait_lists_open_recommendations_most_urgent_first(client, advisor, operator):
	order = repair_order(client)
	later = recommend(
		"Sales Order", order.name, advisor, description="Later", due_date=add_days(nowdate(), 200)
	)
	undated = recommend("Sales Order", order.name, advisor, description="Undated")
	overdue = recommend("Sales Order", order.name, advisor, description="Overdue", due_mileage=48000)
	soon = recommend("Sales Order", order.name, advisor, description="Soon", due_date=add_days(nowdate(), 10))
	declined = recommend("Sales Order", order.name, advisor, description="Declined")
	declined.db_set("status", "Declined")
	frappe.set_user(operator)
	appeal = make_appeal(customer=client.customer, phone="+79160001103")
	shown = [(r["name"], r["due"]) for r in client_portrait(appeal.name)["recommendations"]]
	assert shown == [
		(overdue.name, "Overdue"),
		(soon.name, "Due Soon"),
		(later.name, "Later"),
		(undated.name, "No Due Date"),
	]


def test_an_appeal_closed_without_a_booking_lets_the_recommendation_go(client, advisor, operator):
	rec = recommend("Sales Order", repair_order(client).name, advisor, description="Заменить колодки")
	frappe.set_user(operator)
	appeal = make_appeal(customer=client.customer, phone="+79160001104")
	book_from_appeal(appeal.name, rec.name)
	appeal.reload()
	appeal.update({"result": "Refused", "result_reason": "Дорого"})
	appeal.save()
	appeal.complete()
	assert frappe.db.get_value("Service Recommendation", rec.name, ["status", "appeal", "booked_in"]) == (
		"Open",
		None,
		None,
	)


def test_what_a_recommendation_may_be_recorded_on_and_for_whom(client, advisor):
	not_repair = make_sales_order(client.customer, is_repair_order=0)
	with pytest.raises(frappe.ValidationError, match="not a repair order"):
		recommend("Sales Order", not_repair.name, advisor, description="x")
	with pytest.raises(frappe.ValidationError, match="Service Request or a repair order"):
		recommend("Customer", client.customer, advisor, description="x")
	other = make_customer()
	order = repair_order(client)
	with pytest.raises(frappe.ValidationError, match="customer must be the customer"):
		recommend("Sales Order", order.name, advisor, description="x", customer=other)
	strangers_car = frappe.get_doc({"doctype": "Customer Vehicle", "customer": other}).insert()
	with pytest.raises(frappe.ValidationError, match="is not a car of customer"):
		recommend("Sales Order", order.name, advisor, description="x", vehicle=strangers_car.name)
	frappe.set_user(advisor)
	free = frappe.get_doc(
		{"doctype": "Service Recommendation", "customer": client.customer, "description": "Без документа"}
	).insert()
	assert free.status == "Open"


def test_only_an_open_recommendation_of_the_client_is_booked(client, advisor, operator):
	rec = recommend("Sales Order", repair_order(client).name, advisor, description="Заменить колодки")
	rec.db_set("status", "Done")
	frappe.set_user(operator)
	appeal = make_appeal(customer=client.customer, phone="+79160001105")
	with pytest.raises(frappe.ValidationError, match="only an open one"):
		book_from_appeal(appeal.name, rec.name)
	frappe.set_user("Administrator")
	other_appeal = make_appeal(customer=make_customer(), phone="+79160001106")
	rec.db_set("status", "Open")
	with pytest.raises(frappe.ValidationError, match="another customer"):
		book_from_appeal(other_appeal.name, rec.name)


def test_the_source_documents_connections_count_their_recommendations(client, advisor):
	from frappe.desk.notifications import get_open_count

	order = repair_order(client)
	recommend("Sales Order", order.name, advisor, description="Заменить колодки")
	request = frappe.get_doc(
		{"doctype": "Service Request", "kind": "Repair", "customer": client.customer}
	).insert()
	recommend("Service Request", request.name, advisor, description="Заменить масло")
	recommend("Service Request", request.name, advisor, description="Заменить фильтр")

	def count(doctype, name):
		links = get_open_count(doctype, name)["count"]["external_links_found"]
		return next(row["count"] for row in links if row["doctype"] == "Service Recommendation")

	assert count("Service Request", request.name) == 2
	frappe.set_user(advisor)  # the repair order as the service advisor sees it
	assert count("Sales Order", order.name) == 1
