"""Who sees which appeal and Service Request (auto_service_crm/permissions.py).

Operators, the manager and the System Manager see every appeal; a Service Advisor or a Parts Manager
sees the appeals and requests they take part in (assigned, shared, redirected, created, and a request
through its appeals, an appeal through its request) while the settings' switch is on. In process for
each way of taking part, then over HTTP for each role: REST, frappe.client.get_list, reportview, the
link search and the reports, each open to the roles that use it.
"""

import json

import pytest
import requests

import frappe
from frappe.desk.form import assign_to
from frappe.utils import add_days, nowdate
from frappe.utils.password import update_password

from auto_service_crm import permissions
from auto_service_crm.setup.defaults import ROLES
from auto_service_crm.setup.install import fill_empty_settings
from tests.integration.factories import make_appeal, make_customer, make_user

SPECIALISTS = ("Service Advisor", "Parts Manager")
SEE_ALL = ("Auto Service Operator", "Auto Service Manager", "System Manager")
SETTINGS = "Auto Service Settings"
SWITCH = "specialists_see_own_appeals"
RUN = frappe.generate_hash(length=6)
PASSWORD = f"Asc-{RUN}-spec!7"

# which roles each report is for (their Report records' roles; the System Manager too)
REPORT_ROLES = {
	"Missed Calls": {"Auto Service Operator", "Auto Service Manager"},
	"SLA Compliance": {"Auto Service Operator", "Auto Service Manager"},
	"Demand by Work Type": {"Service Advisor", "Parts Manager", "Auto Service Manager"},
	"Appeal Funnel": {"Auto Service Manager"},
	"Ad Channel Effectiveness": {"Auto Service Manager"},
	"Maintenance Invitations": {"Auto Service Operator", "Service Advisor", "Auto Service Manager"},
}


def appeal(**fields):
	return make_appeal(phone="+79169990300", **fields)


def request_of(**fields):
	return frappe.get_doc({"doctype": "Service Request", "kind": "Repair", **fields}).insert()


def seen(user: str, doctype: str, names) -> set[str]:
	"""What the user's list shows of ``names``, checked against the document's own permission."""
	frappe.set_user(user)
	listed = set(frappe.get_list(doctype, filters={"name": ["in", list(names)]}, pluck="name"))
	readable = {name for name in names if frappe.has_permission(doctype, "read", doc=name)}
	frappe.set_user("Administrator")
	assert listed == readable, (user, doctype, listed, readable)
	return listed


def stored_switch() -> str | None:
	"""The switch as stored in the Single's row, None when it has none."""
	row = frappe.db.sql(
		"select value from `tabSingles` where doctype = %s and field = %s", (SETTINGS, SWITCH)
	)
	return row[0][0] if row else None


@pytest.fixture
def switch_on():
	frappe.db.set_single_value(SETTINGS, SWITCH, 1)


@pytest.mark.parametrize("role", SPECIALISTS)
def test_a_specialist_sees_the_appeals_they_take_part_in(role, switch_on):
	specialist = make_user(role)
	assigned, closed, taken_back, shared, redirected, other = (appeal() for _ in range(6))
	for doc in (assigned, closed, taken_back):
		assign_to.add({"assign_to": [specialist], "doctype": "Appeal", "name": doc.name})
	frappe.db.set_value(  # done (as the assignee closes it): still theirs
		"ToDo", {"reference_type": "Appeal", "reference_name": closed.name}, "status", "Closed"
	)
	assign_to.remove("Appeal", taken_back.name, specialist)  # cancelled: no longer
	frappe.share.add("Appeal", shared.name, specialist, read=1)
	redirected.db_set("redirect_to", specialist)
	frappe.set_user(specialist)
	created = appeal().name
	frappe.set_user("Administrator")
	names = [d.name for d in (assigned, closed, taken_back, shared, redirected, other)] + [created]

	assert seen(specialist, "Appeal", names) == {
		assigned.name,
		closed.name,
		shared.name,
		redirected.name,
		created,
	}
	frappe.set_user(specialist)
	with pytest.raises(frappe.PermissionError):
		frappe.get_doc("Appeal", other.name).check_permission("read")
	assert not frappe.has_permission("Appeal", "write", doc=other.name)
	doc = frappe.get_doc("Appeal", assigned.name)
	doc.client_comment = "seen and edited by its specialist"
	doc.save()
	assert frappe.db.count("Appeal", {"name": ["in", names]}) == 7, "a count without permissions counts all"


