"""Alerts as Frappe Notifications (email and SMS), the assignment rule, the scheduled checks, the
2-hour SLA, a consultant's own Notification, and what a wrong Notification does."""

import email
import threading
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest

import frappe
from frappe.utils import add_to_date, get_datetime, now_datetime

from auto_service_crm import alerts
from auto_service_crm.setup import defaults
from auto_service_crm.setup.install import make_notifications
from tests.integration.factories import make_appeal, make_user
from tests.integration.statements import sent


def decoded(mime: str) -> str:
	"""Subject and text of a queued MIME message, decoded (Cyrillic comes encoded)."""
	message = email.message_from_string(mime)
	parts = [str(make_header(decode_header(message["Subject"] or "")))]
	for part in message.walk():
		if part.get_content_maintype() == "text":
			parts.append(part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8"))
	return "\n".join(parts)


def queued(recipient, reference_name=None):
	"""Subject and text of the mails queued for ``recipient`` (about the document ``reference_name``)."""
	queue = frappe.qb.DocType("Email Queue")
	recipients = frappe.qb.DocType("Email Queue Recipient")
	query = (
		frappe.qb.from_(queue)
		.join(recipients)
		.on(recipients.parent == queue.name)
		.select(queue.message)
		.where(recipients.recipient == recipient)
	)
	if reference_name:
		query = query.where(queue.reference_name == reference_name)
	return [decoded(row[0]) for row in query.run()]


@pytest.fixture(autouse=True)
def notifications_cache():
	"""Frappe caches each DocType's enabled Notifications: what a test enabled, made or rolled back
	must not stay in the cache, nor a setting the test changed in the connection's cache."""
	yield
	frappe.db.value_cache.clear()
	for doctype in ("Appeal", "ToDo"):
		frappe.cache.hdel("notifications", doctype)


class Gateway:
	"""An SMS gateway on loopback: keeps every request's parameters and answers ``status``."""

	def __init__(self, status=200):
		self.requests, self.status = [], status
		gateway = self

		class Handler(BaseHTTPRequestHandler):
			def do_POST(self):
				body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
				gateway.requests.append(
					{"path": self.path, "headers": dict(self.headers), **dict(parse_qsl(body))}
				)
				self.send_response(gateway.status)
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
	"""SMS Settings pointed at the loopback gateway, posting ``to``, ``text`` and an API key, the
	shipped SMS Notifications enabled (the test's rollback undoes both)."""
	server = Gateway()
	settings = frappe.get_single("SMS Settings")
	settings.update(
		{
			"sms_gateway_url": server.url,
			"message_parameter": "text",
			"receiver_parameter": "to",
			"use_post": 1,
			"parameters": [
				{"parameter": "api_key", "value": "test-key"},
				{"parameter": "X-Gateway", "value": "asc", "header": 1},
			],
		}
	)
	settings.save()
	for name in frappe.get_all(
		"Notification", filters={"channel": "SMS", "name": ["like", "Appeal %"]}, pluck="name"
	):
		frappe.db.set_value("Notification", name, "enabled", 1)
	frappe.cache.hdel("notifications", "Appeal")
	try:
		yield server
	finally:
		server.close()


def set_client_language(language):
	frappe.db.set_single_value("Auto Service Settings", "client_email_language", language)
	frappe.clear_document_cache("Auto Service Settings", "Auto Service Settings")


def test_every_alert_is_a_notification_in_each_language():
	for alert, recipient, language, template, _subject, _body in defaults.EMAIL_TEMPLATES:
		mail = frappe.get_doc("Notification", alerts.notification_name(alert, recipient, language))
		assert (
			mail.enabled
			and mail.channel == "Email"
			and mail.subject.endswith(frappe.db.get_value("Email Template", template, "subject"))
		)
		if recipient == "Client":
			sms = frappe.get_doc("Notification", alerts.notification_name(alert, recipient, language, "SMS"))
			assert sms.recipients[0].receiver_by_document_field == "phone"
			# the site has no SMS gateway: shipped off
			assert not sms.enabled and not frappe.db.get_single_value("SMS Settings", "sms_gateway_url")


def test_the_client_hears_that_the_appeal_is_registered_and_closed_in_russian():
	appeal = make_appeal(phone="+79160000101", client_name="Анна", email="anna@example.com", category="Other")
	mails = queued("anna@example.com", appeal.name)
	assert len(mails) == 1 and f"обращение {appeal.name} зарегистрировано" in mails[0]
	assert "Анна" in mails[0]
	appeal.complete()
	mails = queued("anna@example.com", appeal.name)
	assert len(mails) == 2 and any(f"обращение {appeal.name} закрыто" in m for m in mails)
	# the mail is also on the appeal's timeline, as Frappe's Notification keeps it
	assert frappe.db.exists(
		"Communication",
		{
			"reference_doctype": "Appeal",
			"reference_name": appeal.name,
			"communication_type": "Automated Message",
		},
	)


def test_a_notification_changed_in_the_desk_reaches_the_next_appeal():
	"""Appeals read their Notifications from Frappe's document cache: a consultant's edit is read by
	the next appeal, and a Notification disabled sends nothing more."""
	first = make_appeal(phone="+79160000121", email="first@example.com", category="Other")
	assert any(
		f"обращение {first.name} зарегистрировано" in m for m in queued("first@example.com", first.name)
	)
	registered = frappe.get_doc("Notification", alerts.notification_name("Appeal Registered", "Client", "ru"))
	registered.subject = "Заявка {{ doc.name }} принята"
	registered.save()
	second = make_appeal(phone="+79160000122", email="second@example.com", category="Other")
	assert [m for m in queued("second@example.com", second.name) if f"Заявка {second.name} принята" in m]
	registered.enabled = 0
	registered.save()
	third = make_appeal(phone="+79160000123", email="third@example.com", category="Other")
	assert not queued("third@example.com", third.name)


def test_client_language_comes_from_settings():
	set_client_language("en")
	appeal = make_appeal(phone="+79160000102", email="bob@example.com", category="Other")
	appeal.complete()
	mails = queued("bob@example.com", appeal.name)
	assert len(mails) == 2
	assert any(f"appeal {appeal.name} is registered" in m for m in mails)
	assert any(f"appeal {appeal.name} is closed" in m for m in mails)
	assert not any("обращение" in m for m in mails)


def test_no_email_no_client_alert():
	appeal = make_appeal(phone="+79160000103", category="Other")
	appeal.complete()
	assert not frappe.get_all("Email Queue", filters={"reference_name": appeal.name})


def assigned_mails(user, appeal):
	"""The mails of an assignment: they are the ToDo's (the Notification is on ToDo), about the appeal."""
	todos = frappe.get_all("ToDo", filters={"reference_name": appeal, "allocated_to": user}, pluck="name")
	return [mail for todo in todos for mail in queued(user, todo)]


@pytest.mark.parametrize(
	("language", "expected"), [("en", "Appeal {0} is assigned to you"), ("ru", "Вам назначено обращение {0}")]
)
def test_the_specialist_hears_of_a_redirect_in_their_language(language, expected):
	specialist = make_user("Service Advisor")
	frappe.db.set_value("User", specialist, "language", language)
	appeal = make_appeal(
		phone="+79160000104", category="Repair Services", result="Redirect", redirect_to=specialist
	)
	appeal.complete()
	mails = assigned_mails(specialist, appeal.name)
	assert len(mails) == 1 and expected.format(appeal.name) in mails[0]


def test_a_user_without_a_language_gets_english():
	specialist = make_user("Service Advisor")
	frappe.db.set_value("User", specialist, "language", None)
	appeal = make_appeal(
		phone="+79160000114", category="Repair Services", result="Redirect", redirect_to=specialist
	)
	appeal.complete()
	mails = assigned_mails(specialist, appeal.name)
	assert len(mails) == 1 and f"Appeal {appeal.name} is assigned to you" in mails[0]


def test_assignment_rule_routes_new_appeals_among_operators_and_tells_them():
	first, second = make_user("Auto Service Operator"), make_user("Auto Service Operator")
	rule = frappe.get_doc("Assignment Rule", "Appeals to Operators")
	rule.users = []
	for user in (first, second):
		rule.append("users", {"user": user})
	rule.disabled = 0
	rule.save()
	one = make_appeal(phone="+79160000105")
	two = make_appeal(phone="+79160000106")
	assigned = [frappe.parse_json(frappe.db.get_value("Appeal", a.name, "_assign")) for a in (one, two)]
	assert sorted(a[0] for a in assigned) == sorted([first, second])
	assert len(assigned_mails(assigned[0][0], one.name)) == 1
	assert len(assigned_mails(assigned[1][0], two.name)) == 1
	one.reload()
	one.category = "Other"
	one.save()
	one.complete()
	assert (
		frappe.db.get_value("ToDo", {"reference_name": one.name, "allocated_to": assigned[0][0]}, "status")
		== "Closed"
	)


def test_the_round_robin_gives_appeals_routed_at_once_the_next_operators_in_turn():
	"""Two routings that both choose before either writes the rule get two operators (Frappe's read
	of the cached ``last_user`` gave both the same one); the turns start after the ``last_user`` a
	consultant saves; and a routing neither loads the rule again nor changes its ``modified``."""
	from auto_service_crm.routing import next_in_turn

	operators = [make_user("Auto Service Operator") for _ in range(3)]
	rule = frappe.get_doc("Assignment Rule", "Appeals to Operators")
	rule.users = []
	for user in operators:
		rule.append("users", {"user": user})
	rule.disabled = 0
	rule.last_user = operators[1]
	rule.save()
	cached = frappe.get_cached_doc("Assignment Rule", rule.name)
	assert [next_in_turn(cached), next_in_turn(cached)] == [operators[2], operators[0]]
	rule.reload()
	rule.last_user = operators[0]
	rule.save()
	modified = frappe.db.get_value("Assignment Rule", rule.name, "modified")
	first = make_appeal(phone="+79160000126")
	with sent() as statements:
		second = make_appeal(phone="+79160000127")
	assert [
		frappe.parse_json(frappe.db.get_value("Appeal", appeal.name, "_assign")) for appeal in (first, second)
	] == [[operators[1]], [operators[2]]]
	assert frappe.db.get_value("Assignment Rule", rule.name, ["last_user", "modified"]) == (
		operators[2],
		modified,
	)
	assert not [q for q in statements if q.startswith("SELECT * FROM `tabAssignment Rule")], statements


def test_overdue_callback_alerts_each_supervisor_once_in_their_language():
	supervisor, russian = make_user("Auto Service Manager"), make_user("Auto Service Manager")
	frappe.db.set_value("User", supervisor, "language", "en")
	frappe.db.set_value("User", russian, "language", "ru")
	specialist = make_user("Parts Manager")
	appeal = make_appeal(
		phone="+79160000107",
		category="Spare Parts",
		result="Redirect",
		redirect_to=specialist,
		call_back=1,
		callback_at=add_to_date(now_datetime(), hours=1),
	)
	appeal.complete()
	alerts.check_overdue_callbacks()
	assert not queued(supervisor, appeal.name), "not overdue yet"
	frappe.db.set_value("Appeal", appeal.name, "callback_at", add_to_date(now_datetime(), minutes=-5))
	alerts.check_overdue_callbacks()
	alerts.check_overdue_callbacks()
	mails = queued(supervisor, appeal.name)
	assert len(mails) == 1 and f"Callback overdue: appeal {appeal.name}" in mails[0]
	mails = queued(russian, appeal.name)
	assert len(mails) == 1 and f"Просрочен звонок: обращение {appeal.name}" in mails[0]
	assert not queued(specialist, appeal.name)


def test_the_supervisor_role_comes_from_settings():
	frappe.db.set_single_value("Auto Service Settings", "supervisor_role", "Service Advisor")
	frappe.clear_document_cache("Auto Service Settings", "Auto Service Settings")
	advisor, manager = make_user("Service Advisor"), make_user("Auto Service Manager")
	appeal = make_appeal(phone="+79160000115")
	frappe.db.set_value("Appeal", appeal.name, "response_by", add_to_date(now_datetime(), minutes=-1))
	alerts.check_sla_breaches()
	assert len(queued(advisor, appeal.name)) == 1 and not queued(manager, appeal.name)


def test_sla_sets_the_response_deadline_and_fulfils_on_completion():
	appeal = make_appeal(phone="+79160000108")
	assert appeal.service_level_agreement
	assert appeal.agreement_status == "First Response Due"
	assert get_datetime(appeal.response_by) > get_datetime(appeal.creation)
	appeal.category = "Other"
	appeal.save()
	appeal.complete()
	appeal.reload()
	assert appeal.first_responded_on and appeal.agreement_status == "Fulfilled"


def test_sla_answered_too_late_fails():
	appeal = make_appeal(phone="+79160000109", category="Other")
	frappe.flags.current_time = add_to_date(get_datetime(appeal.response_by), minutes=1)
	try:
		appeal.complete()
	finally:
		frappe.flags.current_time = None
	appeal.reload()
	assert appeal.agreement_status == "Failed"


def test_the_agreement_changed_in_the_desk_reaches_the_next_appeal_and_is_read_from_the_cache():
	"""ERPNext loads the agreement for every new appeal; it comes from Frappe's document cache (no
	query of its tables), and a consultant's edit of its response time reaches the next appeal."""
	first = make_appeal(phone="+79160000124")
	sla = frappe.get_doc("Service Level Agreement", first.service_level_agreement)
	hours = (get_datetime(first.response_by) - get_datetime(first.creation)).total_seconds() / 3600
	with sent() as statements:
		again = frappe.get_doc("Service Level Agreement", sla.name)
	assert not [q for q in statements if "Service Level" in q or "Service Day" in q], statements
	assert again.as_dict() == sla.as_dict() and again is not sla
	priority = next(row for row in sla.priorities if row.priority == first.priority)
	priority.response_time += 3600  # an hour more to answer
	sla.save()
	second = make_appeal(phone="+79160000125")
	later = (get_datetime(second.response_by) - get_datetime(second.creation)).total_seconds() / 3600
	assert later > hours, (hours, later)
	assert get_datetime(frappe.get_doc("Service Level Agreement", sla.name).modified) == get_datetime(
		sla.modified
	)


def test_sla_breach_alerts_the_supervisor_once():
	supervisor = make_user("Auto Service Manager")
	frappe.db.set_value("User", supervisor, "language", "ru")
	appeal = make_appeal(phone="+79160000110")
	alerts.check_sla_breaches()
	assert not queued(supervisor, appeal.name)
	frappe.db.set_value("Appeal", appeal.name, "response_by", add_to_date(now_datetime(), minutes=-1))
	alerts.check_sla_breaches()
	alerts.check_sla_breaches()
	mails = queued(supervisor, appeal.name)
	assert len(mails) == 1 and f"Нет ответа в срок: обращение {appeal.name}" in mails[0]
	assert frappe.db.get_value("Appeal", appeal.name, "sla_alert_sent") == 1


def test_the_scheduler_runs_the_checks():
	events = frappe.get_hooks("scheduler_events")["cron"]["*/5 * * * *"]
	assert "auto_service_crm.alerts.check_overdue_callbacks" in events
	assert "auto_service_crm.alerts.check_sla_breaches" in events
	for method in events:
		assert frappe.db.exists("Scheduled Job Type", {"method": method})


# SMS -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	("language", "registered", "closed"),
	[
		("ru", "Ваше обращение {0} зарегистрировано", "Ваше обращение {0} закрыто"),
		("en", "Your appeal {0} is registered", "Your appeal {0} is closed"),
	],
)
def test_the_client_gets_an_sms_in_the_settings_language(gateway, language, registered, closed):
	set_client_language(language)
	appeal = make_appeal(phone="+7 916 000-01-11", category="Other")
	appeal.complete()
	assert [(r["to"], r["text"], r["api_key"]) for r in gateway.requests] == [
		("+79160000111", registered.format(appeal.name), "test-key"),
		("+79160000111", closed.format(appeal.name), "test-key"),
	]
	assert all(r["headers"].get("X-Gateway") == "asc" for r in gateway.requests)
	assert not frappe.get_all("Email Queue", filters={"reference_name": appeal.name}), "no email known"


