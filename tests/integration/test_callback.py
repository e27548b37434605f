"""Website form in callback mode: the telephony dials the responsible manager, then the group; a
small HTTP server of the test on loopback plays the telephony (no mock objects)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import frappe
from frappe.utils import add_days, get_datetime, now_datetime

from auto_service_crm.intake.events import FormSubmission
from auto_service_crm.intake_filing import file_form
from auto_service_crm.telephony.callback import dial_for_appeal
from tests.integration.factories import make_user


class Telephony:
	"""Answers the dial requests in turn from ``answers``; records what it was asked."""

	def __init__(self, answers):
		self.answers, self.calls = list(answers), []
		telephony = self

		class Handler(BaseHTTPRequestHandler):
			def do_POST(self):
				body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
				telephony.calls.append({**body, "token": self.headers.get("Authorization")})
				answered = telephony.answers.pop(0) if telephony.answers else False
				reply = json.dumps({"answered": answered}).encode()
				self.send_response(200)
				self.send_header("Content-Type", "application/json")
				self.send_header("Content-Length", str(len(reply)))
				self.end_headers()
				self.wfile.write(reply)

			def log_message(self, *args):
				pass

		self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		self.url = f"http://127.0.0.1:{self.server.server_port}/dial"
		threading.Thread(target=self.server.serve_forever, daemon=True).start()

	def close(self):
		self.server.shutdown()
		self.server.server_close()


@pytest.fixture
def telephony_settings():
	def configure(telephony, start="00:00:00", end="23:59:00"):
		settings = frappe.get_single("Auto Service Settings")
		settings.update(
			{
				"dial_url": telephony.url,
				"dial_token": "dial-secret",
				"group_number": "200",
				"dial_attempts": 3,
				"dial_interval_seconds": 0,
				"work_day_start": start,
				"work_day_end": end,
				"holiday_list": None,
			}
		)
		settings.save()

	return configure


def callback_appeal():
	form = FormSubmission(mode="callback", name="Вера", phone="+79163000001", comment="Перезвоните")
	return frappe.get_doc("Appeal", file_form(form))


def test_the_responsible_manager_answers_first(telephony_settings):
	manager = make_user("Auto Service Operator")
	frappe.db.set_value("User", manager, "mobile_no", "+79030000101")
	telephony = Telephony([True])
	try:
		telephony_settings(telephony)
		appeal = frappe.get_doc(
			{"doctype": "Appeal", "channel": "Website Form", "phone": "+79163000002"}
		).insert()
		frappe.desk.form.assign_to.add({"doctype": "Appeal", "name": appeal.name, "assign_to": [manager]})
		assert dial_for_appeal(appeal.name) is True
		assert telephony.calls == [
			{
				"from": "+79030000101",
				"to": "+79163000002",
				"appeal": appeal.name,
				"token": "Bearer dial-secret",
			}
		]
	finally:
		telephony.close()


def test_the_group_gets_three_attempts_then_a_task_for_the_next_working_hours(telephony_settings):
	operator = make_user("Auto Service Operator")
	telephony = Telephony([False, False, False])
	try:
		telephony_settings(telephony)
		appeal = callback_appeal()  # the form files the appeal and the job dials (at once under tests)
		assert [c["from"] for c in telephony.calls] == ["200", "200", "200"]
		appeal.reload()
		assert appeal.call_back and appeal.callback_at
		assert frappe.db.exists(
			"ToDo", {"reference_name": appeal.name, "allocated_to": operator, "status": "Open"}
		)
	finally:
		telephony.close()


def test_outside_working_hours_nobody_is_dialled_and_the_task_waits_for_the_morning(telephony_settings):
	make_user("Auto Service Operator")
	telephony = Telephony([True])
	try:
		now = now_datetime()
		start, end = (
			("22:00:00", "23:59:00") if now.hour < 21 else ("01:00:00", "03:00:00")
		)  # a window without now
		telephony_settings(telephony, start=start, end=end)
		appeal = callback_appeal()
		assert telephony.calls == []
		callback_at = get_datetime(frappe.db.get_value("Appeal", appeal.name, "callback_at"))
		assert callback_at > now and callback_at.date() <= add_days(now, 2).date()
		assert callback_at.strftime("%H:%M:%S") == start
	finally:
		telephony.close()


def test_call_back_button_rings_the_operator_then_the_client(telephony_settings):
	operator = make_user("Auto Service Operator")
	frappe.db.set_value("User", operator, "mobile_no", "+79030000202")
	telephony = Telephony([True])
	try:
		telephony_settings(telephony)
		appeal = frappe.get_doc(
			{"doctype": "Appeal", "channel": "Missed Call", "phone": "+79163000009"}
		).insert()
		frappe.set_user(operator)
		from auto_service_crm.telephony.callback import call_client

		assert call_client(appeal.name) is True
		assert telephony.calls == [
			{
				"from": "+79030000202",
				"to": "+79163000009",
				"appeal": appeal.name,
				"token": "Bearer dial-secret",
			}
		]
		assert frappe.db.exists(
			"Comment", {"reference_name": appeal.name, "content": ["like", "%+79030000202%"]}
		)
		frappe.set_user(make_user("Service Advisor"))  # no phone in the profile
		with pytest.raises(frappe.ValidationError, match="phone number to your user profile"):
			call_client(appeal.name)
	finally:
		telephony.close()
