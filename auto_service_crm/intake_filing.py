"""Filing what the intake parsers read (auto_service_crm.intake) as Appeals, ERPNext Call Logs and
Communications: the Frappe side of every channel."""

from datetime import datetime

import frappe
from frappe import _
from frappe.utils import convert_utc_to_system_timezone, now_datetime

from erpnext.telephony.doctype.call_log.call_log import END_CALL_STATUSES, ONGOING_CALL_STATUSES

from auto_service_crm.intake.events import CallEvent, ChatMessage, FormSubmission, MobileAppRequest
from auto_service_crm.locks import lock_client
from auto_service_crm.operator_tasks import task_for_operators, user_for_line

CALL_LOG_STATUS = {
	"ringing": "Ringing",
	"answered": "In Progress",
	"ended": "Completed",
	"missed": "No Answer",
}


def local_time(value: datetime | None) -> datetime:
	"""The site's wall-clock time: aware times are converted, naive ones are taken as local."""
	if value is None:
		return now_datetime()
	if value.tzinfo is not None:
		return convert_utc_to_system_timezone(value).replace(tzinfo=None)
	return value


def new_appeal(**fields):
	"""An Appeal of what a channel sent: a phone that is no number (a SIP address, digits of no known
	plan) is kept as sent, the client «Not Found», and the appeal is filed all the same."""
	appeal = frappe.get_doc({"doctype": "Appeal", **{k: v for k, v in fields.items() if v not in (None, "")}})
	appeal.flags.phone_as_sent = True
	appeal.insert(ignore_permissions=True)
	return appeal


def file_call(event: CallEvent) -> str | None:
	"""One event of a call: the Call Log follows the call, the Appeal is the client's contact.

	Times are the call's own: the Call Log and the appeal start when the call began (the provider's
	start of the call, else the moment of its first event), the Call Log ends at the moment of the
	event that ends it.
	"""
	when = local_time(event.occurred_at)
	started = local_time(event.started_at or event.occurred_at)
	call_log = frappe.db.exists("Call Log", event.external_id)
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
	status = CALL_LOG_STATUS[event.event]
	late = log.status in END_CALL_STATUSES and status in ONGOING_CALL_STATUSES
	if not late and not (log.status == "In Progress" and status == "Ringing"):
		# a late «ringing» or «answered» does not reopen an ended call, nor does a leg that rings
		# (a transfer) take back the answer of a call already in progress
		log.status = status
	if event.talk_seconds is not None:
		log.duration = event.talk_seconds
	if event.recording_url:
		log.recording_url = event.recording_url
	if event.event in ("ended", "missed"):
		log.end_time = when
	operator = user_for_line(event.agent) if event.event == "answered" else None
	if operator:
		log.employee_user_id = operator
	log.save(ignore_permissions=True) if not log.is_new() else log.insert(ignore_permissions=True)

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
	if event.event == "missed" and not appeal.completed_on:
		appeal.channel = "Missed Call"
		appeal.loss_reason = event.loss_reason or appeal.loss_reason
		appeal.wait_time = event.wait_seconds if event.wait_seconds is not None else appeal.wait_time
		appeal.save(ignore_permissions=True)
		missed_call_task(appeal)
	return appeal.name


def missed_call_task(appeal) -> None:
	"""«Process the missed call»: a task for every operator, and a real-time alert in the desk."""
	if frappe.db.exists(
		"ToDo", {"reference_type": "Appeal", "reference_name": appeal.name, "status": "Open"}
	):
		return
	description = _("Process the missed call from {0}").format(appeal.phone or _("an unknown number"))
	for user in task_for_operators(appeal.name, description, priority="High"):
		frappe.publish_realtime(
			"auto_service_crm_missed_call",
			{"appeal": appeal.name, "phone": appeal.phone, "message": description},
			user=user,
			after_commit=True,
		)


def file_chat(message: ChatMessage) -> str:
	"""A chat message: to the conversation's open appeal, or a new one; always a Communication."""
	message_id = f"{message.platform}:{message.external_id}"
	existing = frappe.db.get_value("Communication", {"message_id": message_id}, "reference_name")
	if existing:
		return existing
	open_appeal = {
		"channel": "Chat",
		"chat_platform": message.platform,
		"conversation_id": message.conversation_id,
		"completed_on": ["is", "not set"],
	}
	appeal_name = frappe.db.get_value("Appeal", open_appeal, "name", order_by="creation desc")
	if appeal_name and message.sender_phone:
		phone_shared(appeal_name, message.sender_phone)
	if not appeal_name:
		# A new conversation: its first messages arriving at once make one appeal (the second waits
		# for the first to commit, then its locking read sees the appeal the first made). One new
		# conversation at a time, as appeals are numbered one at a time anyway: two at once would
		# lock the same gap of the conversation index and deadlock on their inserts.
		lock_client("new chat conversation")
		appeal_name = frappe.db.get_value(
			"Appeal", open_appeal, "name", order_by="creation desc", for_update=True
		)
	if not appeal_name:
		appeal_name = new_appeal(
			channel="Chat",
			chat_platform=message.platform,
			conversation_id=message.conversation_id,
			appeal_datetime=local_time(message.sent_at),
			client_name=message.sender_name,
			phone=message.sender_phone,
			email=message.sender_email,
			client_comment=message.text,
		).name
	frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Chat",
			"sent_or_received": "Received",
			"subject": f"{message.platform}: {message.sender_name or message.conversation_id}",
			"content": frappe.utils.escape_html(message.text or ""),
			"sender_full_name": message.sender_name,
			"phone_no": message.sender_phone,
			"communication_date": local_time(message.sent_at),
			"reference_doctype": "Appeal",
			"reference_name": appeal_name,
			"message_id": message_id,
		}
	).insert(ignore_permissions=True)
	return appeal_name


def phone_shared(appeal_name: str, phone: str) -> None:
	"""The client shared a phone later in the conversation: it identifies the client of the open
	appeal, unless the appeal already has a client, or this phone."""
	appeal = frappe.get_doc("Appeal", appeal_name)
	if appeal.customer or appeal.phone == phone:
		return
	appeal.phone = phone
	appeal.flags.phone_as_sent = True
	appeal.save(ignore_permissions=True)


def file_form(form: FormSubmission) -> str:
	appeal = new_appeal(
		channel="Website Form",
		client_name=form.name,
		phone=form.phone,
		email=form.email,
		client_comment=form.comment,
		utm_source=form.utm_source,
	)
	if form.mode == "callback":
		from auto_service_crm.callback import enqueue_callback

		enqueue_callback(appeal.name)
	return appeal.name


def file_mobile_request(request: MobileAppRequest) -> str:
	vehicle = ", ".join(filter(None, (request.vehicle, request.plate, request.vin)))
	preferred = request.preferred_time and frappe.utils.format_datetime(local_time(request.preferred_time))
	comment = "\n".join(
		filter(
			None,
			(
				request.text,
				vehicle and _("Car: {0}").format(vehicle),
				preferred and _("Preferred time: {0}").format(preferred),
			),
		)
	)
	return new_appeal(
		channel="Mobile App",
		client_name=request.name,
		phone=request.phone,
		email=request.email,
		client_comment=comment,
	).name
