"""The Service Request Workflow ships as a default and the app respects what a consultant makes of it."""

import pytest

import frappe
from frappe.model.workflow import WorkflowPermissionError
from frappe.utils import add_to_date, now_datetime

from tests.integration.factories import make_appeal, make_customer, make_user


def workflow():
	return frappe.get_doc("Workflow", {"document_type": "Service Request"})


def test_service_request_has_an_active_workflow_on_its_status():
	wf = workflow()
	assert wf.is_active and wf.workflow_state_field == "status"
	assert [s.state for s in wf.states][:1] == ["Open"]
	states = {s.state for s in wf.states}
	assert states <= set(frappe.get_all("Service Request Status", pluck="name"))
	roles = {t.allowed for t in wf.transitions}
	assert roles == {"Auto Service Operator", "Service Advisor", "Parts Manager", "Auto Service Manager"}


def test_staff_move_a_request_through_the_workflow():
	frappe.set_user(make_user("Service Advisor"))
	request = frappe.get_doc(
		{"doctype": "Service Request", "kind": "Repair", "customer": make_customer()}
	).insert()
	assert request.status == "Open"
	from frappe.model.workflow import apply_workflow

	request = apply_workflow(request, "Book")
	assert request.status == "Booked"
	request = apply_workflow(request, "Complete")
	assert request.status == "Completed" and request.closed_on


def test_a_transition_the_workflow_does_not_allow_is_refused():
	request = frappe.get_doc(
		{"doctype": "Service Request", "kind": "Repair", "customer": make_customer()}
	).insert()
	request.status = "Awaiting Client"
	request.save()
	request.status = "Booked"  # no such transition from Awaiting Client
	with pytest.raises(WorkflowPermissionError):
		request.save()


def test_the_hand_off_goes_through_the_consultants_workflow():
	"""The consultant removes Open → Booked: booking from an appeal is refused and leaves nothing."""
	wf = workflow()
	wf.transitions = [t for t in wf.transitions if not (t.state == "Open" and t.next_state == "Booked")]
	wf.save()
	frappe.set_user(make_user("Auto Service Operator"))
	appeal = make_appeal(
		customer=make_customer(),
		category="Repair Services",
		result="Client Booked",
		booking_time=add_to_date(now_datetime(), days=4, minutes=17),
	)
	with pytest.raises(WorkflowPermissionError):
		appeal.complete()
	assert not frappe.db.exists("Service Request", {"source_appeal": appeal.name})
	assert not frappe.db.exists("Appointment", {"party": appeal.customer})


def test_without_an_active_workflow_the_app_sets_statuses_itself():
	frappe.db.set_value("Workflow", workflow().name, "is_active", 0)
	frappe.clear_cache(doctype="Service Request")
	request = frappe.get_doc(
		{"doctype": "Service Request", "kind": "Parts", "customer": make_customer()}
	).insert()
	request.status = "Refused"
	request.save()
	assert request.closed_on