def test_an_sms_by_hand_reaches_the_gateway_and_stays_on_the_timeline(gateway):
	from auto_service_crm.sms import send_sms_to_client

	appeal = make_appeal(phone="+79160000112")
	gateway.requests.clear()
	result = send_sms_to_client(appeal.name, "  Ваш автомобиль готов  ")
	assert result["sent"]
	[request] = gateway.requests
	assert (request["to"], request["text"], request["api_key"]) == (
		"+79160000112",
		"Ваш автомобиль готов",
		"test-key",
	)
	sms = frappe.get_doc("Communication", result["communication"])
	assert (sms.communication_medium, sms.reference_doctype, sms.reference_name) == (
		"SMS",
		"Appeal",
		appeal.name,
	)
	assert sms.delivery_status == "Sent" and sms.content == "Ваш автомобиль готов"
	assert frappe.db.exists("SMS Log", {"sent_to": "+79160000112"})


def test_an_sms_the_gateway_refuses_is_kept_as_not_sent(gateway):
	from auto_service_crm.sms import send_sms_to_client

	appeal = make_appeal(phone="+79160000113")
	gateway.status = 500
	result = send_sms_to_client(appeal.name, "Перезвоните нам")
	assert not result["sent"]
	assert frappe.db.get_value("Communication", result["communication"], "delivery_status") == "Error"


