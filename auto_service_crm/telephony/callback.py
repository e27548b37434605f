"""Calls out for an appeal: «Call back» on its form, and the website form in callback mode.

«Call back» (``call_client``): the PBX rings the operator's own line first, then the client; the
request returns at once and the call's outcome comes back through the call webhooks onto its
Call Log. The other operators' open tasks for the appeal close: this operator has taken it.

The website form in callback mode (seed 002): the responsible manager first, then the group line
(``dial_attempts`` times, ``dial_interval_seconds`` apart); the manager who answers gets the appeal
and the task «Specify the appeal's result»; nobody answering, or a form outside working hours,
gives the operators the task to call the client back in the next working hours.

The sequence never waits in a worker. Its state is in the database: each attempt is a requested
Call Log of the appeal (``telephony/outbound.py``), planned at once, in order; its status is the
attempt's state (``rules/callback_sequence.py`` decides the next step from them). The next step is
taken when something happens: the PBX reports an attempt's outcome through the webhooks
(``on_call_event``), or the check run by the scheduler every minute (``check_callbacks``, in
``hooks.scheduler_events``) finds an attempt whose answer time ran out or one that is due. A
failed attempt makes the next one due ``dial_interval_seconds`` later; it is dialled at once when
that is now (an interval of 0), else by the minute's check, so an interval is kept to within a
minute. Why the scheduler and not a delayed job: Frappe's ``enqueue`` has no delay, and rq's
delayed jobs (``enqueue_in``) need a worker started with rq's scheduler, which ``bench worker``
(``frappe.utils.background_jobs.start_worker``) does not start: such a job would never run.
"""

import frappe
from frappe import _
from frappe.utils import cint, get_time, getdate, now_datetime

from auto_service_crm.background import enqueue_after_commit
from auto_service_crm.operator_tasks import close_tasks, result_task, task_for_operators
from auto_service_crm.rules import callback_sequence as seq
from auto_service_crm.rules.working_hours import WorkingHours, next_working_start
from auto_service_crm.settings import get_settings
from auto_service_crm.telephony import outbound

SEQUENCE = "asc-cb-"
CALL_BACK = "asc-call-"
ANSWERED_STATUSES = ("In Progress", "Completed")
FAILED_STATUSES = ("No Answer", "Busy", "Failed")
STATE = {
	"Ringing": seq.REPORTED,
	"In Progress": seq.ANSWERED,
	"Completed": seq.ANSWERED,
	"No Answer": seq.FAILED,
	"Busy": seq.FAILED,
	"Failed": seq.FAILED,
	"Canceled": seq.CANCELED,
}


def working_hours() -> WorkingHours:
	settings = get_settings()
	holidays = set()
	if settings.holiday_list:
		holidays = {
			getdate(d)
			for d in frappe.get_all(
				"Holiday", filters={"parent": settings.holiday_list}, pluck="holiday_date"
			)
		}
	return WorkingHours(
		get_time(settings.work_day_start), get_time(settings.work_day_end), frozenset(holidays)
	)


def operator_line(user: str | None) -> str | None:
	"""The line the PBX rings a user on: the PBX Line of their profile (when the User has that
	field), else the phone, else the mobile number of the profile, else the user id when it is no
	email address (an extension as the login). The reverse of ``operator_tasks.user_for_line``."""
	if not user or user in ("Guest", "Administrator"):
		return None
	fields = ["phone", "mobile_no"]
	if frappe.get_meta("User").has_field("asc_phone_line"):
		fields.insert(0, "asc_phone_line")
	values = frappe.db.get_value("User", user, fields, as_dict=True) or {}
	for field in fields:
		if (values.get(field) or "").strip():
			return values[field].strip()
	return user if "@" not in user else None


def enqueue_callback(appeal: str) -> None:
	enqueue_after_commit("auto_service_crm.telephony.callback.start_sequence", callback_later, appeal=appeal)


def callback_later(appeal: str) -> None:
	"""Nothing can dial while the queue is down: the operators get the task to call the client back."""
	callback_task(frappe.get_doc("Appeal", appeal), next_working_start(now_datetime(), working_hours()))


def responsible(appeal) -> tuple[str | None, str | None]:
	"""(line, user) of the appeal's responsible manager: the first assignee who has a line."""
	for user in frappe.parse_json(appeal.get("_assign") or "[]"):
		line = operator_line(user)
		if line:
			return line, user
	return None, None


