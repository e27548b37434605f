"""Website form in callback mode (seed 002): the telephony dials the responsible manager, then the
group (3 attempts 30 s apart by default), and connects the client. Outside working hours, or
when nobody answers, the operators get a task for the next working hours.

The dialling goes through a telephony adapter: HttpDialer posts to the telephony's dial URL."""

import time

import requests

import frappe
from frappe import _
from frappe.utils import get_time, getdate, now_datetime

from auto_service_crm.background import enqueue_after_commit
from auto_service_crm.operator_tasks import task_for_operators
from auto_service_crm.rules.working_hours import WorkingHours, dial_sequence, next_working_start
from auto_service_crm.settings import get_settings

TIMEOUT_SECONDS = 40


class HttpDialer:
	"""POST {"from": agent, "to": client, "appeal": name} to the dial URL; {"answered": bool} back."""

	def __init__(self, url: str, token: str | None):
		self.url, self.token = url, token

	def dial(self, agent: str, client: str, appeal: str) -> bool:
		response = requests.post(
			self.url,
			json={"from": agent, "to": client, "appeal": appeal},
			headers={"Authorization": f"Bearer {self.token}"} if self.token else {},
			timeout=TIMEOUT_SECONDS,
		)
		response.raise_for_status()
		return bool(response.json().get("answered"))


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


def enqueue_callback(appeal: str) -> None:
	enqueue_after_commit(
		"auto_service_crm.telephony.callback.dial_for_appeal", callback_later, timeout=600, appeal=appeal
	)


def callback_later(appeal: str) -> None:
	"""Nothing can dial while the queue is down: the operators get the task to call the client back."""
	callback_task(frappe.get_doc("Appeal", appeal), next_working_start(now_datetime(), working_hours()))


def responsible_number(appeal) -> str | None:
	for user in frappe.parse_json(appeal.get("_assign") or "[]"):
		number = frappe.db.get_value("User", user, "mobile_no") or frappe.db.get_value("User", user, "phone")
		if number:
			return number
	return None


def dial_for_appeal(appeal: str) -> bool:
	"""The background job: dial until someone answers; else a task for the next working hours."""
	doc = frappe.get_doc("Appeal", appeal)
	settings = get_settings()
	hours = working_hours()
	now = now_datetime()
	if not settings.dial_url or not hours.is_working_time(now):
		callback_task(doc, next_working_start(now, hours))
		return False
	dialer = HttpDialer(settings.dial_url, settings.get_password("dial_token", raise_exception=False))
	targets = dial_sequence(responsible_number(doc), settings.group_number, settings.dial_attempts or 0)
	for attempt, target in enumerate(targets):
		if attempt:
			time.sleep(settings.dial_interval_seconds or 0)
		try:
			answered = dialer.dial(target, doc.phone, doc.name)
		except requests.RequestException as e:
			doc.add_comment("Info", _("Dialling {0} failed: {1}").format(target, e))
			answered = False
		if answered:
			doc.add_comment("Info", _("The client was connected to {0}").format(target))
			return True
	callback_task(doc, next_working_start(now_datetime(), hours))
	return False


def callback_task(appeal, when) -> None:
	"""A task for the operators: call the client back in the next working hours."""
	frappe.db.set_value("Appeal", appeal.name, {"call_back": 1, "callback_at": when})
	description = _("Call back the client who asked on the website: {0} ({1})").format(
		appeal.client_name or "", appeal.phone or ""
	)
	task_for_operators(appeal.name, description, date=getdate(when))


@frappe.whitelist()
def call_client(appeal: str) -> bool:
	"""«Call back» on the appeal: the telephony rings the operator's phone, then the client."""
	doc = frappe.get_doc("Appeal", appeal)
	doc.check_permission("write")
	settings = get_settings()
	if not settings.dial_url:
		frappe.throw(_("Set the telephony's dial URL in Auto Service Settings"), title=_("No Telephony"))
	own = frappe.db.get_value("User", frappe.session.user, ["mobile_no", "phone"], as_dict=True) or {}
	agent = own.get("mobile_no") or own.get("phone")
	if not agent:
		frappe.throw(_("Add your phone number to your user profile to call clients"), title=_("No Phone"))
	if not doc.phone:
		frappe.throw(_("The appeal has no phone to call"), title=_("No Phone"))
	dialer = HttpDialer(settings.dial_url, settings.get_password("dial_token", raise_exception=False))
	try:
		answered = dialer.dial(agent, doc.phone, doc.name)
	except requests.RequestException as e:
		frappe.throw(_("The telephony did not dial: {0}").format(e), title=_("No Call"))
	doc.add_comment(
		"Info",
		_("Called the client back from {0}: {1}").format(
			agent, _("answered") if answered else _("no answer")
		),
	)
	return answered