def test_operators_and_managers_see_every_appeal(switch_on):
	names = [appeal().name for _ in range(2)]
	for role in SEE_ALL:
		assert seen(make_user(role), "Appeal", names) == set(names), role
	# a specialist who is an operator as well sees everything
	assert seen(make_user("Service Advisor", "Auto Service Operator"), "Appeal", names) == set(names)


def test_a_service_request_and_its_appeals_are_seen_through_each_other(switch_on):
	advisor = make_user("Service Advisor")
	customer = make_customer()
	# the request an appeal of the advisor's handed off (the request's source appeal)
	handed = request_of(customer=customer)
	source = appeal(customer=customer)
	source.db_set("redirect_to", advisor)
	handed.db_set("source_appeal", source.name)
	# a request an appeal shared with the advisor continued (Appeal.service_request)
	continued = request_of(customer=customer)
	continuing = appeal(customer=customer, service_request=continued.name)
	frappe.share.add("Appeal", continuing.name, advisor, read=1)
	# a request assigned to the advisor, and the appeal that handed off to it
	assigned = request_of(customer=customer)
	assign_to.add({"assign_to": [advisor], "doctype": "Service Request", "name": assigned.name})
	brought = appeal(customer=customer, service_request=assigned.name)
	# nobody's
	other = request_of(customer=customer)
	unrelated = appeal(customer=customer, service_request=other.name)

	requests_ = [handed.name, continued.name, assigned.name, other.name]
	assert seen(advisor, "Service Request", requests_) == {handed.name, continued.name, assigned.name}
	appeals = [source.name, continuing.name, brought.name, unrelated.name]
	assert seen(advisor, "Appeal", appeals) == {source.name, continuing.name, brought.name}


def test_the_manager_switches_it_off():
	parts = make_user("Parts Manager")
	names = [appeal().name for _ in range(2)]
	frappe.db.set_single_value(SETTINGS, SWITCH, 1)
	assert seen(parts, "Appeal", names) == set()
	frappe.db.set_single_value(SETTINGS, SWITCH, 0)
	assert seen(parts, "Appeal", names) == set(names)
	assert not permissions.sees_only_own(parts)


def test_a_site_that_has_not_stored_the_switch_has_it_on():
	frappe.db.delete("Singles", {"doctype": SETTINGS, "field": SWITCH})
	assert permissions.specialists_see_own_appeals(), "not stored yet counts as on"
	fill_empty_settings()  # what migrate does: stores the field's default
	assert stored_switch() == "1"
	assert frappe.db.get_single_value(SETTINGS, SWITCH) == 1


def test_the_condition_is_built_safely_for_any_user_name(switch_on):
	tricky = "o'brien\\\" or 1=1 -- %@example.com"
	condition = permissions.appeal_condition(frappe.db.escape(tricky, percent=False))
	assert frappe.db.sql(f"select count(*) from `tabAppeal` where {condition}")[0][0] == 0


# Over HTTP, for each role ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def people(web_server):
	"""A logged-in session for a user of each role, an appeal assigned to each specialist, one of nobody's."""
	before = stored_switch()
	frappe.db.set_single_value(SETTINGS, SWITCH, 1)
	users = {role: make_user(role) for role in ROLES}
	for user in users.values():
		update_password(user, PASSWORD)
	theirs = {}
	for role in SPECIALISTS:
		doc = make_appeal(phone="+79169990301", client_name=f"Spec {RUN} {role}")
		assign_to.add({"assign_to": [users[role]], "doctype": "Appeal", "name": doc.name})
		theirs[role] = doc.name
	nobodys = make_appeal(phone="+79169990302", client_name=f"Spec {RUN} nobody").name
	frappe.db.commit()
	sessions = {}
	for role, user in users.items():
		session = requests.Session()
		response = session.post(
			f"{web_server}/api/method/login", data={"usr": user, "pwd": PASSWORD}, timeout=30
		)
		assert response.ok, response.text[:500]
		sessions[role] = session
	yield sessions, theirs, nobodys
	frappe.db.rollback()
	for name in [*theirs.values(), nobodys]:
		for todo in frappe.get_all("ToDo", filters={"reference_type": "Appeal", "reference_name": name}):
			frappe.delete_doc("ToDo", todo.name, force=True, ignore_permissions=True)
		frappe.delete_doc("Appeal", name, force=True, ignore_permissions=True)
	for user in users.values():
		frappe.delete_doc("User", user, force=True, ignore_permissions=True)
	if before is not None:
		frappe.db.set_single_value(SETTINGS, SWITCH, before)
	frappe.db.commit()


