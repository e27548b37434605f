"""Webhook endpoints of every channel: /api/method/auto_service_crm.api.<endpoint>.

Each endpoint authenticates the request (a per-channel token, or the provider's own signature),
keeps the payload as received in an Intake Payload (so one that failed to be filed can be
replayed), files each event at most once (only a repeat of the same delivery gets 200 and
"duplicate": every leg and every event of a call is its own delivery), and answers with a clear
status: 400 for a malformed or unknown payload, 403 for a bad signature or token, 413 for an
oversized body. A filing that fails is kept Failed, for replay once its cause is fixed: a failure
that would come back on every retry (the same payload, the same error) answers 200 with "failed",
so that the provider does not retry it forever, and is shown to the managers (Error Log and a desk
notification); a transient one (a deadlock, the database away) answers 500 so that the provider
delivers it again.

Frappe itself parses a body sent as ``application/json`` before the app runs: a body that is not
JSON under that content type is refused by Frappe (HTTP 500, JSONDecodeError) and not kept.
"""

import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import pymysql
from redis.exceptions import ConnectionError as RedisConnectionError
from werkzeug.wrappers import Response

import frappe
from frappe import _

from auto_service_crm import intake_filing, intake_queue, routing
from auto_service_crm.intake import mobile_app, website_form
from auto_service_crm.intake.errors import (
	MAX_PAYLOAD_BYTES,
	PayloadError,
	SignatureError,
	load_form,
	load_json,
)
from auto_service_crm.messengers import jivosite, telegram, whatsapp
from auto_service_crm.messengers.filing import file_chat
from auto_service_crm.settings import get_settings, site_language
from auto_service_crm.telephony import generic_call, mango, zadarma
from auto_service_crm.telephony.callback import file_command_result
from auto_service_crm.telephony.filing import file_call

DEADLOCK_ATTEMPTS = 5


@dataclass(frozen=True)
class Endpoint:
	provider: str
	channel: str
	authenticate: Callable  # (body, form, request) -> None, raises SignatureError
	read: Callable  # (body) -> dict
	parse: Callable  # (data) -> list of events
	file: Callable  # (event) -> appeal name | None
	# filed by a background job after the answer (calls and chats: the provider needs only the 200);
	# a website form and the mobile app are answered with the appeal they made
	queued: bool = False


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
		expected_api_key=secret("mango_api_key"),
	)


HISTORY_LIMIT = 200  # events of one call kept before this one that a parser reads


def kept_before(provider: str, external_id) -> list[str]:
	"""The bodies of the deliveries of one call (or entry) kept before this one, in the order
	received (a payload filed later, by a job or a replay, reads only what came before it)."""
	if external_id in (None, ""):
		return []
	filters = {"provider": provider, "external_id": str(external_id)}
	if frappe.flags.asc_kept_before:
		filters["creation"] = ["<", frappe.flags.asc_kept_before]
	return frappe.get_all(
		"Intake Payload",
		filters=filters,
		pluck="payload",
		order_by="creation asc",
		limit=HISTORY_LIMIT,
	)


def readable(read: Callable, bodies: list[str]) -> list[dict]:
	out = []
	for body in bodies:
		try:
			out.append(read((body or "").encode("utf-8")))
		except PayloadError:
			continue
	return out


def mango_json(form: dict) -> dict:
	try:
		return load_json((form.get("json") or "").encode("utf-8"))
	except PayloadError:
		return {}


def mango_history(data: dict) -> list[dict]:
	"""The entry's events/call kept so far (each leg, each sequence number), decoded: they tell an
	event the state of the whole call and a summary where the client was last."""
	entry = mango_json(data).get("entry_id")
	return [mango_json(form) for form in readable(load_form, kept_before("mango:events/call", entry))]


def zadarma_history(data: dict) -> list[dict]:
	"""The call's notifications kept so far: they tell NOTIFY_END whether the call rang an extension."""
	return readable(load_form, kept_before("zadarma", (data or {}).get("pbx_call_id")))


