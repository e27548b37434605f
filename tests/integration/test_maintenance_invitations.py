"""Maintenance invitations: the daily job on cars with known histories (due, not yet due, booked,
already invited, without readings), idempotent across runs; the report; the invitation by email into
the Email Queue and by SMS to a loopback gateway when the settings enable them."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest

import frappe
from frappe.utils import add_days, getdate, nowdate

from auto_service_crm.maintenance import invitations
from auto_service_crm.maintenance.setup import CATEGORY, CHANNEL, make_maintenance_defaults
from auto_service_crm.rules.maintenance import add_months
from tests.integration.factories import make_customer, make_vehicle_model
from tests.integration.test_alerts import decoded


def today():
	return getdate(nowdate())


REPORT = "auto_service_crm.auto_service_crm.report.maintenance_invitations.maintenance_invitations"


@pytest.fixture(autouse=True)
def settings():
	"""The shipped defaults (15000 km, 12 months, 14 days, two readings 30 days apart), no mail nor SMS."""
	values = {
		"default_service_interval_km": 15000,
		"default_service_interval_months": 12,
		"invitation_days_before": 14,
		"min_mileage_readings": 2,
		"min_reading_span_days": 30,
		"invite_by_email": 0,
		"invite_by_sms": 0,
	}
	for field, value in values.items():
		frappe.db.set_single_value("Auto Service Settings", field, value)
	frappe.clear_document_cache("Auto Service Settings", "Auto Service Settings")
	yield
	frappe.db.value_cache.clear()
	frappe.cache.hdel("notifications", "Maintenance Invitation")


def client(phone: str | None = None, email: str | None = None) -> str:
	customer = make_customer()
	if phone or email:
		contact = frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": customer,
				"phone_nos": [{"phone": phone, "is_primary_mobile_no": 1}] if phone else [],
				"email_ids": [{"email_id": email, "is_primary": 1}] if email else [],
				"links": [{"link_doctype": "Customer", "link_name": customer}],
			}
		).insert(ignore_permissions=True)
		frappe.db.set_value("Customer", customer, "customer_primary_contact", contact.name)
	return customer


def car(customer: str, readings=(), model: str | None = None) -> str:
	"""A car with readings given as (days before today, km)."""
	return (
		frappe.get_doc(
			{
				"doctype": "Customer Vehicle",
				"customer": customer,
				"vehicle_model": model or make_vehicle_model(),
				"mileage_readings": [
					{"reading_date": add_days(today(), -days), "mileage": km} for days, km in readings
				],
			}
		)
		.insert()
		.name
	)


# 12000 km in 240 days: 50 a day; the 25000 km of the service after the first reading's 10000 are
# reached 60 days after the last reading, i.e. today (the 12 months come 65 days later)
DUE_TODAY = ((300, 10000), (60, 22000))
# 900 km in 90 days: 10 a day; due by the months, 265 days from now
NOT_DUE = ((100, 10000), (10, 10900))


def request(customer: str, vehicle: str, status: str, **fields) -> str:
	"""A repair request of the car, opened and then put into ``status`` (the history, not the workflow)."""
	name = (
		frappe.get_doc(
			{
				"doctype": "Service Request",
				"kind": "Repair",
				"customer": customer,
				"vehicle": vehicle,
				**fields,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)
	frappe.db.set_value("Service Request", name, "status", status)
	return name


def invitations_of(vehicle: str) -> list[frappe._dict]:
	return frappe.get_all(
		"Maintenance Invitation",
		filters={"vehicle": vehicle},
		fields=[
			"name",
			"status",
			"appeal",
			"due_date",
			"due_mileage",
			"reason",
			"sent_email",
			"sent_sms",
			"service_request",
			"recommendation",
			"invitation_key",
			"last_service_date",
		],
	)


def test_the_defaults_and_the_daily_job_are_installed():
	assert frappe.db.exists("Appeal Channel", CHANNEL)
	category = frappe.get_doc("Appeal Category", CATEGORY)
	assert category.call_script and {row.result for row in category.results} >= {"Client Booked", "Refused"}
	assert (
		"auto_service_crm.maintenance.invitations.make_invitations"
		in frappe.get_hooks("scheduler_events")["daily"]
	)
	make_maintenance_defaults()  # once more: nothing twice
	assert frappe.db.count("Appeal Channel", {"name": CHANNEL}) == 1
	assert frappe.db.count("Notification", {"document_type": "Maintenance Invitation"}) == 4


def test_a_due_car_gets_one_outgoing_appeal_and_an_invitation_once():
	customer = client(phone="+79160000301")
	vehicle = car(customer, DUE_TODAY)
	appeals = invitations.make_invitations(today())
	[invitation] = invitations_of(vehicle)
	assert invitation.appeal in appeals
	assert (invitation.status, getdate(invitation.due_date), invitation.due_mileage) == (
		"Invited",
		today(),
		25000,
	)
	assert getdate(invitation.last_service_date) == add_days(today(), -300)
	assert invitation.invitation_key == f"{vehicle}:{add_days(today(), -300)}"
	appeal = frappe.get_doc("Appeal", invitation.appeal)
	assert (appeal.channel, appeal.category, appeal.customer, appeal.vehicle) == (
		CHANNEL,
		CATEGORY,
		customer,
		vehicle,
	)
	assert appeal.phone_normalized == "+79160000301" and appeal.contact
	assert appeal.client_comment == invitation.reason and "25000" in appeal.client_comment
	assert not appeal.category_set_automatically and not appeal.completed_on

	again = invitations.make_invitations(today())
	assert invitation.appeal not in again and len(invitations_of(vehicle)) == 1
	assert frappe.db.count("Appeal", {"vehicle": vehicle}) == 1


def test_exactly_n_days_before_is_invited_and_a_day_earlier_is_not():
	customer = client()
	vehicle = car(customer, DUE_TODAY)  # due today
	invitations.make_invitations(add_days(today(), -15))
	assert not invitations_of(vehicle)
	invitations.make_invitations(add_days(today(), -14))
	assert len(invitations_of(vehicle)) == 1


def test_a_car_not_yet_due_is_not_invited():
	vehicle = car(client(), NOT_DUE)
	invitations.make_invitations(today())
	assert not invitations_of(vehicle)
	[outlook] = invitations.outlooks([vehicle])
	assert outlook.estimate.km_per_day == 10 and outlook.due.by == "months"


def test_a_car_whose_owner_booked_is_skipped():
	customer = client()
	booked = car(customer, DUE_TODAY)
	request(customer, booked, "Booked")
	refused = car(customer, DUE_TODAY)
	request(customer, refused, "Refused")
	invitations.make_invitations(today())
	assert not invitations_of(booked)
	assert len(invitations_of(refused)) == 1, "a refused request is no booking"


def test_a_completed_service_starts_the_next_interval():
	customer = client()
	vehicle = car(customer, DUE_TODAY)
	done = request(customer, vehicle, "Completed", mileage=22000)
	frappe.db.set_value(
		"Service Request", done, {"request_date": add_days(today(), -61), "closed_on": add_days(today(), -60)}
	)
	invitations.make_invitations(today())
	assert not invitations_of(vehicle)
	[outlook] = invitations.outlooks([vehicle])
	assert outlook.last_service == add_days(today(), -60) and outlook.due.due_mileage == 37000


def test_the_model_interval_wins_over_the_settings():
	model = make_vehicle_model("Lada", "Largus")
	frappe.db.set_value("Vehicle Model", model, {"service_interval_km": 10000, "service_interval_months": 6})
	[outlook] = invitations.outlooks([car(client(), NOT_DUE, model=model)])
	assert (
		outlook.due.due_date == add_months(getdate(add_days(today(), -100)), 6) and outlook.due.by == "months"
	)
	assert outlook.due.due_mileage == 20000


def test_cars_without_enough_readings_get_no_invitation_and_the_report_says_why():
	from importlib import import_module

	customer = client()
	none = car(customer)
	one = car(customer, ((10, 5000),))
	close = car(customer, ((10, 5000), (5, 5200)))
	invitations.make_invitations(today())
	assert not any(invitations_of(v) for v in (none, one, close))

	frappe.local.lang = "ru"
	try:
		_columns, data, _message, _chart, summary = import_module(REPORT).execute({})
	finally:
		frappe.local.lang = "en"
	reasons = {
		row["vehicle"]: (row["state"], row["reason"]) for row in data if row["vehicle"] in (none, one, close)
	}
	assert reasons == {
		none: ("Нет оценки", "нет показаний пробега"),
		one: ("Нет оценки", "недостаточно показаний пробега"),
		close: ("Нет оценки", "недостаточно показаний пробега"),
	}
	assert {s["label"] for s in summary} >= {"Автомобилей без оценки", "Приглашений с записью (%)"}


def test_the_report_counts_invitations_and_their_bookings():
	from importlib import import_module

	customer = client()
	booked, waiting = car(customer, DUE_TODAY), car(customer, DUE_TODAY)
	invitations.make_invitations(today())
	sr = request(customer, booked, "Booked")
	invitations.make_invitations(today())  # marks the booking
	[invitation] = invitations_of(booked)
	assert (invitation.status, invitation.service_request) == ("Booked", sr)
	assert invitations_of(waiting)[0].status == "Invited"

	frappe.local.lang = "en"
	_columns, data, _message, _chart, summary = import_module(REPORT).execute(
		{"from_date": add_days(today(), -1), "to_date": add_days(today(), 1)}
	)
	mine = {row["vehicle"]: row for row in data if row["vehicle"] in (booked, waiting)}
	assert (mine[booked]["state"], mine[booked]["service_request"]) == ("Booked", sr)
	assert mine[waiting]["state"] == "Invited" and not mine[waiting]["service_request"]
	figures = {s["label"]: s["value"] for s in summary}
	invited = sum(row["invited"] for row in data)
	assert figures["Invited"] == invited >= 2 and figures["Booked"] >= 1
	assert figures["Invitations Booked (%)"] == round(100.0 * figures["Booked"] / invited, 1)


def test_a_booking_through_the_invitations_appeal_counts():
	customer = client()
	vehicle = car(customer, DUE_TODAY)
	[appeal] = invitations.make_invitations(today())
	sr = request(customer, car(customer), "Booked")  # another car's request, linked from the appeal
	frappe.db.set_value("Appeal", appeal, "service_request", sr)
	invitations.mark_bookings()
	assert invitations_of(vehicle)[0].service_request == sr


def test_a_due_recommendation_is_a_reason_too():
	customer = client()
	vehicle = car(customer, NOT_DUE)
	soon = frappe.get_doc(
		{
			"doctype": "Service Recommendation",
			"customer": customer,
			"vehicle": vehicle,
			"description": "Replace the brake pads",
			"due_mileage": 11000,  # 100 km to go at 10 a day: in 10 days
		}
	).insert(ignore_permissions=True)
	later = frappe.get_doc(
		{
			"doctype": "Service Recommendation",
			"customer": customer,
			"vehicle": vehicle,
			"description": "Replace the timing belt",
			"due_date": add_days(today(), 60),
		}
	).insert(ignore_permissions=True)
	invitations.make_invitations(today())
	[invitation] = invitations_of(vehicle)
	assert invitation.recommendation == soon.name and "Replace the brake pads" in invitation.reason
	assert invitation.invitation_key == f"{vehicle}:{soon.name}"
	invitations.make_invitations(today())
	assert len(invitations_of(vehicle)) == 1
	invitations.make_invitations(add_days(today(), 50))
	assert {i.recommendation for i in invitations_of(vehicle)} == {soon.name, later.name}


# email and SMS ---------------------------------------------------------------------------------


class Gateway:
	"""An SMS gateway on loopback: keeps every request's parameters."""

	def __init__(self):
		self.requests = []
		gateway = self

		class Handler(BaseHTTPRequestHandler):
			def do_POST(self):
				body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
				gateway.requests.append(dict(parse_qsl(body)))
				self.send_response(200)
				self.end_headers()
				self.wfile.write(b"OK")

			def log_message(self, *args):
				pass

		self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		threading.Thread(target=self.server.serve_forever, daemon=True).start()
		self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"

	def close(self):
		self.server.shutdown()
		self.server.server_close()