def test_an_sms_needs_a_phone_a_text_a_gateway_and_the_right_to_write():
	from auto_service_crm.sms import send_sms_to_client

	appeal = make_appeal(phone="+79160000116")
	with pytest.raises(frappe.ValidationError, match="SMS Settings"):
		send_sms_to_client(appeal.name, "text")
	with pytest.raises(frappe.ValidationError, match="Write the message"):
		send_sms_to_client(appeal.name, "   ")
	nobody = make_user()
	frappe.set_user(nobody)
	try:
		with pytest.raises(frappe.PermissionError):
			send_sms_to_client(appeal.name, "text")
	finally:
		frappe.set_user("Administrator")


def test_the_sms_button_is_on_the_appeal_form():
	scripts = frappe.get_hooks("doctype_js")["Appeal"]
	assert "public/js/appeal_sms.js" in scripts and "public/js/appeal_chat.js" in scripts
	from frappe.desk.form.meta import get_meta as form_meta

	assert "auto_service_crm.sms.send_sms_to_client" in form_meta("Appeal", cached=False).get("__js")


# A consultant's Notifications --------------------------------------------------------------------


def consultant_notification(**fields):
	return frappe.get_doc(
		{
			"doctype": "Notification",
			"name": f"Test {frappe.generate_hash(length=6)}",
			"document_type": "Appeal",
			"channel": "Email",
			"subject": "Appeal {{ doc.name }}: {{ doc.status }}",
			"message": "<p>{{ doc.category }} / {{ doc.result or '' }}</p>",
			"recipients": [{"cc": "head@example.com"}],
			**fields,
		}
	)


