"""Webhook endpoints of every channel: /api/method/auto_service_crm.api.<endpoint>.

Each endpoint authenticates the request (a per-channel token, or the provider's own signature),
keeps the payload as received in an Intake Payload (so one that failed to be filed can be
replayed), files each event at most once (a repeated delivery gets 200 and "duplicate"), and
answers with a clear status: 400 for a malformed or unknown payload, 403 for a bad signature or
token, 413 for an oversized body, 500 when filing failed (the payload is kept for replay).

Frappe itself parses a body sent as ``application/json`` before the app runs: a body that is not
JSON under that content type is refused by Frappe (HTTP 500, JSONDecodeError) and not kept.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from werkzeug.wrappers import Response

import frappe
from frappe import _

from auto_service_crm import intake_filing
from auto_service_crm.intake import (
	generic_call,
	jivosite,
	mango,
	mobile_app,
	telegram,
	website_form,
	whatsapp,
	zadarma,
)
from auto_service_crm.intake.errors import (
	MAX_PAYLOAD_BYTES,
	PayloadError,
	SignatureError,
	load_form,
	load_json,
)
from auto_service_crm.settings import get_settings

DEADLOCK_ATTEMPTS = 5


@dataclass(frozen=True)
class Endpoint:
	provider: str
	channel: str
	authenticate: Callable  # (body, form, request) -> None, raises SignatureError
	read: Callable  # (body) -> dict
	parse: Callable  # (data) -> list of events
	file: Callable  # (event) -> appeal name | None


def secret(field: str) -> str | None:
	return get_settings().get_password(field, raise_exception=False)


def token_of(request) -> str | None:
	"""The token in the X-Webhook-Token header or the ``token`` query argument (form builders that
	cannot set headers). Not Authorization: Frappe reads that header as its own login."""
	return request.headers.get("X-Webhook-Token") or request.args.get("token")


def token_check(field: str, what: str):
	def check(body, data, request):
		from auto_service_crm.intake._common import same_secret

		same_secret(token_of(request), secret(field), what)

	return check


def as_list(value) -> list:
	if value is None:
		return []
	return list(value) if isinstance(value, list | tuple) else [value]


def mango_check(body, data, request):
	mango.verify_sign(
		data.get("vpbx_api_key"),
		data.get("json"),
		data.get("sign"),
		secret("mango_api_salt"),
		expected_api_key=get_settings().mango_api_key,
	)


def mango_last_location(data: dict) -> str | None:
	"""Where the client was in the last events/call of the entry (voice menu, queue, a manager):
	it tells the summary why a missed call was lost."""
	try:
		entry = load_json((data.get("json") or "").encode()).get("entry_id")
	except PayloadError:
		return None
	last = frappe.get_all(
		"Intake Payload",
		filters={"provider": "mango:events/call", "external_id": str(entry)},
		pluck="payload",
		order_by="creation desc",
		limit=1,
	)
	if not last:
		return None
	try:
		return load_json(load_form(last[0].encode()).get("json", "").encode()).get("location")
	except PayloadError:
		return None


ENDPOINTS = {
	"generic": Endpoint(
		"generic",
		"Incoming Call",
		token_check("telephony_token", "telephony token"),
		load_json,
		lambda data: [generic_call.parse(data)],
		intake_filing.file_call,
	),
	"zadarma": Endpoint(
		"zadarma",
		"Incoming Call",
		lambda body, data, request: zadarma.verify_signature(
			data, request.headers.get("Signature"), secret("zadarma_secret")
		),
		load_form,
		lambda data: as_list(zadarma.parse(data)),
		intake_filing.file_call,
	),
	"mango_call": Endpoint(
		"mango:events/call",
		"Incoming Call",
		mango_check,
		load_form,
		lambda data: as_list(mango.parse(data.get("json") or "", "events/call")),
		intake_filing.file_call,
	),
	"mango_summary": Endpoint(
		"mango:events/summary",
		"Incoming Call",
		mango_check,
		load_form,
		lambda data: as_list(
			mango.parse(data.get("json") or "", "events/summary", last_location=mango_last_location(data))
		),
		intake_filing.file_call,
	),
	"website_form": Endpoint(
		"website_form",
		"Website Form",
		token_check("website_form_token", "website form token"),
		load_json,
		lambda data: [website_form.parse(data)],
		intake_filing.file_form,
	),
	"mobile_app": Endpoint(
		"mobile_app",
		"Mobile App",
		token_check("mobile_app_token", "mobile app token"),
		load_json,
		lambda data: [mobile_app.parse(data)],
		intake_filing.file_mobile_request,
	),
	"whatsapp": Endpoint(
		"whatsapp",
		"Chat",
		lambda body, data, request: whatsapp.verify_signature(
			secret("whatsapp_app_secret"), body, request.headers.get("X-Hub-Signature-256")
		),
		load_json,
		whatsapp.parse,
		intake_filing.file_chat,
	),
	"telegram": Endpoint(
		"telegram",
		"Chat",
		lambda body, data, request: telegram.verify_secret_token(
			request.headers.get("X-Telegram-Bot-Api-Secret-Token"), secret("telegram_secret_token")
		),
		load_json,
		lambda data: as_list(telegram.parse(data)),
		intake_filing.file_chat,
	),
	"jivosite": Endpoint(
		"jivosite",
		"Chat",
		lambda body, data, request: jivosite.verify_token(token_of(request), secret("jivosite_token")),
		load_json,
		jivosite.parse,
		intake_filing.file_chat,
	),
}


def reply(code: int, **body) -> dict:
	frappe.local.response.http_status_code = code
	return body


def delivery_key(endpoint: Endpoint, events: list) -> str | None:
	"""The provider's ids of what this delivery carries; None when it carries nothing to file."""
	ids = sorted(
		f"{getattr(e, 'event', '')}:{e.external_id}" for e in events if getattr(e, "external_id", None)
	)
	return f"{endpoint.provider}:{'|'.join(ids)}"[:140] if ids else None


