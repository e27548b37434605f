"""Each of the app's four roles sees and changes only what it should.

The rights of every role on every DocType of the app, as installed on the site, against what the
roles are for: the three staff roles (operator, service advisor, parts manager) work on appeals,
requests and cars but only read the configuration, never delete, and never see the raw webhook
payloads; the manager configures and deletes. Then the same, over real HTTP with a logged-in session
per role: the REST resources, the reports and the desk's methods.
"""

import json

import pytest
import requests

import frappe
from frappe.utils import add_days, nowdate
from frappe.utils.password import update_password

from auto_service_crm.setup.defaults import ERPNEXT_PERMISSIONS, ROLES
from tests.integration.factories import make_user
from tests.integration.test_specialist_access import REPORT_ROLES
from tests.integration.web import Committed

MANAGER = "Auto Service Manager"
STAFF = tuple(role for role in ROLES if role != MANAGER)
SETTINGS = "Auto Service Settings"
CONFIGURATION = (
	"Ad Channel",
	"Appeal Category",
	"Appeal Channel",
	"Appeal Result",
	"Appeal Status",
	"Automatic Category Rule",
	"Service Request Status",
	"Work Type",
)
WORK = ("Appeal", "Service Request", "Customer Vehicle", "Vehicle Model", "Service Recommendation")
PAYLOADS = "Intake Payload"
# the daily job's records: the operators mark them, the service advisors read them
JOB_RECORDS = {
	"Maintenance Invitation": {"Auto Service Operator": {"read", "write"}, "Service Advisor": {"read"}},
}
RUN = frappe.generate_hash(length=6)
PASSWORD = f"Asc-{RUN}-pw!9"


def expected_rights(role: str, doctype: str) -> set[str]:
	if role == MANAGER:
		return {"read", "write"} if doctype == SETTINGS else {"read", "write", "create", "delete"}
	if doctype in JOB_RECORDS:
		return JOB_RECORDS[doctype].get(role, set())
	if doctype in WORK:
		return {"read", "write", "create"}
	if doctype in CONFIGURATION:
		return {"read"}
	# the settings hold the webhook secrets and the PBX's and messengers' keys: the manager's only
	return set()  # the raw payloads, with the clients' data and the providers' ids


def test_every_doctype_of_the_app_is_in_the_rules():
	doctypes = set(
		frappe.get_all("DocType", filters={"module": "Auto Service CRM", "istable": 0}, pluck="name")
	)
	assert doctypes == {*CONFIGURATION, *WORK, *JOB_RECORDS, PAYLOADS, SETTINGS}


@pytest.mark.parametrize("role", ROLES)
def test_rights_of_each_role_on_the_apps_doctypes(role):
	user = make_user(role)
	for doctype in (*CONFIGURATION, *WORK, *JOB_RECORDS, PAYLOADS, SETTINGS):
		checked = (
			("read", "write", "delete") if doctype == SETTINGS else ("read", "write", "create", "delete")
		)
		granted = {ptype for ptype in checked if frappe.has_permission(doctype, ptype, user=user)}
		assert granted == expected_rights(role, doctype) & set(checked), (role, doctype)
		for ptype in ("submit", "cancel", "amend"):
			assert not frappe.has_permission(doctype, ptype, user=user), (role, doctype, ptype)


@pytest.mark.parametrize("role", ROLES)
def test_rights_of_each_role_on_erpnext_documents_as_installed(role):
	user = make_user(role)
	for doctype, rights in ERPNEXT_PERMISSIONS.items():
		for ptype in rights.get(role, ()):
			assert frappe.has_permission(doctype, ptype, user=user), (role, doctype, ptype)
		assert not frappe.has_permission(doctype, "delete", user=user), (role, doctype, "delete")
	for doctype in ("Customer", "Contact", "Call Log", "Item"):  # what taking a call needs
		assert frappe.has_permission(doctype, "read", user=user), (role, doctype)


@pytest.fixture(scope="module")
def sessions(web_server):
	"""A logged-in HTTP session for a user of each role, and for a user without the app's roles."""
	users = {role: make_user(role) for role in ROLES}
	users[None] = make_user("Blogger")  # a desk user with none of the app's roles, nor ERPNext's
	for user in users.values():
		update_password(user, PASSWORD)
	frappe.db.commit()
	logged_in = {}
	for role, user in users.items():
		session = requests.Session()
		response = session.post(
			f"{web_server}/api/method/login", data={"usr": user, "pwd": PASSWORD}, timeout=30
		)
		assert response.ok, response.text[:500]
		logged_in[role] = session
	yield logged_in
	frappe.db.rollback()
	for user in users.values():
		frappe.delete_doc("User", user, force=True, ignore_permissions=True)
	frappe.db.commit()


@pytest.fixture
def made(web_server):
	record = Committed()
	yield record
	record.clean()
	for category in frappe.get_all(
		"Appeal Category", filters={"name": ["like", f"Tyres {RUN}%"]}, pluck="name"
	):
		frappe.delete_doc("Appeal Category", category, force=True, ignore_permissions=True)
	frappe.db.commit()