ENDPOINTS = {
	"generic": Endpoint(
		"generic",
		"Incoming Call",
		token_check("telephony_token", "telephony token"),
		load_json,
		lambda data: [generic_call.parse(data)],
		file_call,
		queued=True,
	),
	"zadarma": Endpoint(
		"zadarma",
		"Incoming Call",
		lambda body, data, request: zadarma.verify_signature(
			data, request.headers.get("Signature"), secret("zadarma_secret")
		),
		load_form,
		lambda data: (
			as_list(zadarma.parse(data, history=zadarma_history(data))) or as_list(zadarma.parse_record(data))
		),
		file_call,
		queued=True,
	),
	"mango_call": Endpoint(
		"mango:events/call",
		"Incoming Call",
		mango_check,
		load_form,
		lambda data: as_list(mango.parse(data.get("json") or "", "events/call", history=mango_history(data))),
		file_call,
		queued=True,
	),
	"mango_summary": Endpoint(
		"mango:events/summary",
		"Incoming Call",
		mango_check,
		load_form,
		lambda data: as_list(
			mango.parse(data.get("json") or "", "events/summary", history=mango_history(data))
		),
		file_call,
		queued=True,
	),
	# events/recording: the recording of a call, kept on its Call Log
	"mango_recording": Endpoint(
		"mango:events/recording",
		"Incoming Call",
		mango_check,
		load_form,
		lambda data: as_list(mango.parse_recording(data.get("json") or "")),
		file_call,
		queued=True,
	),
	# result/callback, result/callback_group: the result of a call the app asked for
	"mango_result": Endpoint(
		"mango:result",
		"Incoming Call",
		mango_check,
		load_form,
		lambda data: as_list(mango.read_command_result(data.get("json") or "")),
		file_command_result,
		queued=True,
	),
	# Mango's other events (events/dtmf, events/sms, ping ...): kept, not filed
	"mango_other": Endpoint("mango:other", "Incoming Call", mango_check, load_form, lambda data: [], None),
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
		file_chat,
		queued=True,
	),
	"telegram": Endpoint(
		"telegram",
		"Chat",
		lambda body, data, request: telegram.verify_secret_token(
			request.headers.get("X-Telegram-Bot-Api-Secret-Token"), secret("telegram_secret_token")
		),
		load_json,
		lambda data: as_list(telegram.parse(data)),
		file_chat,
		queued=True,
	),
	"jivosite": Endpoint(
		"jivosite",
		"Chat",
		lambda body, data, request: jivosite.verify_token(token_of(request), secret("jivosite_token")),
		load_json,
		jivosite.parse,
		file_chat,
		queued=True,
	),
}


def reply(code: int, **body) -> dict:
	frappe.local.response.http_status_code = code
	return body


KEY_LENGTH = 140  # Intake Payload.dedupe_key


def delivery_key(endpoint: Endpoint, events: list) -> str | None:
	"""The provider's ids of what this delivery carries; None when it carries nothing to file.

	A call event is told apart from the call's other events by its ``event_id`` (a leg and its
	sequence number) where the parser gives one, else by its kind. A key too long for the field
	is replaced by a digest of it, never cut: two events must not share a cut key.
	"""
	ids = sorted(
		f"{e.external_id}:{e.event_id}"
		if getattr(e, "event_id", None)
		else f"{getattr(e, 'event', '')}:{e.external_id}"
		for e in events
		if getattr(e, "external_id", None)
	)
	if not ids:
		return None
	key = f"{endpoint.provider}:{'|'.join(ids)}"
	if len(key) <= KEY_LENGTH:
		return key
	return f"{endpoint.provider}:#{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()}"


KEPT_DATA_LENGTH = 140  # a Data column of the Intake Payload


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
	thread = intake_queue.thread_of(endpoint, events)
	queued = endpoint.queued and events
	if queued:
		intake_queue.keeping(thread)
	kept = key and frappe.db.get_value(
		"Intake Payload", {"dedupe_key": key}, ["name", "status"], as_dict=True
	)
	if kept and kept.status in ("Processed", "Ignored"):
		return reply(200, status="duplicate")
	log = kept.name if kept else None
	if log:
		# kept earlier and failed (or waiting for its job): file it again (locked: a repeat filing it
		# at the same moment waits)
		log = frappe.get_doc("Intake Payload", log, for_update=True)
		kept_now = False
	else:
		try:
			log = keep(
				endpoint,
				body,
				request,
				key=key,
				external_id=events[0].external_id if events else None,
				thread=thread,
			)
		except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
			return reply(200, status="duplicate")  # the same delivery, at the same moment
		kept_now = True
	if log.status in ("Processed", "Ignored"):
		return reply(200, status="duplicate")
	if queued and not files_inline():
		if log.status == "Received" and not kept_now:
			# kept already and waiting for its job: the same delivery again (its job is asked again)
			frappe.db.commit()
			intake_queue.ask_for_filing(log.thread)
			return reply(200, status="duplicate", payload=log.name)
		return queue_delivery(log)
	appeals = process(log, endpoint, events)
	if log.status == "Processed":
		if not files_inline():
			frappe.db.commit()  # kept in this request: safe before it is routed
		routing.route_filed(appeals, commit=not files_inline())
	if log.status == "Failed" and log.flags.transient:
		return reply(500, error=_("The payload was kept but could not be filed"), payload=log.name)
	if log.status == "Failed":
		# the same payload would fail the same way on every retry: kept for replay, not retried
		return reply(
			200, status="failed", error=_("The payload was kept but could not be filed"), payload=log.name
		)
	return reply(200, status=log.status.lower(), appeals=appeals, payload=log.name)


