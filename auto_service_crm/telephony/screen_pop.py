"""The call drives the operator's desk: a call card on the operator's screen while the call rings, the
appeal opened for whoever answers, a missed call shown at once to every operator.

Frappe's realtime (socket.io) carries the events to the desk, where ``public/js/call_card.js``
draws the cards on whatever page the operator is. ERPNext has a call popup of its own
(``show_call_popup``, published by Call Log for the Employees scheduled in Incoming Call Settings):
it knows Leads and Contacts, not the client's cars, requests, repair orders and appeal, and it rings
Employees rather than the station's operators, so the app's Call Log class turns it off
(``overrides/call_log.py``) and this card takes its place.

Who sees the card of an incoming call:
- «ringing» on a line a user owns (their PBX Line, user id, phone or mobile number): that user; the
  other operators' cards of the call close;
- «ringing» on a line nobody owns (the voice menu, the station's number): every operator;
- «answered» by a user: that user's card turns to the conversation, and the appeal opens by itself
  when their preference says so; every other card of the call closes; the user gets the task
  «Specify the appeal's result»;
- the call ended or missed: every card of it closes.

What the cards show follows the Call Log's status after the event, not the event alone: events of
one call arriving twice or out of order never open two cards (the desk keys a card by the call),
never turn an answered call back to ringing nor reopen an ended one, and never give a second task
(``operator_tasks.result_task`` makes one).
"""

import frappe

from erpnext.telephony.doctype.call_log.call_log import END_CALL_STATUSES as ENDED

from auto_service_crm.intake.events import CallEvent
from auto_service_crm.operator_tasks import operators, result_task, user_for_line
from auto_service_crm.settings import display_phone

CALL = "auto_service_crm_call"
MISSED = "auto_service_crm_missed_call"
RINGING, ANSWERED, CLOSED = "ringing", "answered", "closed"


def announce(event: CallEvent, appeal, operator: str | None, status: str) -> None:
	"""Tell the desks what this event of an incoming call changes on the operators' screens;
	``status``: the Call Log's status once the event is filed."""
	if event.direction != "incoming":
		return
	card = {
		"call": event.external_id,
		"appeal": appeal.name,
		"phone": display_phone(appeal.phone),
		"client_name": appeal.client_name,
		"customer": appeal.customer,
	}
	staff = operators()
	if status in ENDED:
		for user in {*staff, *([appeal.operator] if appeal.operator else [])}:
			send(user, card, CLOSED)
		return
	if event.event == "ringing" and status == "Ringing":
		owner = user_for_line(event.agent)
		for user in staff if not owner else [owner]:
			send(user, card, RINGING)
		for user in staff if owner else []:
			if user != owner:
				send(user, card, CLOSED)
		return
	if event.event == "answered" and operator:
		result_task(appeal.name, operator)
		send(operator, card, ANSWERED, open=opens_on_answer(operator))
		for user in staff:
			if user != operator:
				send(user, card, CLOSED)
	# else: a late «ringing» of a call in progress, or an answer on a line nobody owns: no change


def send(user: str, card: dict, state: str, **extra) -> None:
	frappe.publish_realtime(CALL, {**card, "state": state, **extra}, user=user, after_commit=True)


def opens_on_answer(user: str) -> bool:
	"""The user's preference (Open the Appeal When I Answer a Call, on by default)."""
	if not frappe.get_meta("User").has_field("asc_open_appeal_on_answer"):
		return True
	value = frappe.db.get_value("User", user, "asc_open_appeal_on_answer")
	return value is None or bool(value)


def announce_missed(appeal, users: list[str], message: str) -> None:
	"""A missed call, at once for the operators: a card with its waiting time, loss reason and «Call
	back», and Frappe's notification bell."""
	data = {
		"appeal": appeal.name,
		"call": appeal.call_log,
		"phone": display_phone(appeal.phone),
		"client_name": appeal.client_name,
		"wait_time": appeal.wait_time,
		"loss_reason": appeal.loss_reason,
		"message": message,
	}
	for user in users:
		frappe.publish_realtime(MISSED, data, user=user, after_commit=True)
		bell = frappe.new_doc("Notification Log")
		bell.update(
			{
				"for_user": user,
				"type": "Alert",
				"document_type": "Appeal",
				"document_name": appeal.name,
				"subject": message,
			}
		)
		bell.insert(ignore_permissions=True)