def test_a_consultant_adds_an_alert_for_a_category_and_result_in_the_desk():
	consultant_notification(
		event="Value Change",
		value_changed="completed_on",
		condition='doc.category == "Spare Parts" and doc.result == "Refused"',
	).insert()
	refused = make_appeal(
		phone="+79160000117", category="Spare Parts", result="Refused", result_reason="Дорого"
	)
	other = make_appeal(phone="+79160000118", category="Other")
	refused.complete()
	other.complete()
	[mail] = queued("head@example.com", refused.name)
	assert f"Appeal {refused.name}" in mail and "Spare Parts / Refused" in mail
	assert not queued("head@example.com", other.name)


def test_a_wrong_notification_is_refused_with_what_is_wrong():
	with pytest.raises(frappe.ValidationError, match=r"The Condition 'doc\.category ==' is invalid"):
		consultant_notification(event="Save", condition="doc.category ==").insert()
	with pytest.raises(frappe.ValidationError, match="Please specify which value field must be checked"):
		consultant_notification(event="Value Change").insert()
	with pytest.raises(frappe.ValidationError, match="Syntax error in template"):
		consultant_notification(event="Save", message="{% if doc.category %}no end").insert()


def test_an_alert_that_fails_to_render_is_logged_and_the_appeal_is_saved():
	notification = consultant_notification(event="New", message="{{ doc.category.no_such_method() }}")
	notification.insert()
	since = now_datetime()
	appeal = make_appeal(phone="+79160000119", email="render@example.com")
	assert frappe.db.exists("Appeal", appeal.name)
	assert not queued("head@example.com", appeal.name)
	assert queued("render@example.com", appeal.name), "the other alerts go out"
	assert frappe.get_all(
		"Error Log",
		filters={
			"reference_doctype": "Notification",
			"reference_name": notification.name,
			"creation": [">=", since],
		},
	)