def files_inline() -> bool:
	"""A delivery filed in the request's own transaction, uncommitted: under tests, and for the
	benchmarks that file in their own process and roll back (``frappe.flags.asc_file_inline``)."""
	return bool(frappe.flags.in_test or frappe.flags.asc_file_inline)


def queue_delivery(log) -> dict:
	"""The payload is safe once committed: a job files it (``intake_queue``). When the queue's Redis
	cannot take the job, the delivery is filed here and now, and the answer says how it went."""
	if log.status != "Received":
		log.db_set("status", "Received", update_modified=False)  # a failed one delivered again
	frappe.db.commit()
	if intake_queue.ask_for_filing(log.thread):
		return reply(200, status="received", payload=log.name)
	intake_queue.file_one_thread(log.thread, wait=intake_queue.THREAD_LOCK_SECONDS)  # no lingering here
	log.reload()
	if log.status in ("Failed", "Received"):
		return reply(500, error=_("The payload was kept but could not be filed"), payload=log.name)
	return reply(200, status=log.status.lower(), appeals=[log.appeal] if log.appeal else [], payload=log.name)


def keep(
	endpoint: Endpoint,
	body: bytes,
	request,
	status="Received",
	error=None,
	key=None,
	external_id=None,
	thread=None,
):
	"""The delivery kept as an Intake Payload, written as a row (``db_insert``), as Frappe writes
	its Access Log: the payload has no rule of its own but that nothing received is lost, and the
	document's lifecycle (defaults, validation, the platform's hooks on every save) was half of
	the webhook's time. Its links are not checked, so a payload is kept whatever else is wrong;
	what no column can hold (an id or a content type over 140 characters) is cut to fit."""
	log = frappe.get_doc(
		{
			"doctype": "Intake Payload",
			"provider": endpoint.provider,
			"channel": endpoint.channel,
			"status": status,
			"received_on": frappe.utils.now_datetime(),
			"dedupe_key": key,
			"external_id": (external_id or "")[:KEPT_DATA_LENGTH] or None,
			"thread": thread,
			"content_type": (request.content_type or "")[:KEPT_DATA_LENGTH] or None,
			"payload": body.decode("utf-8", errors="replace"),
			"error": error,
		}
	)
	log.db_insert()
	return log


def process(log, endpoint: Endpoint, events: list) -> list[str]:
	"""File the events of a kept payload in a savepoint: a failure leaves the log, marked Failed."""
	log.attempts = (log.attempts or 0) + 1
	if not events:
		log.status = "Ignored"
		write_kept(log)
		return []
	frappe.db.savepoint("asc_intake")
	try:
		with routing.deferred():
			appeals = [name for name in (endpoint.file(event) for event in events) if name]
	except frappe.QueryDeadlockError:
		raise  # the whole transaction is gone, the savepoint with it: the caller starts again
	except Exception as e:
		frappe.db.rollback(save_point="asc_intake")
		log.status = "Failed"
		log.error = frappe.get_traceback(with_context=False)
		log.flags.transient = is_transient(e)
		write_kept(log)
		if not log.flags.transient:
			report_failure(log)
		return []
	log.status = "Processed"
	log.error = None
	log.appeal = appeals[0] if appeals else None
	write_kept(log)
	return appeals


def write_kept(log) -> None:
	"""A kept payload's outcome written to its row, as it was kept (``keep``): its status is kept
	whatever else is wrong (a renamed channel), and the filing job pays no document lifecycle."""
	log.modified = frappe.utils.now()
	log.modified_by = frappe.session.user
	log.db_update()


# MySQL client errors of a server that is away or restarting (CR_CONN_HOST_ERROR,
# CR_SERVER_GONE_ERROR, CR_SERVER_LOST) and of a server in read-only mode: the next try may pass.
SERVER_AWAY = (2003, 2006, 2013)


