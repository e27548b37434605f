"""What the operator hears and what the channels send is kept: the car named on the phone becomes
the client's Customer Vehicle with its mileage, the work types' texts fill the comment, the website
form's UTM medium, campaign and form name stay on the appeal, the app's plate finds the client's car."""

import pytest

import frappe
from frappe.utils import add_to_date, now_datetime

from tests.integration.factories import make_appeal, make_customer, make_user, make_vehicle_model
from tests.integration.test_intake_http import RUN, post
from tests.integration.test_reports import FILTERS, appeal_on


@pytest.fixture
def operator():
	user = make_user("Auto Service Operator")
	frappe.set_user(user)
	return user


def book(**fields):
	when = add_to_date(
		now_datetime(), days=3, minutes=frappe.utils.cint(frappe.generate_hash(length=4), 16) % 9000
	)
	appeal = make_appeal(category="Repair Services", result="Client Booked", booking_time=when, **fields)
	appeal.complete()
	appeal.reload()
	return appeal


def test_a_new_clients_car_told_on_the_phone_becomes_their_vehicle_with_a_reading(operator):
	model = make_vehicle_model("Kia", "Rio")
	appeal = book(
		phone="+79160000401",
		client_name="Новый С Машиной",
		vehicle_model=model,
		vehicle_year=2017,
		mileage=84000,
	)
	assert appeal.customer and appeal.vehicle
	vehicle = frappe.get_doc("Customer Vehicle", appeal.vehicle)
	assert (vehicle.customer, vehicle.vehicle_model, vehicle.year) == (appeal.customer, model, 2017)
	assert vehicle.current_mileage == 84000
	assert [(row.mileage, row.appeal) for row in vehicle.mileage_readings] == [(84000, appeal.name)]
	assert frappe.db.get_value("Service Request", appeal.service_request, "vehicle") == vehicle.name


def test_an_existing_clients_unregistered_car_is_added_and_a_known_one_is_reused(operator):
	model, other = make_vehicle_model("Lada", "Vesta"), make_vehicle_model("Kia", "Rio")
	frappe.set_user("Administrator")
	customer = make_customer()
	known = frappe.get_doc(
		{"doctype": "Customer Vehicle", "customer": customer, "vehicle_model": model, "year": 2019}
	).insert()
	frappe.set_user(operator)

	again = book(customer=customer, vehicle_model=model, vehicle_year=2019, mileage=30000)
	assert again.vehicle == known.name, "the same model and year is the car they have"
	assert frappe.db.get_value("Customer Vehicle", known.name, "current_mileage") == 30000

	added = book(customer=customer, vehicle_model=other, vehicle_year=2015)
	assert added.vehicle and added.vehicle != known.name
	assert frappe.db.get_value("Customer Vehicle", added.vehicle, ["customer", "vehicle_model", "year"]) == (
		customer,
		other,
		2015,
	)
	assert frappe.db.count("Customer Vehicle", {"customer": customer}) == 2
	assert frappe.db.get_value("Service Request", added.service_request, "vehicle") == added.vehicle


def test_work_types_fill_the_comment_keeping_the_operators_words():
	names = []
	for name, text in (("ASC Kept Diagnostics", "Диагностика ходовой"), ("ASC Kept Oil", "Замена масла")):
		if not frappe.db.exists("Work Type", name):
			frappe.get_doc({"doctype": "Work Type", "work_type_name": name, "comment_text": text}).insert()
		else:
			frappe.db.set_value("Work Type", name, "comment_text", text)
		names.append(name)
	appeal = make_appeal(
		phone="+79160000402", client_comment="Стучит справа", work_types=[{"work_type": names[0]}]
	)
	assert appeal.client_comment == "Стучит справа\nДиагностика ходовой"
	appeal.client_comment += ", срочно"
	appeal.append("work_types", {"work_type": names[1]})
	appeal.save()
	assert appeal.client_comment == "Стучит справа\nДиагностика ходовой, срочно\nЗамена масла"
	appeal.save()
	assert appeal.client_comment.count("Замена масла") == 1, "a text is added once"