def receive(name: str):
	"""The one path every webhook takes."""
	endpoint = ENDPOINTS[name]
	request = frappe.request
	body = request.get_data(cache=True) or b""
	if len(body) > MAX_PAYLOAD_BYTES:
		return reply(413, error=f"payload too large: {len(body)} bytes > {MAX_PAYLOAD_BYTES}")
	try:
		data = endpoint.read(body)
	except PayloadError as e:
		data = None
		read_error = str(e)
	else:
		read_error = None
	try:
		endpoint.authenticate(body, data or {}, request)
	except SignatureError as e:
		return reply(403, error=str(e))
	if read_error:
		keep(endpoint, body, request, status="Failed", error=read_error)
		return reply(400, error=read_error)
	try:
		events = endpoint.parse(data)
	except PayloadError as e:
		keep(endpoint, body, request, status="Failed", error=str(e))
		return reply(400, error=str(e))
	key = delivery_key(endpoint, events)
	for attempt in range(DEADLOCK_ATTEMPTS):
		try:
			return file_delivery(endpoint, body, request, events, key)
		except frappe.QueryDeadlockError:
			# The database undid this whole transaction to break a deadlock with another delivery
			# filed at the same moment: nothing of it is left, so file it again from the start.
			frappe.db.rollback()
			time.sleep(random.uniform(0.05, 0.2) * (attempt + 1))
	kept = key and frappe.db.get_value(
		"Intake Payload", {"dedupe_key": key}, ["name", "status"], as_dict=True
	)
	if kept and kept.status in ("Processed", "Ignored"):
		return reply(200, status="duplicate")
	if not kept:
		error = "deadlocked with deliveries filed at the same moment"
		kept = keep(endpoint, body, request, status="Failed", key=key, error=error)
	return reply(500, error=_("The payload was kept but could not be filed"), payload=kept.name)


def file_delivery(endpoint: Endpoint, body: bytes, request, events: list, key: str | None) -> dict:
	if key and frappe.db.exists(
		"Intake Payload", {"dedupe_key": key, "status": ["in", ["Processed", "Ignored"]]}
	):
		return reply(200, status="duplicate")
	log = frappe.db.get_value("Intake Payload", {"dedupe_key": key}, "name") if key else None
	if log:
		# kept earlier and failed: file it again (locked: a repeat filing it at the same moment waits)
		log = frappe.get_doc("Intake Payload", log, for_update=True)
	else:
		try:
			log = keep(
				endpoint, body, request, key=key, external_id=events[0].external_id if events else None
			)
		except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
			return reply(200, status="duplicate")  # the same delivery, at the same moment
	if log.status in ("Processed", "Ignored"):
		return reply(200, status="duplicate")
	appeals = process(log, endpoint, events)
	if log.status == "Failed":
		return reply(500, error=_("The payload was kept but could not be filed"), payload=log.name)
	return reply(200, status=log.status.lower(), appeals=appeals, payload=log.name)