def is_transient(error: Exception) -> bool:
	"""Whether a filing error may pass on the next delivery: a deadlock, a lock wait or statement
	timeout, the database or the queue's Redis away; every other error comes back each time."""
	if isinstance(error, frappe.QueryDeadlockError | frappe.QueryTimeoutError | RedisConnectionError):
		return True
	if isinstance(error, pymysql.InterfaceError):
		return True
	if isinstance(error, pymysql.Error) and error.args:
		db = frappe.db
		return (
			error.args[0] in SERVER_AWAY
			or db.is_deadlocked(error)
			or db.is_timedout(error)
			or db.is_statement_timeout(error)
			or db.is_read_only_mode_error(error)
		)
	return False


def report_failure(log) -> None:
	"""A payload that cannot be filed as it is: in the Error Log, and a desk notification to the
	managers, who fix the cause and replay it from its form."""
	title = _("Intake payload {0} could not be filed", lang=site_language()).format(log.name)
	frappe.log_error(
		title=title, message=log.error, reference_doctype="Intake Payload", reference_name=log.name
	)
	from auto_service_crm.operator_tasks import managers

	for user in managers():
		notification = frappe.new_doc("Notification Log")
		notification.update(
			{
				"for_user": user,
				"type": "Alert",
				"document_type": "Intake Payload",
				"document_name": log.name,
				"subject": title,
				"email_content": (log.error or "").splitlines()[-1:][0] if log.error else "",
			}
		)
		notification.insert(ignore_permissions=True)


def endpoint_of(provider: str) -> Endpoint:
	return next(e for e in ENDPOINTS.values() if e.provider == provider)


def parse_kept(endpoint: Endpoint, log) -> list:
	"""The events of a kept payload, read as they were when it arrived: its parser sees only the
	deliveries of the call kept before it."""
	frappe.flags.asc_kept_before = log.creation
	try:
		return endpoint.parse(endpoint.read((log.payload or "").encode("utf-8")))
	finally:
		frappe.flags.asc_kept_before = None


def replay(log_name: str) -> list[str]:
	"""File a kept payload again (after the cause of its failure was fixed)."""
	log = frappe.get_doc("Intake Payload", log_name)
	endpoint = endpoint_of(log.provider)
	events = parse_kept(endpoint, log)
	if not log.dedupe_key:
		log.dedupe_key = delivery_key(endpoint, events)
	if not log.thread:
		log.thread = intake_queue.thread_of(endpoint, events)
	appeals = process(log, endpoint, events)
	if log.status == "Processed":
		routing.route_filed(appeals)
	return appeals


# The endpoints -------------------------------------------------------------------------------


@frappe.whitelist(allow_guest=True, methods=["POST"])
def call_event(**kwargs):
	"""The provider-neutral call event contract (see auto_service_crm.telephony.generic_call)."""
	return receive("generic")


@frappe.whitelist(allow_guest=True, methods=["GET", "POST"])
def zadarma_event(**kwargs):
	if frappe.request.method == "GET":
		echo = zadarma.echo_reply(frappe.request.args.to_dict())
		return Response(echo or "", mimetype="text/plain", status=200 if echo else 400)
	return receive("zadarma")


def mango_endpoint(default: str) -> str:
	"""Mango posts every event to the one address set in the account, with the event's path after it
	(``…/auto_service_crm.api.mango_event/events/call``, ``…/events/summary``): the path decides."""
	tail = frappe.request.path.partition("auto_service_crm.api.")[2].partition("/")[2]
	if not tail:
		return default
	clean = tail.split("?")[0].strip().rstrip("/")
	if clean.endswith("events/recording"):
		return "mango_recording"
	if clean.endswith(("result/callback", "result/callback_group")):
		return "mango_result"
	try:
		kind = mango.event_kind(tail)
	except PayloadError:
		return "mango_other"
	return "mango_call" if kind == "call" else "mango_summary"


@frappe.whitelist(allow_guest=True, methods=["POST"])
def mango_event(**kwargs):
	"""Every Mango Office event: set this address in the VPBX's API settings; Mango adds the path."""
	return receive(mango_endpoint("mango_other"))


@frappe.whitelist(allow_guest=True, methods=["POST"])
def mango_call(**kwargs):
	return receive(mango_endpoint("mango_call"))


@frappe.whitelist(allow_guest=True, methods=["POST"])
def mango_summary(**kwargs):
	return receive(mango_endpoint("mango_summary"))


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
