"""Identifying the client by phone, saving a new number to the customer, searching for a client."""

import pytest

import frappe

from auto_service_crm.identification import client_matches, save_phone_to_customer, search_clients
from tests.integration.factories import make_appeal, make_customer, make_user, make_vehicle_model


def contact_for(customer, *phones):
	return frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": frappe.db.get_value("Customer", customer, "customer_name"),
			"phone_nos": [{"phone": phone} for phone in phones],
			"links": [{"link_doctype": "Customer", "link_name": customer}],
		}
	).insert()


def test_contact_phones_are_stored_normalized():
	contact = contact_for(make_customer(), "8 (916) 200-00-01", "+7 916 200 00 02")
	assert [row.phone_normalized for row in contact.phone_nos] == ["+79162000001", "+79162000002"]


def test_one_customer_with_the_number_is_identified_with_history():
	customer = make_customer("Иван Петров")
	contact = contact_for(customer, "+7 916 200-00-03")
	appeal = make_appeal(phone="89162000003")
	assert (appeal.customer, appeal.contact, appeal.client_name, appeal.identification) == (
		customer,
		contact.name,
		"Иван Петров",
		"Identified",
	)


def test_several_customers_with_the_number_let_the_operator_choose():
	one, two = make_customer(), make_customer()
	contact_for(one, "+79162000004")
	contact_for(two, "+79162000004")
	appeal = make_appeal(phone="+79162000004")
	assert appeal.identification == "Several Matches" and not appeal.customer
	assert {m["customer"] for m in client_matches("8 916 200-00-04")} == {one, two}
	appeal.customer = two
	appeal.save()
	assert appeal.identification == "Identified"


def test_unknown_number_is_a_primary_client_with_a_free_text_name():
	appeal = make_appeal(phone="+79162000005", client_name="Незнакомец")
	assert (appeal.identification, appeal.client_kind, appeal.customer) == ("Not Found", "Primary", None)


def test_a_client_calling_from_a_new_number_is_found_and_the_number_saved():
	frappe.set_user(make_user("Auto Service Operator"))
	customer = make_customer("Мария Соколова")
	contact_for(customer, "+79162000006")
	frappe.get_doc(
		{
			"doctype": "Customer Vehicle",
			"customer": customer,
			"vehicle_model": make_vehicle_model(),
			"license_plate": "Е777КХ199",
			"vin": "XTA21703080654321",
		}
	).insert()
	for text, how in (
		("Соколова", "name"),
		("е 777 кх 199", "vehicle"),
		("xta21703080654321", "vehicle"),
		("8 916 200-00-06", "phone"),
	):
		found = {r["customer"]: r["matched_by"] for r in search_clients(text)}
		assert how in found.get(customer, []), (text, found)
	with pytest.raises(frappe.ValidationError):
		search_clients("a")

	appeal = make_appeal(phone="+7 916 200-00-07")
	assert appeal.identification == "Not Found"
	appeal.customer = customer
	appeal.save()
	save_phone_to_customer(appeal.name)
	again = make_appeal(phone="8 916 200 00 07")
	assert again.customer == customer and again.identification == "Identified"


def test_incoming_mail_becomes_an_appeal_through_the_email_account():
	from frappe.email.receive import InboundMail

	account = frappe.get_doc(
		{
			"doctype": "Email Account",
			"email_account_name": "ASC Service Inbox",
			"email_id": "service@auto-service.example.com",
			"enable_incoming": 0,
			"append_to": "Appeal",
		}
	).insert(ignore_permissions=True)
	account.enable_incoming = 1  # enabled in memory only: nothing connects to a mail server
	mail = (
		"From: Олег <oleg@example.com>\r\nTo: service@auto-service.example.com\r\n"
		"Subject: =?utf-8?b?0JfQsNC/0LjRgdGMINC90LAg0KLQng==?=\r\nMessage-ID: <asc-test-1@example.com>\r\n"
		"Content-Type: text/plain; charset=utf-8\r\n\r\nХочу записаться на ТО в субботу.\r\n"
	)
	communication = InboundMail(mail, account).process()
	assert communication.reference_doctype == "Appeal"
	appeal = frappe.get_doc("Appeal", communication.reference_name)
	assert (appeal.channel, appeal.email) == ("Email", "oleg@example.com")
	assert "Запись на ТО" in appeal.title or appeal.client_name


def test_a_new_client_with_a_car_in_one_step():
	from auto_service_crm.identification import create_client_with_car

	frappe.set_user(make_user("Auto Service Operator"))
	appeal = make_appeal(phone="+7 916 200-00-09", email="new@example.com")
	assert appeal.identification == "Not Found"
	made = create_client_with_car(
		appeal.name,
		"Новый Клиент",
		vehicle_model=make_vehicle_model("Skoda", "Octavia"),
		year=2019,
		license_plate="к 001 кк 77",
	)
	appeal.reload()
	assert (appeal.customer, appeal.contact, appeal.vehicle) == (
		made["customer"],
		made["contact"],
		made["vehicle"],
	)
	assert (appeal.client_name, appeal.vehicle_model, appeal.vehicle_year) == (
		"Новый Клиент",
		"Skoda Octavia",
		2019,
	)
	assert frappe.db.get_value("Customer Vehicle", made["vehicle"], "license_plate") == "K001KK77"
	again = make_appeal(phone="8 916 200 00 09")
	assert again.customer == made["customer"], "the next call from the number is identified"
	with pytest.raises(frappe.ValidationError, match="already has a customer"):
		create_client_with_car(appeal.name, "Кто-то")