# The patch from the settings' table ---------------------------------------------------------------


@pytest.fixture
def old_alert_table():
	"""A site of 0.1: the alerts table of the settings with its rows, no Notifications of the app.
	DDL commits: everything is put back as it was after the test."""
	frappe.db.rollback()
	kept = [frappe.get_doc("Notification", n).as_dict() for n in alerts.app_notifications()]
	for name in alerts.app_notifications():
		frappe.delete_doc("Notification", name, force=True, delete_permanently=True)
	template = frappe.get_doc(
		{
			"doctype": "Email Template",
			"name": f"Test Closed {frappe.generate_hash(length=6)}",
			"subject": "Closed {{ doc.name }}",
			"response": "Closed.",
		}
	).insert()
	frappe.db.sql_ddl(
		"create table `tabAppeal Email Alert` (name varchar(140) primary key, parent varchar(140), "
		"parentfield varchar(140), parenttype varchar(140), idx int, event varchar(140), "
		"recipient varchar(140), language varchar(140), email_template varchar(140), enabled int)"
	)
	rows = [
		("Appeal Registered", "Client", "ru", "Обращение зарегистрировано", 1),
		("Appeal Registered", "Client", "en", "Appeal Registered", 0),
		("Appeal Closed", "Client", "ru", template.name, 1),
		("SLA Breached", "Supervisor", "ru", "Нарушен срок ответа на обращение", 1),
		("SLA Breached", "Supervisor", "en", "Appeal SLA Breached", 1),
		("Appeal Assigned", "Assignee", "en", "No Such Template", 1),
	]
	for idx, row in enumerate(rows, 1):
		frappe.db.sql(
			"insert into `tabAppeal Email Alert` values (%s, 'Auto Service Settings', 'email_alerts', "
			"'Auto Service Settings', %s, %s, %s, %s, %s, %s)",
			(f"row{idx}", idx, *row),
		)
	frappe.db.commit()
	try:
		yield template.name
	finally:
		frappe.db.rollback()
		frappe.db.sql_ddl("drop table if exists `tabAppeal Email Alert`")
		for name in alerts.app_notifications():
			frappe.delete_doc("Notification", name, force=True, delete_permanently=True)
		frappe.delete_doc("Email Template", template.name, force=True, delete_permanently=True)
		for doc in kept:
			doc = frappe.get_doc({**doc, "doctype": "Notification"})
			doc.db_insert()
			for row in doc.recipients:
				row.db_insert()
		frappe.db.commit()
		frappe.cache.hdel("notifications", "Appeal")


