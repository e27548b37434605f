"""A call event filed: the ERPNext Call Log follows the call, the Appeal is the client's contact;
a missed call gives the operators a task and a real-time alert."""

import frappe
from frappe import _

from erpnext.telephony.doctype.call_log.call_log import END_CALL_STATUSES, ONGOING_CALL_STATUSES

from auto_service_crm.intake.events import CallEvent
from auto_service_crm.intake_filing import local_time, new_appeal
from auto_service_crm.operator_tasks import task_for_operators, user_for_line
from auto_service_crm.settings import display_phone, site_language
from auto_service_crm.telephony import callback, outbound, recordings
from auto_service_crm.telephony.calls_out import RecordingEvent
from auto_service_crm.telephony.screen_pop import announce, announce_missed

CALL_LOG_STATUS = {
	"ringing": "Ringing",
	"answered": "In Progress",
	"ended": "Completed",
	"missed": "No Answer",
}


def file_call(event: CallEvent) -> str | None:
	"""One event of a call: the Call Log follows the call, the Appeal is the client's contact.

	A call the app asked the PBX for (``telephony/outbound.py``) is filed on its requested Call Log,
	which links its appeal: no new appeal is made for it, and the website callback takes its next
	step (``callback.on_call_event``). A recording event keeps the recording on the call's log.

	Times are the call's own: the Call Log and the appeal start when the call began (the provider's
	start of the call, else the moment of its first event), the Call Log ends at the moment of the
	event that ends it.
	"""
	if isinstance(event, RecordingEvent):
		return recordings.file_recording(event)
	when = local_time(event.occurred_at)
	started = local_time(event.started_at or event.occurred_at)
	call_log = frappe.db.exists("Call Log", event.external_id) or outbound.requested_call(event)
	requested = outbound.is_requested(call_log)
	if call_log:
		log = frappe.get_doc("Call Log", call_log)
	else:
		log = frappe.get_doc(
			{
				"doctype": "Call Log",
				"id": event.external_id,
				"from": event.caller if event.direction == "incoming" else event.called,
				"to": event.called if event.direction == "incoming" else event.caller,
				"type": "Incoming" if event.direction == "incoming" else "Outgoing",
				"medium": event.provider,
				"start_time": started,
			}
		)
	before = log.status
	status = CALL_LOG_STATUS[event.event]
	late = log.status in END_CALL_STATUSES and status in ONGOING_CALL_STATUSES
	if not late and not (log.status == "In Progress" and status == "Ringing"):
		# a late «ringing» or «answered» does not reopen an ended call, nor does a leg that rings
		# (a transfer) take back the answer of a call already in progress
		log.status = status
	if event.talk_seconds is not None:
		log.duration = event.talk_seconds
	recording = recordings.reference_of(event)
	if recording:
		log.recording_url = recording
	if event.event in ("ended", "missed"):
		log.end_time = when
	operator = user_for_line(event.agent) if event.event == "answered" else None
	if operator:
		log.employee_user_id = operator
	log.save(ignore_permissions=True) if not log.is_new() else log.insert(ignore_permissions=True)

	if requested:
		return callback.on_call_event(log, event, before)
	if event.direction != "incoming":
		return frappe.db.get_value("Appeal", {"call_log": log.name})
	appeal_name = frappe.db.get_value("Appeal", {"call_log": log.name})
	appeal = frappe.get_doc("Appeal", appeal_name) if appeal_name else None
	if appeal is None:
		appeal = new_appeal(
			channel="Missed Call" if event.event == "missed" else "Incoming Call",
			appeal_datetime=started,
			phone=event.caller,
			dialled_number=event.called,
			call_log=log.name,
		)
		# one child row, not a second save of the whole Call Log (its hooks ran on insert)
		log.append("links", {"link_doctype": "Appeal", "link_name": appeal.name}).db_insert()
	if operator and not appeal.operator:
		appeal.db_set("operator", operator)
	announce(event, appeal, operator, log.status)
	if event.event == "missed" and not appeal.completed_on:
		appeal.channel = "Missed Call"
		appeal.loss_reason = event.loss_reason or appeal.loss_reason
		appeal.wait_time = event.wait_seconds if event.wait_seconds is not None else appeal.wait_time
		appeal.save(ignore_permissions=True)
		missed_call_task(appeal)
	return appeal.name


def missed_call_task(appeal) -> None:
	"""«Process the missed call»: a task for every operator, and the missed call shown at once on
	their desks (a card and the notification bell)."""
	if frappe.db.exists(
		"ToDo", {"reference_type": "Appeal", "reference_name": appeal.name, "status": "Open"}
	):
		return
	lang = site_language()
	description = _("Process the missed call from {0}", lang=lang).format(
		display_phone(appeal.phone) or _("an unknown number", lang=lang)
	)
	announce_missed(appeal, task_for_operators(appeal.name, description, priority="High"), description)
