"""Who the call cards go to, whatever order a call's events arrive in: the events the filing of each
call event publishes (Frappe's realtime log, sent when the transaction commits), and the tasks."""

import pytest

import frappe

from auto_service_crm.intake.events import CallEvent
from auto_service_crm.settings import site_language
from auto_service_crm.telephony.filing import file_call
from auto_service_crm.telephony.screen_pop import CALL, MISSED
from tests.integration.factories import make_user

RUN = frappe.generate_hash(length=6)


@pytest.fixture
def staff():
	"""Operators A (who owns a PBX line) and B; nobody else is an operator while the test runs."""
	others = frappe.get_all(
		"Has Role", filters={"role": "Auto Service Operator", "parenttype": "User"}, pluck="parent"
	)
	for user in others:
		frappe.db.set_value("User", user, "enabled", 0)
	a, b = make_user("Auto Service Operator"), make_user("Auto Service Operator")
	frappe.db.set_value("User", a, "asc_phone_line", f"line-{RUN}")
	return a, b


def event(call_id, kind, **extra):
	return CallEvent(provider="generic", external_id=call_id, event=kind, caller="+79167005501", **extra)


def cards() -> dict[str, list[str]]:
	"""The states each user's desk was sent since the last call, in order; then forget them."""
	sent = {}
	for name, data, room in frappe.local._realtime_log:
		if name == CALL:
			sent.setdefault(room.removeprefix("user:"), []).append(data["state"])
	frappe.local._realtime_log = []
	return sent


def tasks(appeal) -> list[tuple[str, str]]:
	return sorted(
		frappe.get_all(
			"ToDo",
			filters={"reference_name": appeal, "status": "Open"},
			fields=["allocated_to", "description"],
			as_list=True,
		)
	)


def test_a_call_on_a_line_rings_its_owner_and_the_answer_closes_the_others(staff):
	a, b = staff
	frappe.local._realtime_log = []
	call_id = f"pop-{RUN}-1"
	appeal = file_call(event(call_id, "ringing"))  # the voice menu: a line nobody owns
	assert cards() == {a: ["ringing"], b: ["ringing"]}
	file_call(event(call_id, "ringing", agent=f"line-{RUN}"))  # now A's phone rings
	assert cards() == {a: ["ringing"], b: ["closed"]}
	file_call(event(call_id, "answered", agent=f"line-{RUN}"))
	file_call(event(call_id, "answered", agent=f"line-{RUN}"))  # delivered twice
	# Frappe sends one of identical messages of a transaction
	assert cards() == {a: ["answered"], b: ["closed"]}
	result_task = frappe._("Specify the appeal's result", lang=site_language())  # the site's language
	assert tasks(appeal) == [(a, result_task)], "one task, for who answered"
	file_call(event(call_id, "ringing", agent=f"line-{RUN}"))  # late: the call is in progress
	assert cards() == {}, "nothing turns an answered call back to ringing"
	file_call(event(call_id, "ended", talk_seconds=40))
	assert cards() == {a: ["closed"], b: ["closed"]}
	file_call(event(call_id, "answered", agent=f"line-{RUN}"))  # late: the call has ended
	assert cards() == {a: ["closed"], b: ["closed"]}
	assert frappe.db.get_value("Call Log", call_id, "status") == "Completed"
	assert frappe.db.count("Appeal", {"call_log": call_id}) == 1


def test_an_answer_before_the_ring_and_a_missed_call_delivered_twice(staff):
	a, b = staff
	frappe.local._realtime_log = []
	answered = f"pop-{RUN}-2"
	file_call(event(answered, "answered", agent=f"line-{RUN}"))  # the answer overtook the ring
	file_call(event(answered, "ringing"))
	assert cards() == {a: ["answered"], b: ["closed"]}

	missed = f"pop-{RUN}-3"
	appeal = file_call(event(missed, "ringing"))
	cards()
	file_call(event(missed, "missed", wait_seconds=30))
	file_call(event(missed, "missed", wait_seconds=30))
	missed_cards = sorted(room for name, data, room in frappe.local._realtime_log if name == MISSED)
	assert missed_cards == sorted([f"user:{a}", f"user:{b}"]), "one missed card each, at the first delivery"
	assert cards() == {a: ["closed"], b: ["closed"]}
	assert {user for user, _ in tasks(appeal)} == {a, b}, "one task each, once"
	bells = frappe.get_all("Notification Log", filters={"document_name": appeal}, pluck="for_user")
	assert sorted(bells) == sorted([a, b]), "the bell, once each"