def test_the_patch_turns_the_settings_alerts_into_notifications_once(old_alert_table):
	from auto_service_crm.patches.v0_2.alerts_as_notifications import execute

	execute()
	assert not frappe.db.table_exists("Appeal Email Alert")
	enabled = dict(
		frappe.get_all(
			"Notification",
			filters={"name": ["in", alerts.app_notifications()]},
			fields=["name", "enabled"],
			as_list=True,
		)
	)
	name = alerts.notification_name
	assert enabled[name("Appeal Registered", "Client", "ru")] == 1
	assert enabled[name("Appeal Registered", "Client", "en")] == 0, "disabled as the row was"
	assert enabled[name("Appeal Closed", "Client", "ru") + f" {old_alert_table}"] == 1, (
		"the site's own template"
	)
	assert enabled[name("Appeal Closed", "Client", "ru")] == 0, "the shipped one the site replaced stays off"
	assert enabled[name("SLA Breached", "Supervisor", "ru")] == 1
	# the alerts the site had removed from its table are kept off
	assert enabled[name("Callback Overdue", "Supervisor", "en")] == 0
	assert not any(n.startswith("Appeal Assigned: Assignee Email (en) No Such") for n in enabled)
	before = sorted(enabled)
	make_notifications()  # the migrate's install step after the patch: adds only the SMS ones
	after = sorted(
		frappe.get_all("Notification", filters={"name": ["in", alerts.app_notifications()]}, pluck="name")
	)
	assert set(after) - set(before) == {
		name(a, "Client", lang, "SMS")
		for a in ("Appeal Registered", "Appeal Closed")
		for lang in ("en", "ru")
	}
	frappe.db.commit()
	# the site's template goes to the client, once
	appeal = make_appeal(phone="+79160000120", email="patched@example.com", category="Other")
	appeal.complete()
	mails = queued("patched@example.com", appeal.name)
	assert sum(f"Closed {appeal.name}" in m for m in mails) == 1
	assert sum(f"обращение {appeal.name} закрыто" in m for m in mails) == 0
	frappe.db.rollback()
