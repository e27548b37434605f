"""Calls out through the station's PBX: the requested call as an ERPNext Call Log, the request sent
to the PBX chosen in Auto Service Settings (*Calls Out Through*), and the PBX's call events tied
back to the request.

A requested call is an outgoing **Call Log** linked to its appeal (a ``links`` row, as incoming
calls are), named ``asc-call-<hash>`` («Call back») or ``asc-cb-<hash>-<nn>`` (the website
callback's attempts, in order), with ``from`` the line rung first and ``to`` the client. It is
created ``Queued``; ``medium`` (the PBX) and ``start_time`` (the moment) are set when the request
is sent, so a Queued log without a medium is one not sent yet. (The PBX's own id of the call cannot
be kept in ``id``: Frappe keeps a field-named DocType's field equal to its name.) The request returns at once: nothing is marked
answered until the PBX's call events say a line talked (``telephony/filing.py``). A request the PBX
refuses, does not answer within ``TIMEOUT_SECONDS``, or answers with something unreadable marks the
log *Failed* with the reason in its summary, leaves a comment on the appeal and raises CallNotPlaced.

No new DocType: the Call Log has every state a requested call goes through (Queued, Ringing, In
Progress, Completed, No Answer, Busy, Failed, Canceled), its times, its line and the user, and the
appeal's calls are in one list in the desk whichever way they went.

The PBX's events find their request (``requested_call``): Mango's carry the ``command_id`` sent
(the log's name), and a summary without it is found through the entry's earlier events/call kept as
Intake Payloads; the neutral contract's carry ``request_id`` as their ``call_id`` (the log is found
by name) or beside it. Zadarma's carry no id of the request: an outgoing call is the request's when
it goes to the same client (normalized number), from the same line when the event names one, while
the request is within its answer timeout; its later events go to the request already rung or
talking to that client from that line.
"""

from urllib.parse import parse_qsl

import requests

import frappe
from frappe import _
from frappe.utils import add_to_date, cint, now_datetime

from auto_service_crm.settings import get_settings, normalized_phone
from auto_service_crm.telephony import mango, zadarma
from auto_service_crm.telephony.calls_out import (
	DialRefused,
	OutboundRequest,
	digits,
	generic_request,
	read_generic_reply,
)

PREFIX = "asc-"
TIMEOUT_SECONDS = 15
MEDIUM = {"Generic": "generic", "Zadarma": "zadarma", "Mango Office": "mango"}


class CallNotPlaced(Exception):
	"""The PBX did not take the request; the message says why."""


def provider() -> str | None:
	"""The PBX calls go out through: the one chosen, else the neutral contract when a dial URL is set."""
	settings = get_settings()
	return settings.outgoing_telephony or ("Generic" if settings.dial_url else None)


def answer_timeout() -> int:
	return cint(get_settings().answer_timeout_seconds) or 60


def password(field: str) -> str | None:
	return get_settings().get_password(field, raise_exception=False)


def new_call(appeal, line: str, client: str, *, name: str, user=None, due=None, summary=None):
	"""A requested call of the appeal, Queued and not sent yet (due at ``due`` when given)."""
	log = frappe.get_doc(
		{
			"doctype": "Call Log",
			"id": name,
			"from": line,
			"to": client,
			"type": "Outgoing",
			"status": "Queued",
			"start_time": due,
			"employee_user_id": user,
			"summary": summary,
		}
	)
	log.append("links", {"link_doctype": "Appeal", "link_name": appeal.name})
	log.insert(ignore_permissions=True)
	return log


def build(name: str, log, appeal) -> OutboundRequest:
	"""The request of the chosen PBX for this Call Log: ring ``log.from``, then ``log.to``."""
	settings = get_settings()
	line, client = log.get("from"), log.get("to")
	if name == "Zadarma":
		return zadarma.callback_request(
			settings.zadarma_api_url or "https://api.zadarma.com",
			password("zadarma_api_key"),
			password("zadarma_secret"),
			line=line,
			client=client,
		)
	if name == "Mango Office":
		url = settings.mango_api_url or "https://app.mango-office.ru/vpbx"
		key, salt = password("mango_api_key"), password("mango_api_salt")
		if settings.group_number and line == settings.group_number:
			return mango.callback_group_request(
				url,
				key,
				salt,
				command_id=log.name,
				group=line,
				client=client,
				line=appeal.get("dialled_number"),
			)
		return mango.callback_request(url, key, salt, command_id=log.name, extension=line, client=client)
	if not settings.dial_url:
		raise DialRefused("the telephony's dial URL is not set")
	return generic_request(
		settings.dial_url,
		password("dial_token"),
		request_id=log.name,
		line=line,
		client=client,
		appeal=appeal.name,
		answer_timeout=answer_timeout(),
	)


def send(request: OutboundRequest) -> tuple[int, bytes]:
	"""Send one request; DialRefused when the PBX cannot be reached or does not answer in time."""
	try:
		response = requests.request(
			request.method,
			request.url,
			headers=request.headers,
			data=request.data,
			json=request.json,
			timeout=TIMEOUT_SECONDS,
			allow_redirects=False,
		)
	except requests.Timeout:
		raise DialRefused(f"the PBX did not answer within {TIMEOUT_SECONDS} s") from None
	except requests.RequestException as e:
		raise DialRefused(f"the PBX cannot be reached: {e.__class__.__name__}") from None
	return response.status_code, response.content


