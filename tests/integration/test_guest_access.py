"""Guest reaches nothing of the app but its webhooks, and those only with the channel's secret.

Over real HTTP to the site, without a session: every whitelisted function of the app (found by
walking its modules, not listed by hand), its documents' whitelisted methods, its reports and the
REST resources of its DocTypes refuse; the ten webhook endpoints, the only methods open to guests,
refuse a missing or wrong token or signature and keep nothing.
"""

import hashlib
import hmac
import importlib
import json
import pkgutil

import pytest
import requests

import frappe

import auto_service_crm
from auto_service_crm.telephony import zadarma
from tests.integration.factories import make_customer, make_vehicle_model

RUN = frappe.generate_hash(length=6)
MODULE = "Auto Service CRM"
WEBHOOKS = {
	"auto_service_crm.api.call_event",
	"auto_service_crm.api.zadarma_event",
	"auto_service_crm.api.mango_event",
	"auto_service_crm.api.mango_call",
	"auto_service_crm.api.mango_summary",
	"auto_service_crm.api.website_form_submission",
	"auto_service_crm.api.mobile_app_request",
	"auto_service_crm.api.whatsapp_webhook",
	"auto_service_crm.api.telegram_update",
	"auto_service_crm.api.jivosite_event",
}
SECRETS = {
	"telephony_token": "g-tel",
	"zadarma_secret": "g-zd",
	"mango_api_key": "g-mango-key",
	"mango_api_salt": "g-mango-salt",
	"website_form_token": "g-form",
	"mobile_app_token": "g-app",
	"whatsapp_app_secret": "g-wa",
	"whatsapp_verify_token": "g-wa-verify",
	"telegram_secret_token": "g-tg",
	"jivosite_token": "g-jivo",
}


def app_whitelist() -> tuple[set[str], set[str], set[str]]:
	"""(functions, document methods, guest functions) the app whitelists, as dotted paths."""
	for module in pkgutil.walk_packages(auto_service_crm.__path__, "auto_service_crm."):
		importlib.import_module(module.name)
	ours = [fn for fn in frappe.whitelisted if fn.__module__.startswith("auto_service_crm.")]
	functions = {f"{fn.__module__}.{fn.__qualname__}" for fn in ours if "." not in fn.__qualname__}
	methods = {f"{fn.__module__}.{fn.__qualname__}" for fn in ours if "." in fn.__qualname__}
	guests = {f"{fn.__module__}.{fn.__qualname__}" for fn in frappe.guest_methods if fn in ours}
	return functions, methods, guests


FUNCTIONS, DOC_METHODS, GUEST_FUNCTIONS = app_whitelist()


def guest(web_server, method: str, path: str, **kwargs) -> requests.Response:
	"""A request without a session (a fresh one each time: no cookie carried over)."""
	return requests.request(method, f"{web_server}{path}", timeout=30, **kwargs)


def test_only_the_webhooks_are_open_to_guests():
	assert GUEST_FUNCTIONS == WEBHOOKS
	assert not DOC_METHODS & GUEST_FUNCTIONS
	# the walk found the desk's methods, so the checks below are not vacuous
	assert {
		"auto_service_crm.desk.client_portrait",
		"auto_service_crm.identification.search_clients",
	} <= FUNCTIONS


@pytest.mark.parametrize("path", sorted(FUNCTIONS - WEBHOOKS))
def test_every_other_whitelisted_function_refuses_a_guest(web_server, path):
	for verb, args in (("GET", {"params": {"appeal": "x"}}), ("POST", {"data": {"appeal": "x"}})):
		response = guest(web_server, verb, f"/api/method/{path}", **args)
		assert response.status_code == 403, (verb, response.text[:300])


@pytest.mark.parametrize(
	"path",
	[
		"auto_service_crm.api.receive",
		"auto_service_crm.api.replay",
		"auto_service_crm.alerts.check_sla_breaches",
	],
)
def test_functions_that_are_not_whitelisted_refuse_a_guest(web_server, path):
	assert guest(web_server, "POST", f"/api/method/{path}").status_code == 403