@pytest.fixture
def gateway():
	server = Gateway()
	sms = frappe.get_single("SMS Settings")
	sms.update(
		{
			"sms_gateway_url": server.url,
			"message_parameter": "text",
			"receiver_parameter": "to",
			"use_post": 1,
			"parameters": [],
		}
	)
	sms.save()
	# the appeals' own SMS alerts on, to show that an invitation's appeal sends none of them
	for name in frappe.get_all(
		"Notification", filters={"channel": "SMS", "name": ["like", "Appeal %"]}, pluck="name"
	):
		frappe.db.set_value("Notification", name, "enabled", 1)
	frappe.cache.hdel("notifications", "Appeal")
	try:
		yield server
	finally:
		server.close()
		frappe.cache.hdel("notifications", "Appeal")


def test_nothing_is_sent_to_the_client_while_the_settings_say_no(gateway):
	vehicle = car(client(phone="+79160000302", email="owner302@example.com"), DUE_TODAY)
	invitations.make_invitations(today())
	[invitation] = invitations_of(vehicle)
	assert not invitation.sent_email and not invitation.sent_sms
	assert not frappe.get_all("Email Queue", filters={"reference_name": invitation.name})
	assert gateway.requests == []


def test_the_client_is_invited_by_email_and_sms_when_enabled(gateway):
	frappe.db.set_single_value(
		"Auto Service Settings", {"invite_by_email": 1, "invite_by_sms": 1, "client_email_language": "ru"}
	)
	frappe.clear_document_cache("Auto Service Settings", "Auto Service Settings")
	vehicle = car(client(phone="+79160000303", email="owner303@example.com"), DUE_TODAY)
	invitations.make_invitations(today())
	[invitation] = invitations_of(vehicle)
	assert invitation.sent_email and invitation.sent_sms
	title = frappe.db.get_value("Customer Vehicle", vehicle, "title")
	[mail] = frappe.get_all(
		"Email Queue",
		filters={"reference_doctype": "Maintenance Invitation", "reference_name": invitation.name},
		fields=["name", "message"],
	)
	recipients = frappe.get_all("Email Queue Recipient", filters={"parent": mail.name}, pluck="recipient")
	assert recipients == ["owner303@example.com"]
	text = decoded(mail.message)
	assert f"Пора на ТО: ваш автомобиль {title}" in text and "25000" in text
	assert gateway.requests == [{"to": "+79160000303", "text": f"Пора на ТО: ваш автомобиль {title}"}]


def test_no_sms_without_a_gateway_even_when_enabled():
	frappe.db.set_single_value("SMS Settings", "sms_gateway_url", "")
	frappe.db.set_single_value("Auto Service Settings", "invite_by_sms", 1)
	frappe.clear_document_cache("Auto Service Settings", "Auto Service Settings")
	vehicle = car(client(phone="+79160000304"), DUE_TODAY)
	invitations.make_invitations(today())
	assert invitations_of(vehicle)[0].sent_sms == 0