def method(web_server, name):
	return f"{web_server}/api/method/{name}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_its_appeals_over_http(web_server, people, role):
	sessions, theirs, nobodys = people
	session = sessions[role]
	everything = {*theirs.values(), nobodys}
	expected = {theirs[role]} if role in SPECIALISTS else everything
	filters = json.dumps([["Appeal", "name", "in", sorted(everything)]])

	listed = session.get(
		f"{web_server}/api/resource/Appeal", params={"filters": filters, "limit_page_length": 0}, timeout=30
	)
	assert listed.ok, listed.text[:300]
	assert {row["name"] for row in listed.json()["data"]} == expected
	for name in everything:
		got = session.get(f"{web_server}/api/resource/Appeal/{name}", timeout=30)
		assert got.status_code == (200 if name in expected else 403), (name, got.text[:300])

	client_list = session.post(
		method(web_server, "frappe.client.get_list"),
		data={"doctype": "Appeal", "filters": filters, "limit_page_length": 0},
		timeout=30,
	)
	assert {row["name"] for row in client_list.json()["message"]} == expected

	view = session.post(
		method(web_server, "frappe.desk.reportview.get"),
		data={"doctype": "Appeal", "fields": json.dumps(["`tabAppeal`.`name`"]), "filters": filters},
		timeout=30,
	)
	assert view.ok, view.text[:300]
	shown = view.json()["message"]
	assert {row[0] for row in shown.get("values", [])} == expected
	count = session.post(
		method(web_server, "frappe.desk.reportview.get_count"),
		data={"doctype": "Appeal", "filters": filters},
		timeout=30,
	)
	assert count.json()["message"] == len(expected)

	for ignoring in (0, 1):  # a link field may ask Frappe's search to ignore user permissions
		found = session.post(
			method(web_server, "frappe.desk.search.search_link"),
			data={
				"doctype": "Appeal",
				"txt": f"Spec {RUN}",
				"page_length": 50,
				"ignore_user_permissions": ignoring,
			},
			timeout=30,
		)
		assert found.ok, found.text[:300]
		assert {row["value"] for row in found.json()["message"]} & everything == expected, ignoring


@pytest.mark.parametrize("role", ROLES)
def test_each_report_is_open_to_the_roles_that_use_it(web_server, people, role):
	session = people[0][role]
	period = json.dumps({"from_date": add_days(nowdate(), -30), "to_date": nowdate()})
	assert set(frappe.get_all("Report", filters={"module": "Auto Service CRM"}, pluck="name")) == set(
		REPORT_ROLES
	)
	for report, roles in REPORT_ROLES.items():
		assert {row.role for row in frappe.get_doc("Report", report).roles} == {*roles, "System Manager"}
		for call in ("frappe.desk.query_report.get_script", "frappe.desk.query_report.run"):
			ran = session.post(
				method(web_server, call), data={"report_name": report, "filters": period}, timeout=60
			)
			if role in roles:
				assert ran.status_code == 200, (report, call, ran.text[:300])
				continue
			assert ran.status_code == 403, (report, call, ran.text[:300])
			# the refusal names what is missing: the report itself, not a page or the DocType
			messages = " ".join(json.loads(m)["message"] for m in json.loads(ran.json()["_server_messages"]))
			assert "Report" in messages and report in messages and "Page" not in messages, messages


def test_the_window_of_an_appeal_shows_only_the_clients_appeals_the_specialist_may_see(switch_on):
	"""The portrait, the feed and the task tree of the specialist's appeal list the client's other
	appeals through the same rule."""
	from auto_service_crm.desk import client_portrait, event_feed, task_tree

	specialist = make_user("Service Advisor")
	customer = make_customer(f"Spec Client {RUN}")
	theirs, also_theirs, not_theirs = (appeal(customer=customer) for _ in range(3))
	for doc in (theirs, also_theirs):
		frappe.share.add("Appeal", doc.name, specialist, read=1)
	frappe.set_user(specialist)
	assert {a.name for a in client_portrait(theirs.name)["recent_appeals"]} == {also_theirs.name}
	feed = {row["name"] for row in event_feed(theirs.name) if row["doctype"] == "Appeal"}
	assert feed == {theirs.name, also_theirs.name}
	assert {node["name"] for node in task_tree(theirs.name)} == {theirs.name, also_theirs.name}
	frappe.set_user("Administrator")
	assert not_theirs.name in {a.name for a in client_portrait(theirs.name)["recent_appeals"]}