@pytest.fixture(scope="module")
def records(site):
	"""One committed record of every DocType of the app (the seeded ones, or made for the tests)."""
	made = []

	def new(doc, **flags):
		doc = frappe.get_doc(doc)
		doc.flags.update(flags)
		doc.insert(ignore_permissions=True)
		made.append(doc)
		return doc.name

	customer = make_customer(f"Guest Test {RUN}")
	made.append(frappe.get_doc("Customer", customer))
	model = make_vehicle_model("Guest", RUN)
	made.append(frappe.get_doc("Vehicle Model", model))
	create = {
		"Ad Channel": lambda: new({"doctype": "Ad Channel", "ad_channel_name": f"Guest Test {RUN}"}),
		"Appeal": lambda: new({"doctype": "Appeal", "channel": "Visit", "phone": "+79169990077"}),
		"Customer Vehicle": lambda: new({"doctype": "Customer Vehicle", "customer": customer}),
		"Intake Payload": lambda: new(
			{"doctype": "Intake Payload", "provider": "guest-test", "status": "Failed", "payload": "{}"},
			ignore_links=True,
		),
		"Service Request": lambda: new(
			{"doctype": "Service Request", "kind": "Repair", "customer": customer}
		),
		"Service Recommendation": lambda: new(
			{"doctype": "Service Recommendation", "customer": customer, "description": "Guest test"}
		),
		"Maintenance Invitation": lambda: new(
			{
				"doctype": "Maintenance Invitation",
				"customer": customer,
				"vehicle": new({"doctype": "Customer Vehicle", "customer": customer}),
				"invitation_key": f"guest-test-{RUN}",
			}
		),
		"Vehicle Model": lambda: model,
		"Work Type": lambda: new({"doctype": "Work Type", "work_type_name": f"Guest Test {RUN}"}),
	}
	names = {}
	for doctype, single in frappe.get_all(
		"DocType", filters={"module": MODULE, "istable": 0}, fields=["name", "issingle"], as_list=True
	):
		if single:
			names[doctype] = doctype
		elif doctype in create:
			names[doctype] = create[doctype]()
		else:
			names[doctype] = frappe.get_all(doctype, pluck="name", limit=1)[0]  # seeded on install
	frappe.db.commit()
	yield names
	frappe.db.rollback()
	for doc in reversed(made):
		frappe.delete_doc(doc.doctype, doc.name, force=True, ignore_permissions=True)
	frappe.db.commit()


def test_the_apps_doctypes_are_all_covered(records):
	assert {"Appeal", "Intake Payload", "Service Request", "Auto Service Settings"} <= set(records)
	assert all(records.values())


def test_rest_resources_of_every_doctype_refuse_a_guest(web_server, records):
	for doctype, name in records.items():
		calls = [
			("GET", f"/api/resource/{doctype}/{name}", {}),
			("PUT", f"/api/resource/{doctype}/{name}", {"json": {"modified": "2000-01-01"}}),
			("DELETE", f"/api/resource/{doctype}/{name}", {}),
			("GET", f"/api/v2/document/{doctype}/{name}", {}),
			("POST", "/api/method/frappe.client.get", {"data": {"doctype": doctype, "name": name}}),
			(
				"POST",
				"/api/method/frappe.client.get_value",
				{"data": {"doctype": doctype, "fieldname": "name"}},
			),
		]
		if doctype != name:  # not a Single
			calls += [
				("GET", f"/api/resource/{doctype}", {}),
				("POST", f"/api/resource/{doctype}", {"json": {}}),
				("GET", f"/api/v2/document/{doctype}", {}),
				("POST", "/api/method/frappe.client.get_list", {"data": {"doctype": doctype}}),
				("POST", "/api/method/frappe.client.get_count", {"data": {"doctype": doctype}}),
				("POST", "/api/method/frappe.desk.reportview.get", {"data": {"doctype": doctype}}),
				(
					"POST",
					"/api/method/frappe.desk.search.search_link",
					{"data": {"doctype": doctype, "txt": ""}},
				),
			]
		for verb, path, args in calls:
			response = guest(web_server, verb, path, **args)
			assert response.status_code == 403, (verb, path, response.status_code, response.text[:300])
			answer = response.json()
			assert "data" not in answer and "message" not in answer, (verb, path, "answers with data")
	frappe.db.rollback()
	for doctype, name in records.items():
		assert frappe.db.exists(doctype, name), f"{doctype} {name} was changed or deleted by a guest"