def keep(endpoint: Endpoint, body: bytes, request, status="Received", error=None, key=None, external_id=None):
	log = frappe.get_doc(
		{
			"doctype": "Intake Payload",
			"provider": endpoint.provider,
			"channel": endpoint.channel,
			"status": status,
			"dedupe_key": key,
			"external_id": external_id,
			"content_type": request.content_type,
			"payload": body.decode("utf-8", errors="replace"),
			"error": error,
		}
	)
	log.flags.ignore_links = True  # kept whatever else is wrong: nothing received is lost
	log.insert(ignore_permissions=True)
	return log


def process(log, endpoint: Endpoint, events: list) -> list[str]:
	"""File the events of a kept payload in a savepoint: a failure leaves the log, marked Failed."""
	log.attempts = (log.attempts or 0) + 1
	if not events:
		log.status = "Ignored"
		log.save(ignore_permissions=True)
		return []
	frappe.db.savepoint("asc_intake")
	try:
		appeals = [name for name in (endpoint.file(event) for event in events) if name]
	except frappe.QueryDeadlockError:
		raise  # the whole transaction is gone, the savepoint with it: the caller starts again
	except Exception:
		frappe.db.rollback(save_point="asc_intake")
		log.status = "Failed"
		log.error = frappe.get_traceback(with_context=False)
		log.save(ignore_permissions=True)
		return []
	log.status = "Processed"
	log.error = None
	log.appeal = appeals[0] if appeals else None
	log.save(ignore_permissions=True)
	return appeals


def replay(log_name: str) -> list[str]:
	"""File a kept payload again (after the cause of its failure was fixed)."""
	log = frappe.get_doc("Intake Payload", log_name)
	endpoint = next(e for e in ENDPOINTS.values() if e.provider == log.provider)
	events = endpoint.parse(endpoint.read(log.payload.encode("utf-8")))
	if not log.dedupe_key:
		log.dedupe_key = delivery_key(endpoint, events)
	return process(log, endpoint, events)


# The endpoints -------------------------------------------------------------------------------


@frappe.whitelist(allow_guest=True, methods=["POST"])
def call_event(**kwargs):
	"""The provider-neutral call event contract (see auto_service_crm.intake.generic_call)."""
	return receive("generic")


@frappe.whitelist(allow_guest=True, methods=["GET", "POST"])
def zadarma_event(**kwargs):
	if frappe.request.method == "GET":
		echo = zadarma.echo_reply(frappe.request.args.to_dict())
		return Response(echo or "", mimetype="text/plain", status=200 if echo else 400)
	return receive("zadarma")


@frappe.whitelist(allow_guest=True, methods=["POST"])
def mango_call(**kwargs):
	return receive("mango_call")


@frappe.whitelist(allow_guest=True, methods=["POST"])
def mango_summary(**kwargs):
	return receive("mango_summary")


@frappe.whitelist(allow_guest=True, methods=["POST"])
def website_form_submission(**kwargs):
	return receive("website_form")


@frappe.whitelist(allow_guest=True, methods=["POST"])
def mobile_app_request(**kwargs):
	return receive("mobile_app")


@frappe.whitelist(allow_guest=True, methods=["GET", "POST"])
def whatsapp_webhook(**kwargs):
	if frappe.request.method == "GET":
		try:
			challenge = whatsapp.verify_subscription(
				frappe.request.args.to_dict(), secret("whatsapp_verify_token")
			)
		except SignatureError as e:
			return Response(str(e), mimetype="text/plain", status=403)
		return Response(challenge, mimetype="text/plain")
	return receive("whatsapp")


@frappe.whitelist(allow_guest=True, methods=["POST"])
def telegram_update(**kwargs):
	return receive("telegram")


@frappe.whitelist(allow_guest=True, methods=["POST"])
def jivosite_event(**kwargs):
	return receive("jivosite")