def resource(web_server, doctype, name=None) -> str:
	return f"{web_server}/api/resource/{doctype}" + (f"/{name}" if name else "")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_over_http(web_server, sessions, made, role):
	session = sessions[role]
	manager = role == MANAGER

	# appeals: every role takes them, reads and edits them; only the manager deletes
	created = session.post(resource(web_server, "Appeal"), json={"channel": "Visit", "phone": "+79169990090"})
	assert created.ok, created.text[:500]
	appeal = created.json()["data"]["name"]
	assert session.get(resource(web_server, "Appeal"), timeout=30).ok
	edited = session.put(resource(web_server, "Appeal", appeal), json={"client_comment": f"edited by {role}"})
	assert edited.ok and edited.json()["data"]["client_comment"] == f"edited by {role}"
	portrait = session.post(
		f"{web_server}/api/method/auto_service_crm.desk.client_portrait", data={"appeal": appeal}, timeout=30
	)
	assert portrait.ok and portrait.json()["message"]["phone"] == "+79169990090"
	assert session.get(resource(web_server, "Service Request"), timeout=30).ok

	# the raw webhook payloads and their replay: the manager's only
	payloads = session.get(resource(web_server, PAYLOADS), timeout=30)
	assert payloads.status_code == (200 if manager else 403), payloads.text[:300]
	if not manager:
		payload = frappe.get_doc(
			{"doctype": PAYLOADS, "provider": "mobile_app", "status": "Failed", "payload": "{}"}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		for asked in (
			resource(web_server, PAYLOADS, payload.name),
			f"{web_server}/api/v2/document/{PAYLOADS}/{payload.name}",
		):
			assert session.get(asked, timeout=30).status_code == 403, asked
		replay = session.post(
			f"{web_server}/api/method/run_doc_method",
			data={"dt": PAYLOADS, "dn": payload.name, "method": "replay"},
			timeout=30,
		)
		assert replay.status_code == 403, replay.text[:300]
		frappe.db.rollback()
		assert frappe.db.get_value(PAYLOADS, payload.name, "attempts") == 0, "replayed"

	# configuration: everyone reads the categories, the manager changes them; the settings (secrets,
	# keys) are the manager's only, and even to the manager every secret shows masked
	settings = session.get(resource(web_server, SETTINGS, SETTINGS), timeout=30)
	assert settings.status_code == (200 if manager else 403), settings.text[:300]
	if manager:
		secrets = [f.fieldname for f in frappe.get_meta(SETTINGS).fields if f.fieldtype == "Password"]
		shown = settings.json()["data"]
		assert secrets and all(set(shown.get(field) or "*") == {"*"} for field in secrets), "secrets shown"
	frappe.db.rollback()
	threshold = frappe.db.get_single_value(SETTINGS, "same_day_appeal_threshold")
	saved = session.put(
		resource(web_server, SETTINGS, SETTINGS), json={"same_day_appeal_threshold": threshold}
	)
	assert saved.status_code == (200 if manager else 403), saved.text[:300]
	category = session.post(
		resource(web_server, "Appeal Category"),
		json={"category_name": f"Tyres {RUN} {role}", "on_selection": "Close Appeal"},
	)
	assert category.status_code == (200 if manager else 403), category.text[:300]
	if manager:
		assert session.delete(resource(web_server, "Appeal Category", f"Tyres {RUN} {role}")).status_code in (
			200,
			202,
		)

	# each report is open to the roles that use it (tests/integration/test_specialist_access.py)
	period = json.dumps({"from_date": add_days(nowdate(), -30), "to_date": nowdate()})
	for report in frappe.get_all("Report", filters={"module": "Auto Service CRM"}, pluck="name"):
		ran = session.post(
			f"{web_server}/api/method/frappe.desk.query_report.run",
			data={"report_name": report, "filters": period},
			timeout=60,
		)
		assert ran.status_code == (200 if role in REPORT_ROLES[report] else 403), (report, ran.text[:300])

	deleted = session.delete(resource(web_server, "Appeal", appeal))
	assert deleted.status_code in ((200, 202) if manager else (403,)), deleted.text[:300]
	frappe.db.rollback()
	assert bool(frappe.db.exists("Appeal", appeal)) is not manager


def test_a_user_without_the_apps_roles_over_http(web_server, sessions, made):
	session = sessions[None]
	appeal = frappe.get_doc({"doctype": "Appeal", "channel": "Visit", "phone": "+79169990091"}).insert()
	frappe.db.commit()
	for response in (
		session.get(resource(web_server, "Appeal"), timeout=30),
		session.get(resource(web_server, "Appeal", appeal.name), timeout=30),
		session.post(resource(web_server, "Appeal"), json={"channel": "Visit", "phone": "+79169990092"}),
		session.get(resource(web_server, SETTINGS, SETTINGS), timeout=30),
		session.post(
			f"{web_server}/api/method/auto_service_crm.desk.client_portrait",
			data={"appeal": appeal.name},
			timeout=30,
		),
		session.post(
			f"{web_server}/api/method/auto_service_crm.identification.search_clients",
			data={"text": "Test"},
			timeout=30,
		),
	):
		assert response.status_code == 403, (response.request.method, response.url, response.text[:300])