def test_document_methods_and_reports_refuse_a_guest(web_server, records):
	for path in DOC_METHODS:
		_module, doctype_class, method = path.rsplit(".", 2)
		doctype = next(d for d in records if d.replace(" ", "") == doctype_class)
		name = records[doctype]
		for verb, route, args in (
			("POST", "/api/method/run_doc_method", {"data": {"dt": doctype, "dn": name, "method": method}}),
			("POST", f"/api/v2/document/{doctype}/{name}/method/{method}", {}),
		):
			response = guest(web_server, verb, route, **args)
			assert response.status_code == 403, (path, route, response.text[:300])
	for report in frappe.get_all("Report", filters={"module": MODULE}, pluck="name"):
		response = guest(
			web_server, "POST", "/api/method/frappe.desk.query_report.run", data={"report_name": report}
		)
		assert response.status_code == 403, (report, response.text[:300])
	frappe.db.rollback()
	assert frappe.db.get_value("Appeal", records["Appeal"], "completed_on") is None


@pytest.fixture(scope="module")
def secrets(site):
	settings = frappe.get_single("Auto Service Settings")
	password_fields = {f.fieldname for f in settings.meta.fields if f.fieldtype == "Password"}
	previous = {
		field: settings.get_password(field, raise_exception=False)
		if field in password_fields
		else settings.get(field)
		for field in SECRETS
	}
	settings.update(SECRETS)
	settings.save()
	frappe.db.commit()
	yield SECRETS
	frappe.db.rollback()
	settings = frappe.get_single("Auto Service Settings")
	settings.update(previous)
	settings.save()
	frappe.db.commit()


def mango_form(payload: dict, sign: str | None) -> str:
	fields = {"vpbx_api_key": SECRETS["mango_api_key"], "json": json.dumps(payload)}
	if sign is not None:
		fields["sign"] = sign
	return requests.models.RequestEncodingMixin._encode_params(fields)


def webhook_requests(secret_or_wrong) -> dict[str, dict]:
	"""For each webhook, a request that would be filed, authenticated by ``secret_or_wrong(field)``
	(the header or signature left out when it gives None)."""
	call = {"call_id": f"g-{RUN}", "event": "ringing", "from": "+79169990078"}
	zd = {
		"event": "NOTIFY_START",
		"call_start": "2026-11-23 10:00:00",
		"pbx_call_id": f"g-{RUN}",
		"caller_id": "79169990079",
	}
	mango = {
		"entry_id": f"g-{RUN}",
		"call_id": f"g-{RUN}-1",
		"seq": 1,
		"call_state": "Appeared",
		"from": {"number": "79169990080"},
	}
	wa = json.dumps(
		{
			"object": "whatsapp_business_account",
			"entry": [
				{
					"changes": [
						{
							"value": {
								"messages": [
									{
										"from": "79169990081",
										"id": f"wamid.g-{RUN}",
										"type": "text",
										"text": {"body": "hi"},
									}
								]
							}
						}
					]
				}
			],
		}
	).encode()
	tg = {"update_id": 1, "message": {"message_id": 1, "chat": {"id": 5550001}, "text": "hi"}}
	jivo = {
		"event_name": "offline_message",
		"chat_id": 1,
		"visitor": {"phone": "+79169990082"},
		"message": "hi",
		"offline_message_id": f"g-{RUN}",
	}

	def header(name, field):
		value = secret_or_wrong(field)
		return {name: value} if value is not None else {}

	zd_secret = secret_or_wrong("zadarma_secret")
	wa_secret = secret_or_wrong("whatsapp_app_secret")
	salt = secret_or_wrong("mango_api_salt")
	mango_sign = (
		hashlib.sha256((SECRETS["mango_api_key"] + json.dumps(mango) + salt).encode()).hexdigest()
		if salt
		else None
	)
	form = "application/x-www-form-urlencoded"
	return {
		"call_event": {"json": call, "headers": header("X-Webhook-Token", "telephony_token")},
		"website_form_submission": {
			"json": {"submission_id": f"g-{RUN}", "phone": "+79169990083"},
			"headers": header("X-Webhook-Token", "website_form_token"),
		},
		"mobile_app_request": {
			"json": {"request_id": f"g-{RUN}", "phone": "+79169990084"},
			"headers": header("X-Webhook-Token", "mobile_app_token"),
		},
		"zadarma_event": {
			"data": zd,
			"headers": {"Signature": zadarma.sign(zd, zd_secret)} if zd_secret else {},
		},
		"mango_event": {"data": mango_form(mango, mango_sign), "headers": {"Content-Type": form}},
		"mango_call": {"data": mango_form(mango, mango_sign), "headers": {"Content-Type": form}},
		"mango_summary": {"data": mango_form(mango, mango_sign), "headers": {"Content-Type": form}},
		"whatsapp_webhook": {
			"data": wa,
			"headers": {
				"Content-Type": "application/json",
				**(
					{
						"X-Hub-Signature-256": "sha256="
						+ hmac.new(wa_secret.encode(), wa, hashlib.sha256).hexdigest()
					}
					if wa_secret
					else {}
				),
			},
		},
		"telegram_update": {
			"json": tg,
			"headers": header("X-Telegram-Bot-Api-Secret-Token", "telegram_secret_token"),
		},
		"jivosite_event": {
			"json": jivo,
			"params": {"token": secret_or_wrong("jivosite_token")}
			if secret_or_wrong("jivosite_token")
			else {},
		},
	}