def start_sequence(appeal: str) -> None:
	"""Plan the website callback's attempts and dial the first (or give the operators the task)."""
	doc = frappe.get_doc("Appeal", appeal)
	settings = get_settings()
	hours = working_hours()
	now = now_datetime()
	if not outbound.provider() or not doc.phone or not hours.is_working_time(now):
		callback_task(doc, next_working_start(now, hours))
		return
	line, user = responsible(doc)
	lines = seq.plan(line, settings.group_number, cint(settings.dial_attempts))
	if not lines:
		callback_task(doc, next_working_start(now, hours))
		return
	key = frappe.generate_hash(length=10).lower()
	for index, target in enumerate(lines):
		outbound.new_call(
			doc,
			target,
			doc.phone,
			name=f"{SEQUENCE}{key}-{index:02d}",
			user=user if index == 0 and line else None,
			due=now if index == 0 else None,
			summary=_("Website callback: attempt {0} of {1}").format(index + 1, len(lines)),
		)
	advance(appeal)


def attempts_of(appeal: str) -> list:
	"""The Call Logs of the appeal's website callback attempts, in dialling order."""
	names = frappe.get_all(
		"Dynamic Link",
		filters={
			"parenttype": "Call Log",
			"link_doctype": "Appeal",
			"link_name": appeal,
			"parent": ["like", f"{SEQUENCE}%"],
		},
		pluck="parent",
	)
	if not names:
		return []
	return frappe.get_all(
		"Call Log",
		filters={"name": ["in", names]},
		fields=["name", "status", "medium", "start_time", "from", "employee_user_id"],
		order_by="name asc",
	)


def state_of(log) -> seq.Attempt:
	if log.status == "Queued":
		return seq.Attempt(seq.SENT if log.medium else seq.PLANNED, log.start_time)
	return seq.Attempt(STATE.get(log.status, seq.FAILED), log.start_time)


def advance(appeal: str) -> str:
	"""Take the appeal's callback sequence as far as it can go now; returns the last step's kind.

	The appeal's row is locked first: a webhook and the minute's check advancing the same sequence
	at the same moment take their turns."""
	frappe.db.get_value("Appeal", appeal, "name", for_update=True)
	settings = get_settings()
	timeout, interval = outbound.answer_timeout(), cint(settings.dial_interval_seconds)
	kind = seq.EXHAUSTED
	for _turn in range(64):
		logs = attempts_of(appeal)
		if not logs:
			return seq.EXHAUSTED
		now = now_datetime()
		step = seq.step([state_of(log) for log in logs], now, timeout)
		kind = step.kind
		if kind == seq.DONE:
			cancel_planned(logs)
			return kind
		if kind == seq.WAIT:
			return kind
		doc = frappe.get_doc("Appeal", appeal)
		log = frappe.get_doc("Call Log", logs[step.index].name) if step.index is not None else None
		if kind == seq.TIME_OUT:
			end(log, "No Answer", _("No answer within {0} s").format(timeout))
			schedule_next(logs, step.index, seq.next_due(now, interval))
			continue
		if kind == seq.GIVE_UP:
			end(log, "Failed", _("The telephony never reported the end of this call"))
			give_up(doc, logs)
			return kind
		if kind == seq.DIAL:
			if not step.due(now):
				return seq.WAIT
			if not working_hours().is_working_time(now):
				give_up(doc, logs)
				return seq.EXHAUSTED
			try:
				outbound.place(log, doc)
			except outbound.CallNotPlaced:
				schedule_next(logs, step.index, seq.next_due(now, interval))
				continue
			return kind
		give_up(doc, logs)  # exhausted: nobody answered
		return kind
	return kind


def end(log, status: str, reason: str) -> None:
	log.status = status
	log.end_time = now_datetime()
	log.summary = "\n".join(filter(None, [log.summary, reason]))
	log.save(ignore_permissions=True)


def schedule_next(logs: list, index: int, due) -> None:
	"""The attempt after ``index`` is due at ``due``; at once it is dialled by the caller's loop,
	later by the minute's check."""
	for log in logs[index + 1 :]:
		if log.status == "Queued" and not log.medium:
			frappe.db.set_value("Call Log", log.name, "start_time", due, update_modified=False)
			return


def cancel_planned(logs: list) -> None:
	for log in logs:
		if log.status == "Queued" and not log.medium:
			frappe.db.set_value("Call Log", log.name, "status", "Canceled")


def give_up(doc, logs: list) -> None:
	"""Nobody answered (or cannot be rung now): the operators call the client back."""
	cancel_planned(logs)
	doc.add_comment(
		"Info", _("Nobody answered the website callback: the operators will call the client back")
	)
	callback_task(doc, next_working_start(now_datetime(), working_hours()))