@pytest.fixture
def tokens(web_server):
	settings = frappe.get_single("Auto Service Settings")
	settings.update({"website_form_token": "form-secret", "mobile_app_token": "app-secret"})
	settings.save()
	frappe.db.commit()


def test_website_form_utm_medium_campaign_and_form_name_are_kept(web_server, committed, tokens):
	body = {
		"submission_id": f"kept-f-{RUN}",
		"name": "Кампания",
		"phone": "+7 916 700-04-03",
		"form": "Запись на ТО",
		"page_url": "https://sto.example/?utm_source=yandex&utm_medium=cpc&utm_campaign=podveska",
	}
	response = post(web_server, "website_form_submission", body, {"X-Webhook-Token": "form-secret"})
	assert response.ok, response.text
	[name] = committed.new("Appeal")
	appeal = frappe.get_doc("Appeal", name)
	assert (appeal.utm_source, appeal.utm_medium, appeal.utm_campaign, appeal.form_name) == (
		"yandex",
		"cpc",
		"podveska",
		"Запись на ТО",
	)


def test_ad_channel_effectiveness_by_campaign():
	from auto_service_crm.auto_service_crm.report.ad_channel_effectiveness.ad_channel_effectiveness import (
		execute,
	)

	appeal_on(13, phone="+79166000041", utm_campaign="ASC podveska")
	appeal_on(14, phone="+79166000042", utm_campaign="ASC podveska")
	appeal_on(15, phone="+79166000043", utm_campaign="ASC shiny")
	columns, rows, _message, chart = execute({**FILTERS, "group_by": "Campaign"})
	by_campaign = {row.group: row for row in rows if row.group_value}
	assert {k: v.appeals for k, v in by_campaign.items()} == {"ASC podveska": 2, "ASC shiny": 1}
	assert by_campaign["ASC shiny"].cost is None, "a campaign has no cost of its own"
	assert columns[0]["label"] == "Campaign"
	assert chart["data"]["labels"][0] == "ASC podveska"


def test_the_mobile_apps_plate_finds_the_clients_car(web_server, committed, tokens):
	customer = make_customer("Клиент Приложения")
	frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": "Клиент",
			"phone_nos": [{"phone": "+7 916 700-04-04"}],
			"links": [{"link_doctype": "Customer", "link_name": customer}],
		}
	).insert()
	model = make_vehicle_model("Kia", "Rio")
	other = frappe.get_doc(
		{
			"doctype": "Customer Vehicle",
			"customer": customer,
			"vehicle_model": model,
			"license_plate": "B777BB77",
		}
	).insert()
	car = frappe.get_doc(
		{
			"doctype": "Customer Vehicle",
			"customer": customer,
			"vehicle_model": model,
			"license_plate": "A123BC77",
		}
	).insert()
	frappe.db.commit()
	try:
		body = {
			"request_id": f"kept-m-{RUN}",
			"phone": "89167000404",
			"text": "Запись на ТО",
			"vehicle": "Kia Rio",
			"plate": "а 123 вс 77",
		}
		response = post(web_server, "mobile_app_request", body, {"X-Webhook-Token": "app-secret"})
		assert response.ok, response.text
		[name] = committed.new("Appeal")
		appeal = frappe.get_doc("Appeal", name)
		assert (appeal.customer, appeal.vehicle) == (customer, car.name)
		assert "а 123 вс 77" in appeal.client_comment and "Kia Rio" in appeal.client_comment
	finally:
		frappe.db.rollback()
		for appeal in frappe.get_all(
			"Appeal", filters={"vehicle": ("in", (car.name, other.name))}, pluck="name"
		):
			frappe.delete_doc("Appeal", appeal, force=True)
		for vehicle in (car.name, other.name):
			frappe.delete_doc("Customer Vehicle", vehicle, force=True)
		frappe.db.commit()