@pytest.mark.parametrize(
	("credentials", "says"),
	[(lambda field: None, "missing"), (lambda field: "wrong-" + SECRETS[field], "wrong")],
	ids=["missing", "wrong"],
)
def test_webhooks_refuse_a_missing_or_wrong_secret_and_keep_nothing(web_server, secrets, credentials, says):
	before = frappe.db.count("Intake Payload"), frappe.db.count("Appeal")
	for endpoint, request in webhook_requests(credentials).items():
		response = guest(web_server, "POST", f"/api/method/auto_service_crm.api.{endpoint}", **request)
		assert response.status_code == 403, (endpoint, response.text[:300])
		error = response.json()["message"]["error"].lower()
		assert error.startswith(says), (endpoint, error)  # refused by the check of the secret
	frappe.db.rollback()
	assert (frappe.db.count("Intake Payload"), frappe.db.count("Appeal")) == before


def test_a_channel_without_a_configured_secret_refuses_everything(web_server, secrets):
	settings = frappe.get_single("Auto Service Settings")
	settings.jivosite_token = ""
	settings.save()
	frappe.db.commit()
	assert not settings.get_password("jivosite_token", raise_exception=False)
	try:
		for token in ("", "anything"):
			response = guest(
				web_server,
				"POST",
				"/api/method/auto_service_crm.api.jivosite_event",
				params={"token": token},
				json={"event_name": "offline_message", "chat_id": 1, "message": "hi"},
			)
			assert response.status_code == 403 and "not configured" in response.json()["message"]["error"]
	finally:
		settings = frappe.get_single("Auto Service Settings")
		settings.jivosite_token = SECRETS["jivosite_token"]
		settings.save()
		frappe.db.commit()


def test_the_providers_url_checks_reveal_nothing(web_server, secrets):
	wrong = guest(
		web_server,
		"GET",
		"/api/method/auto_service_crm.api.whatsapp_webhook",
		params={"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "42"},
	)
	assert wrong.status_code == 403 and "42" not in wrong.text
	# Zadarma's check only echoes what it is sent
	echo = guest(
		web_server, "GET", "/api/method/auto_service_crm.api.zadarma_event", params={"zd_echo": "x1"}
	)
	assert echo.status_code == 200 and echo.text == "x1"
	assert guest(web_server, "GET", "/api/method/auto_service_crm.api.zadarma_event").status_code == 400
	for endpoint in WEBHOOKS - {
		"auto_service_crm.api.whatsapp_webhook",
		"auto_service_crm.api.zadarma_event",
	}:
		assert guest(web_server, "GET", f"/api/method/{endpoint}").status_code in (403, 405), endpoint