def on_call_event(log, event, before: str | None) -> str | None:
	"""A call event was filed on a requested call: the appeal learns who answered, and the website
	callback takes its next step. Returns the appeal."""
	appeal = outbound.appeal_of(log.name)
	if not appeal:
		return None
	answered_now = log.status in ANSWERED_STATUSES and before not in ANSWERED_STATUSES
	if answered_now:
		from auto_service_crm.operator_tasks import user_for_line

		agent = getattr(event, "agent", None)
		user = user_for_line(agent) or log.employee_user_id or user_for_line(log.get("from"))
		if user:
			if not frappe.db.get_value("Appeal", appeal, "operator"):
				frappe.db.set_value("Appeal", appeal, "operator", user)
			if log.name.startswith(SEQUENCE):
				result_task(appeal, user)
				close_tasks(appeal, keep_user=user)
		frappe.get_doc("Appeal", appeal).add_comment(
			"Info", _("The client was connected to {0}").format(user or log.get("from"))
		)
	failed_now = log.status in FAILED_STATUSES and before not in FAILED_STATUSES
	if log.name.startswith(SEQUENCE) and (answered_now or failed_now):
		if failed_now:
			logs = attempts_of(appeal)
			index = next((i for i, item in enumerate(logs) if item.name == log.name), None)
			if index is not None:
				interval = cint(get_settings().dial_interval_seconds)
				schedule_next(logs, index, seq.next_due(now_datetime(), interval))
		advance(appeal)
	return appeal


def file_command_result(result) -> str | None:
	"""The PBX's result of a requested call's command: one it could not carry out fails the
	attempt (the website callback goes on to the next); returns the appeal."""
	if not outbound.is_requested(result.external_id) or not frappe.db.exists("Call Log", result.external_id):
		return None
	log = frappe.get_doc("Call Log", result.external_id)
	appeal = outbound.appeal_of(log.name)
	if result.ok or log.status != "Queued" or not appeal:
		return appeal
	before = log.status
	outbound.fail(
		log, frappe.get_doc("Appeal", appeal), f"the PBX could not place the call: result {result.result}"
	)
	return on_call_event(log, result, before)


def check_callbacks() -> None:
	"""Every minute (scheduler): the website callbacks whose attempt is due or whose answer time ran
	out take their next step."""
	names = frappe.get_all(
		"Call Log",
		filters={"name": ["like", f"{SEQUENCE}%"], "status": ["in", ["Queued", "Ringing"]]},
		pluck="name",
	)
	appeals = sorted({a for a in (outbound.appeal_of(name) for name in names) if a})
	for appeal in appeals:
		frappe.db.savepoint("asc_callback")
		try:
			advance(appeal)
		except Exception:
			frappe.db.rollback(save_point="asc_callback")  # one sequence's failure stops no other
			frappe.log_error(title=_("Website callback of {0} could not go on").format(appeal))


def callback_task(appeal, when) -> None:
	"""A task for the operators: call the client back in the next working hours."""
	frappe.db.set_value("Appeal", appeal.name, {"call_back": 1, "callback_at": when})
	description = _("Call back the client who asked on the website: {0} ({1})").format(
		appeal.client_name or "", appeal.phone or ""
	)
	task_for_operators(appeal.name, description, date=getdate(when))


@frappe.whitelist()
def call_client(appeal: str) -> dict:
	"""«Call back» on the appeal: the PBX rings the operator's own line, then the client. Returns at
	once ``{"call_log": ..., "status": "Queued"}``: the outcome comes through the call webhooks. A
	refusal of the PBX is said to the operator, and kept (the Failed Call Log, a comment)."""
	doc = frappe.get_doc("Appeal", appeal)
	doc.check_permission("write")
	if not outbound.provider():
		frappe.throw(
			_("Choose the telephony for calls out in Auto Service Settings"), title=_("No Telephony")
		)
	user = frappe.session.user
	line = operator_line(user)
	if not line:
		frappe.throw(
			_("Add your PBX line or phone number to your user profile to call clients"), title=_("No Phone")
		)
	if not doc.phone:
		frappe.throw(_("The appeal has no phone to call"), title=_("No Phone"))
	log = outbound.new_call(
		doc,
		line,
		doc.phone,
		name=f"{CALL_BACK}{frappe.generate_hash(length=10).lower()}",
		user=user,
		summary=_("Call back from the appeal {0}").format(doc.name),
	)
	try:
		outbound.place(log, doc)
	except outbound.CallNotPlaced as e:
		if not frappe.flags.in_test:
			frappe.db.commit()  # the Failed Call Log and the comment stay: the error rolls back the rest
		frappe.throw(_("The telephony did not place the call: {0}").format(e), title=_("No Call"))
	close_tasks(doc.name, keep_user=user)
	doc.add_comment(
		"Info", _("Calling the client back: the telephony rings {0}, then {1}").format(line, doc.phone)
	)
	return {"call_log": log.name, "status": "Queued"}
