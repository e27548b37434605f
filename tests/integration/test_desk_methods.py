"""The whitelisted methods behind the appeal window, on known data."""

import pytest

import frappe

from auto_service_crm.desk import category_results, client_portrait, event_feed
from tests.integration.factories import (
	make_appeal,
	make_customer,
	make_sales_order,
	make_user,
	make_vehicle_model,
)


def test_the_results_of_a_category_with_the_fields_each_needs():
	results = {row["result"]: row for row in category_results("Repair Services")}
	assert list(results) == ["Client Booked", "Postpone", "Redirect", "Refused"]
	assert results["Client Booked"]["requires"] == ["booking_time"]
	assert results["Postpone"]["requires"] == ["callback_at"]
	assert results["Redirect"]["requires"] == ["redirect_to"]
	assert results["Refused"]["requires"] == ["result_reason"]
	parts = {row["result"]: row["requires"] for row in category_results("Spare Parts")}
	assert parts["Await Client with Reservation"] == ["items"] and parts["Sale Made"] == ["sales_order"]
	assert category_results("Other") == []


def test_the_client_portrait_shows_cars_requests_orders_and_recent_appeals():
	frappe.set_user(make_user("Auto Service Operator"))
	customer = make_customer("Портрет Клиента")
	frappe.set_user("Administrator")
	order = make_sales_order(customer, is_repair_order=1)
	frappe.set_user(make_user("Auto Service Operator"))
	car = frappe.get_doc(
		{
			"doctype": "Customer Vehicle",
			"customer": customer,
			"vehicle_model": make_vehicle_model("Kia", "Rio"),
			"year": 2017,
			"license_plate": "В123ОР77",
			"mileage_readings": [{"reading_date": frappe.utils.nowdate(), "mileage": 88000}],
		}
	).insert()
	request = frappe.get_doc({"doctype": "Service Request", "kind": "Repair", "customer": customer}).insert()
	earlier = make_appeal(customer=customer, client_comment="Первое обращение")
	appeal = make_appeal(customer=customer, category="Repair Services")

	portrait = client_portrait(appeal.name)
	assert portrait["client_name"] == "Портрет Клиента" and portrait["client_kind"] == "Primary"
	assert [(v.name, v.year, v.current_mileage) for v in portrait["vehicles"]] == [(car.name, 2017, 88000)]
	assert [r.name for r in portrait["service_requests"]] == [request.name]
	assert [o.name for o in portrait["repair_orders"]] == [order.name]
	assert [a.name for a in portrait["recent_appeals"]] == [earlier.name]
	assert "VIN" in portrait["call_script"] or portrait["call_script"]  # the category's script


def test_the_event_feed_has_every_contact_newest_first():
	customer = make_customer()
	first = make_appeal(customer=customer, appeal_datetime="2026-01-10 10:00:00")
	frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Chat",
			"sent_or_received": "Received",
			"content": "<p>Когда будет готово?</p>",
			"communication_date": "2026-01-10 10:05:00",
			"reference_doctype": "Appeal",
			"reference_name": first.name,
		}
	).insert(ignore_permissions=True)
	call = frappe.get_doc(
		{
			"doctype": "Call Log",
			"id": f"feed-{frappe.generate_hash(length=6)}",
			"from": "+79161112233",
			"type": "Incoming",
			"status": "Completed",
			"duration": 42,
			"start_time": "2026-02-01 08:59:00",
		}
	).insert(ignore_permissions=True)
	second = make_appeal(customer=customer, appeal_datetime="2026-02-01 09:00:00", call_log=call.name)
	feed = event_feed(second.name)
	assert [(row["kind"], row["name"]) for row in feed][:1] == [("Appeal", second.name)]
	assert [row["kind"] for row in feed] == ["Appeal", "Call", "Message", "Appeal"]
	assert feed[1]["name"] == call.name and feed[1]["text"] == "Completed 42 s"
	assert feed[2]["text"] == "Когда будет готово?"


def test_someone_without_access_to_the_appeal_is_refused():
	appeal = make_appeal(phone="+79165000001")
	frappe.set_user(make_user("Sales User"))
	with pytest.raises(frappe.PermissionError):
		client_portrait(appeal.name)
	with pytest.raises(frappe.PermissionError):
		event_feed(appeal.name)


def test_the_clients_tasks_and_processes_as_a_tree():
	from auto_service_crm.desk import task_tree

	customer = make_customer()
	advisor = make_user("Service Advisor")
	first = make_appeal(
		customer=customer,
		appeal_datetime="2026-01-05 10:00:00",
		category="Repair Services",
		result="Redirect",
		redirect_to=advisor,
	)
	first.complete()
	request = frappe.get_doc({"doctype": "Service Request", "kind": "Repair", "customer": customer}).insert()
	second = make_appeal(customer=customer, appeal_datetime="2026-01-06 10:00:00")
	second.service_request = request.name
	second.save()
	tree = task_tree(second.name)
	assert [node["name"] for node in tree] == [second.name, first.name]
	assert [child["name"] for child in tree[0]["children"]] == [request.name]
	assert [task["allocated_to"] for task in tree[1]["tasks"]] == [advisor]


def test_the_feed_offers_a_calls_recording_to_the_roles_that_may_hear_it():
	"""The call that made the appeal and a call out linked to it, one with a recording."""
	appeal = make_appeal(phone="+79167100201", channel="Incoming Call")
	incoming = frappe.get_doc(
		{"doctype": "Call Log", "id": f"feed-in-{appeal.name}", "type": "Incoming", "status": "Completed"}
	).insert(ignore_permissions=True)
	appeal.db_set("call_log", incoming.name)
	out = frappe.get_doc(
		{
			"doctype": "Call Log",
			"id": f"feed-out-{appeal.name}",
			"type": "Outgoing",
			"status": "Completed",
			"recording_url": "https://pbx.example/records/1.mp3",
			"links": [{"link_doctype": "Appeal", "link_name": appeal.name}],
		}
	).insert(ignore_permissions=True)
	frappe.set_user(make_user("Auto Service Operator"))
	calls = {row["name"]: row for row in event_feed(appeal.name) if row["kind"] == "Call"}
	assert set(calls) == {incoming.name, out.name}, "the call out is in the feed too"
	assert (calls[out.name]["recording"], calls[incoming.name]["recording"]) == (True, False)
	advisor = make_user("Service Advisor")
	frappe.set_user("Administrator")
	frappe.share.add("Appeal", appeal.name, advisor, read=1)  # an advisor reads the appeals they take part in
	frappe.set_user(advisor)
	calls = {row["name"]: row for row in event_feed(appeal.name) if row["kind"] == "Call"}
	assert calls[out.name]["recording"] is False, "an advisor does not hear the calls"