def read(name: str, status: int, body: bytes) -> str | None:
	"""The PBX's id of the call when its answer gives one; DialRefused when it refused."""
	if name == "Zadarma":
		zadarma.read_callback_reply(status, body)
		return None
	if name == "Mango Office":
		mango.read_command_reply(status, body)
		return None
	return read_generic_reply(status, body)


def place(log, appeal) -> None:
	"""Ask the PBX to place the requested call; CallNotPlaced (the log Failed, a comment on the
	appeal) when it does not take it."""
	name = provider()
	try:
		if not name:
			raise DialRefused("no telephony for calls out is chosen in Auto Service Settings")
		call_id = read(name, *send(build(name, log, appeal)))
	except DialRefused as e:
		fail(log, appeal, str(e))
		raise CallNotPlaced(str(e)) from None
	log.medium = MEDIUM[name]
	log.start_time = now_datetime()
	if call_id and call_id != log.name:
		log.summary = "\n".join(filter(None, [log.summary, f"PBX call id: {call_id}"]))
	log.save(ignore_permissions=True)


def fail(log, appeal, reason: str) -> None:
	log.status = "Failed"
	log.medium = log.medium or MEDIUM.get(provider() or "", None)
	log.start_time = log.start_time or now_datetime()
	log.end_time = now_datetime()
	log.summary = "\n".join(filter(None, [log.summary, reason]))
	log.save(ignore_permissions=True)
	appeal.add_comment(
		"Info",
		_("The telephony did not place the call from {0} to {1}: {2}").format(
			log.get("from"), log.get("to"), reason
		),
	)


def is_requested(name: str | None) -> bool:
	return bool(name) and name.startswith(PREFIX)


def requested_call(event) -> str | None:
	"""The requested call (its Call Log's name) this call event belongs to, or None."""
	if event.provider == "mango":
		command_id = mango.command_id_of(event.raw) or command_of_entry(event.external_id)
		if is_requested(command_id) and frappe.db.exists("Call Log", command_id):
			return command_id
		return None
	if event.provider == "generic":
		request_id = (event.raw or {}).get("request_id")
		if (
			isinstance(request_id, str)
			and is_requested(request_id)
			and frappe.db.exists("Call Log", request_id)
		):
			return request_id
	if event.direction != "outgoing":
		return None
	return by_number(event)


def command_of_entry(entry_id: str | None) -> str | None:
	"""The ``command_id`` an earlier events/call of the same Mango entry carried (events/summary
	may not carry it)."""
	if not entry_id:
		return None
	for body in frappe.get_all(
		"Intake Payload",
		filters={"provider": "mango:events/call", "external_id": str(entry_id)},
		pluck="payload",
		order_by="creation asc",
		limit=50,
	):
		try:
			form = dict(parse_qsl(body or ""))
			found = mango.command_id_of(frappe.parse_json(form.get("json") or "{}"))
		except Exception:
			continue
		if found:
			return found
	return None


def by_number(event) -> str | None:
	"""The request this outgoing call of the PBX is: the call already tied to it (rung or talking)
	to the same client from the same line, else a sent request to the client (from the event's
	line when it names one) within the answer timeout; the oldest first. For a PBX whose events
	carry no id of the request (Zadarma)."""
	client = normalized_phone(event.caller)
	if not client:
		return None
	now = now_datetime()
	candidates = frappe.get_all(
		"Call Log",
		filters={
			"name": ["like", f"{PREFIX}%"],
			"type": "Outgoing",
			"status": ["in", ["Queued", "Ringing", "In Progress"]],
			"medium": event.provider,
			"start_time": [">=", add_to_date(now, hours=-2)],
		},
		fields=["name", "status", "from", "to", "start_time"],
		order_by="start_time asc",
	)
	same_client = [c for c in candidates if normalized_phone(c.to) == client]
	line = digits(event.agent or "")
	# the same line, or the group line a member answered

	def same_line(c):
		return not line or digits(c.get("from") or "") == line

	ongoing = [c for c in same_client if c.status != "Queued"]
	if ongoing:  # a group's line is answered by one of its members: any line will do then
		return next((c.name for c in ongoing if same_line(c)), ongoing[0].name)
	since = add_to_date(now, seconds=-answer_timeout())
	sent = [c for c in same_client if c.status == "Queued" and c.start_time >= since]
	return next((c.name for c in sent if same_line(c)), None) or (sent[0].name if sent else None)


def call_of_recording(event) -> str | None:
	"""The requested call a recording event is of: Mango's entry through its command, Zadarma's
	call through the appeal its earlier notifications were filed to (its latest call out)."""
	if event.provider == "mango":
		command_id = command_of_entry(event.external_id)
		return command_id if is_requested(command_id) and frappe.db.exists("Call Log", command_id) else None
	appeal = frappe.db.get_value(
		"Intake Payload",
		{"provider": event.provider, "external_id": str(event.external_id), "appeal": ["is", "set"]},
		"appeal",
	)
	if not appeal:
		return None
	names = frappe.get_all(
		"Dynamic Link",
		filters={"parenttype": "Call Log", "link_name": appeal, "parent": ["like", f"{PREFIX}%"]},
		pluck="parent",
	)
	found = frappe.get_all(
		"Call Log",
		filters={"name": ["in", names or [""]], "medium": event.provider, "status": ["!=", "Queued"]},
		pluck="name",
		order_by="start_time desc",
		limit=1,
	)
	return found[0] if found else None


def appeal_of(call_log: str) -> str | None:
	return frappe.db.get_value(
		"Dynamic Link",
		{"parenttype": "Call Log", "parent": call_log, "link_doctype": "Appeal"},
		"link_name",
	)
