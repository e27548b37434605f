"""Zadarma PBX notifications (webhooks): form fields in, CallEvent out; and their signature.

Sources (as published):
- https://zadarma.com/en/support/api/#api_webhooks (notification list and fields; the PHP example
  of the signature of NOTIFY_START);
- https://github.com/zadarma/user-api-v1: lib/Webhook/Notify*.php (fields and signature string of
  every event) and lib/Client.php ``encodeSignature`` (the signature algorithm).

Zadarma POSTs ``application/x-www-form-urlencoded`` fields to the notification URL, one request per
event, with a ``Signature`` header when the account has API keys. Before it saves the URL, Zadarma
checks it with ``GET ?zd_echo=<text>`` and expects ``<text>`` back: see ``echo_reply``.

Signature: ``base64(hex(HMAC-SHA1(secret, S)))``: PHP's ``hash_hmac`` returns the lowercase HEX
digest and that hex text is base64-encoded (not the raw 20 bytes). Zadarma's own TypeScript SDK
(github zadarma/user-api-typescript, ``src/Webhook.ts``) checks ``base64`` of the raw digest
instead: both are derived from the secret, and both are accepted, so that a call is not refused
for the form of its signature. ``S`` concatenates, by event:

==========================================  ==========================================
NOTIFY_START, NOTIFY_INTERNAL, NOTIFY_END,  caller_id + called_did + call_start
NOTIFY_IVR
NOTIFY_ANSWER                               caller_id + destination + call_start
NOTIFY_OUT_START, NOTIFY_OUT_END            internal + destination + call_start
NOTIFY_RECORD                               pbx_call_id + call_id_with_rec
==========================================  ==========================================

Mapping to CallEvent (``external_id`` = ``pbx_call_id``, the same in every notification of a call):

- NOTIFY_START (call entered the PBX) -> "ringing", incoming; caller = ``caller_id``, called =
  ``called_did`` (the station's number the client dialled).
- NOTIFY_INTERNAL (the call rings extension ``internal``) -> "ringing" with agent = ``internal``;
  one call can give several of these.
- NOTIFY_ANSWER -> "answered"; agent = ``internal`` (or ``destination``, the number that answered).
- NOTIFY_END -> "ended" when ``disposition`` is "answered" (talk_seconds = ``duration``), else
  "missed" with wait_seconds = ``duration`` (when > 0) and loss_reason:
  "Ringing Manager" when the call had reached an extension (``internal`` or ``last_internal``
  given) and ended "no answer"/"cancel"/"busy"; "IVR" for "cancel"/"no answer" before any
  extension (the client hung up in the voice menu or greeting); "Other" for every other
  disposition ("failed", "no money", "unallocated number", "line limit", ...).
- NOTIFY_OUT_START -> "ringing", outgoing; NOTIFY_OUT_END -> "ended" / "missed" (no loss_reason for
  outgoing calls); caller = ``destination`` (the client), called = ``caller_id`` when Zadarma sends
  it (the line used), agent = ``internal``.
- NOTIFY_RECORD, NOTIFY_IVR, NOTIFY_SMS and anything else -> None. Zadarma gives no recording URL in
  any notification, only ``call_id_with_rec`` (in NOTIFY_END / NOTIFY_OUT_END when
  ``is_recorded`` = 1, and in NOTIFY_RECORD); the link has to be requested with the API method
  ``/v1/pbx/record/request/``: see ``recording_id``.

Times: ``started_at`` is ``call_start``, the start of the call, in every event; Zadarma sends no
time of the event itself, so ``occurred_at`` is ``call_start`` too, except for NOTIFY_END and
NOTIFY_OUT_END, whose moment is ``call_start`` + ``duration``. ``call_start`` is "YYYY-MM-DD
HH:MM:SS" in the account's time zone, without a zone, so these are NAIVE datetimes (local time of
the Zadarma account).

Events of one call: several NOTIFY_INTERNAL follow NOTIFY_START (each extension the call rings),
all with the same ``pbx_call_id``: ``event_id`` is the notification's name and a digest of all its
fields, so every distinct notification is filed and only an identical repeat is a duplicate.
NOTIFY_END of an unanswered call often names no extension: ``history`` (the call's earlier
notifications) tells whether it rang one, which makes its loss reason "Ringing Manager".

Calls out (``callback_request``): the API method ``GET /v1/request/callback/`` with ``from`` (the
line rung FIRST: a SIP number, a PBX extension or a phone number), ``to`` (the client's number,
digits only, as Zadarma's PHP library sends it: ``filterNumber``) and ``format=json``, which the
libraries add to every call and sign with the rest (lib/Client.php ``call``; user-api-py-v1
zadarma/api.py). Authorization, as published (https://zadarma.com/en/support/api/#intro, PHP
``_getAuthHeader``, Python ``__get_auth_string_for_header``): the parameters sorted by name, made
a query string as PHP's ``http_build_query(..., PHP_QUERY_RFC1738)`` makes it (spaces as «+»),
``S = method + query + md5(query)`` with ``method`` the path after the domain (``/v1/request/
callback/``), and the header ``Authorization: <key>:<base64(hex(HMAC-SHA1(secret, S)))>`` (the
HEX digest base64-encoded, as ``hash_hmac`` returns it in PHP). The answer: ``{"status":
"success", "from": ..., "to": ..., "time": ...}``; ``{"status": "error", "message": ...}`` or an
HTTP status of 400 and above is a refusal (lib/Api.php ``request``). The outcome of the call comes
back as NOTIFY_OUT_START / NOTIFY_OUT_END, which carry no id of the request: the app ties them to
the request by the client's number and the extension (``internal``) within the answer timeout.

Recordings (``record_request``): ``GET /v1/pbx/record/request/?call_id=<call_id_with_rec>``
(``lifetime`` in seconds, 180 to 5184000, 1800 by default), signed the same way, answers
``{"status": "success", "link": ..., "lifetime_till": ...}`` (lib/Api.php ``getPbxRecord``,
lib/Response/PbxRecordRequest.php). NOTIFY_RECORD (``parse_record``) gives the id of a call's
recording once it is saved; NOTIFY_END / NOTIFY_OUT_END give it as ``call_id_with_rec`` when
``is_recorded`` is 1.

Not confirmed from the published material, chosen as described: whether Zadarma sends any
notification when the FIRST line of a callback does not answer (none is documented: the answer
timeout closes such a request); whether ``internal`` of NOTIFY_OUT_START is the ``from`` of the
callback when ``from`` is an extension (used when it is, the client's number alone otherwise);
 the exact meaning of ``duration``
for unanswered calls (taken as the time the client spent on the line); ``last_internal`` (newer
notifications are said to carry it; used when present); ``caller_id`` in outgoing notifications.
"""

import base64
import hashlib
import hmac
from datetime import datetime, timedelta
from urllib.parse import urlencode

from auto_service_crm.intake._common import form_value, integer, short, text
from auto_service_crm.intake.errors import PayloadError, SignatureError
from auto_service_crm.intake.events import CallEvent
from auto_service_crm.telephony.calls_out import (
	DialRefused,
	OutboundRequest,
	RecordingEvent,
	digits,
	read_reply,
	recording_reference,
)

SIGNED_FIELDS = {
	"NOTIFY_START": ("caller_id", "called_did", "call_start"),
	"NOTIFY_INTERNAL": ("caller_id", "called_did", "call_start"),
	"NOTIFY_END": ("caller_id", "called_did", "call_start"),
	"NOTIFY_IVR": ("caller_id", "called_did", "call_start"),
	"NOTIFY_ANSWER": ("caller_id", "destination", "call_start"),
	"NOTIFY_OUT_START": ("internal", "destination", "call_start"),
	"NOTIFY_OUT_END": ("internal", "destination", "call_start"),
	"NOTIFY_RECORD": ("pbx_call_id", "call_id_with_rec"),
}
INCOMING = ("NOTIFY_START", "NOTIFY_INTERNAL", "NOTIFY_ANSWER", "NOTIFY_END")
OUTGOING = ("NOTIFY_OUT_START", "NOTIFY_OUT_END")
# Dispositions of a call the client or the station gave up on; everything else is "Other".
GIVEN_UP = ("no answer", "cancel", "busy")


def signature_string(fields: dict) -> str:
	"""The text Zadarma signs for this notification, or SignatureError for an unknown event."""
	fields = _fields(fields)
	event = fields.get("event")
	if event not in SIGNED_FIELDS:
		raise SignatureError(f"cannot verify the signature of event {short(event)}")
	return "".join(fields.get(name) or "" for name in SIGNED_FIELDS[event])


def sign(fields: dict, secret: str) -> str:
	"""The ``Signature`` header Zadarma sends with these fields (for tests and for replies)."""
	message = signature_string(fields).encode("utf-8", "surrogatepass")
	digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha1).hexdigest()
	return base64.b64encode(digest.encode("ascii")).decode("ascii")


def verify_signature(fields: dict, signature: str | None, secret: str) -> None:
	"""Raise SignatureError unless ``signature`` (the ``Signature`` header) signs ``fields``.

	Accepted: base64 of the hex digest (Zadarma's documentation and PHP library) or of the raw
	digest (Zadarma's TypeScript library).
	"""
	if not secret:
		raise SignatureError("Zadarma API secret is not configured")
	if not signature:
		raise SignatureError("missing Signature header")
	if not isinstance(signature, str):
		raise SignatureError("Signature header must be a string")
	message = signature_string(fields).encode("utf-8", "surrogatepass")
	digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha1)
	given = signature.strip().encode("utf-8", "surrogatepass")
	matches = [
		hmac.compare_digest(given, base64.b64encode(form))
		for form in (digest.hexdigest().encode("ascii"), digest.digest())
	]
	if not any(matches):
		raise SignatureError("wrong Signature")


def echo_reply(params: dict) -> str | None:
	"""The text to answer Zadarma's URL check (``GET ?zd_echo=...``) with; None if it is not one."""
	value = form_value((params or {}).get("zd_echo"))
	return value if isinstance(value, str) else None


def recording_id(fields: dict) -> str | None:
	"""``call_id_with_rec`` of the notification: the id to request the recording link with."""
	return text(_fields(fields).get("call_id_with_rec"), "call_id_with_rec", limit=256)


def parse(fields: dict, history: list[dict] = ()) -> CallEvent | None:
	"""The CallEvent of one Zadarma notification, None for events that are not call states.

	``fields`` is the posted form as a dict; values may be strings or lists of strings (parse_qs).
	``history``: the notifications of the same call received before, as such dicts.
	"""
	fields = _fields(fields)
	event = fields.get("event")
	if event is None:
		raise PayloadError("missing field 'event'")
	if event not in INCOMING + OUTGOING:
		return None
	call_id = text(fields.get("pbx_call_id"), "pbx_call_id", limit=128)
	if call_id is None:
		raise PayloadError("missing field 'pbx_call_id'")
	if fields.get("call_start") is None:
		raise PayloadError("missing field 'call_start'")
	started = _call_start(fields.get("call_start"))
	common = {
		"provider": "zadarma",
		"external_id": call_id,
		"event_id": f"{event}:{event_digest(fields)}",
		"occurred_at": started,
		"started_at": started,
		"raw": dict(fields),
	}
	internal = _str(fields, "internal")
	if event in OUTGOING:
		common |= {
			"direction": "outgoing",
			"caller": _required(fields, "destination"),
			"called": _str(fields, "caller_id"),
			"agent": internal,
		}
		if event == "NOTIFY_OUT_START":
			return CallEvent(event="ringing", **common)
		return _end(fields, common, outgoing=True)
	common |= {"direction": "incoming", "caller": _str(fields, "caller_id")}
	if event == "NOTIFY_START":
		return CallEvent(event="ringing", called=_str(fields, "called_did"), **common)
	if event == "NOTIFY_INTERNAL":
		return CallEvent(event="ringing", called=_str(fields, "called_did"), agent=internal, **common)
	if event == "NOTIFY_ANSWER":
		return CallEvent(event="answered", agent=internal or _str(fields, "destination"), **common)
	common |= {"called": _str(fields, "called_did"), "agent": _str(fields, "last_internal") or internal}
	rang = any(_fields(earlier).get("event") == "NOTIFY_INTERNAL" for earlier in history)
	return _end(fields, common, outgoing=False, rang_extension=rang)


def event_digest(fields: dict) -> str:
	"""A short digest of every field of a notification: equal only for a repeat of the same one."""
	canonical = "&".join(f"{key}={fields[key] or ''}" for key in sorted(fields))
	return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _end(fields: dict, common: dict, *, outgoing: bool, rang_extension: bool = False) -> CallEvent:
	disposition = _required(fields, "disposition").lower()
	duration = integer(fields.get("duration"), "duration")
	if duration:
		common = common | {"occurred_at": common["started_at"] + timedelta(seconds=duration)}
	if disposition == "answered":
		return CallEvent(event="ended", talk_seconds=duration, **common)
	if outgoing:
		return CallEvent(event="missed", wait_seconds=duration or None, **common)
	if disposition not in GIVEN_UP:
		loss = "Other"
	elif common.get("agent") or rang_extension:
		loss = "Ringing Manager"
	else:
		loss = "IVR"
	# The extension that rang did not answer: no agent took the call.
	common = common | {"agent": None}
	return CallEvent(event="missed", wait_seconds=duration or None, loss_reason=loss, **common)


def _fields(fields) -> dict:
	if not isinstance(fields, dict):
		raise PayloadError(f"Zadarma notification must be a form (dict), got {type(fields).__name__}")
	out = {}
	for key, value in fields.items():
		value = form_value(value)
		if not isinstance(key, str):
			raise PayloadError(f"field names must be strings, got {short(key)}")
		if isinstance(value, int) and not isinstance(value, bool):
			value = text(value, key)
		if value is not None and not isinstance(value, str):
			raise PayloadError(f"field '{key}' must be a string")
		out[key] = value
	return out


def _str(fields: dict, key: str) -> str | None:
	"""A number, line or extension as sent: more than 128 characters is none (and would not fit
	the Call Log's and the appeal's fields)."""
	return text(fields.get(key), key, limit=128)


def _required(fields: dict, key: str) -> str:
	value = _str(fields, key)
	if value is None:
		raise PayloadError(f"missing field '{key}'")
	return value


def _call_start(value) -> datetime:
	raw = text(value, "call_start", limit=64)
	if raw is None:
		raise PayloadError("field 'call_start' is empty")
	for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
		try:
			return datetime.strptime(raw, pattern)
		except ValueError:
			pass
	raise PayloadError(f"field 'call_start' is not 'YYYY-MM-DD HH:MM:SS': {short(raw)}")


# Calls out and recordings: Zadarma's API ------------------------------------------------------

CALLBACK_METHOD = "/v1/request/callback/"
RECORD_METHOD = "/v1/pbx/record/request/"


def api_query(params: dict) -> str:
	"""The query string Zadarma signs: the parameters sorted by name, encoded as PHP's
	``http_build_query(..., PHP_QUERY_RFC1738)`` encodes them (spaces as «+»)."""
	return urlencode(sorted((str(k), str(v)) for k, v in params.items() if v is not None))


def api_signature(method: str, params: dict, secret: str) -> str:
	"""base64 of the hex HMAC-SHA1, with the API secret, of method + query + md5(query)."""
	query = api_query(params)
	message = method + query + hashlib.md5(query.encode("utf-8")).hexdigest()
	digest = hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha1).hexdigest()
	return base64.b64encode(digest.encode("ascii")).decode("ascii")


def api_request(base_url: str, method: str, params: dict, key: str, secret: str) -> OutboundRequest:
	"""A signed GET of Zadarma's API: ``format=json`` is added and signed with the parameters."""
	if not key or not secret:
		raise DialRefused("the Zadarma API key and secret are not set")
	params = {**{k: v for k, v in params.items() if v is not None}, "format": "json"}
	url = f"{(base_url or '').rstrip('/')}{method}?{api_query(params)}"
	return OutboundRequest(
		"GET", url, headers={"Authorization": f"{key}:{api_signature(method, params, secret)}"}
	)


def callback_request(base_url: str, key: str, secret: str, *, line: str, client: str) -> OutboundRequest:
	"""Zadarma rings ``line`` (extension, SIP or phone), then connects ``client``."""
	return api_request(base_url, CALLBACK_METHOD, {"from": digits(line), "to": digits(client)}, key, secret)


def read_callback_reply(status: int, body: bytes) -> None:
	"""None when Zadarma accepted the callback; DialRefused with its message otherwise."""
	_success(status, body)


def record_request(base_url: str, key: str, secret: str, *, call_id: str, lifetime: int) -> OutboundRequest:
	"""The request for the link to the recording ``call_id`` (``call_id_with_rec``)."""
	lifetime = min(max(int(lifetime), 180), 5_184_000)
	return api_request(base_url, RECORD_METHOD, {"call_id": call_id, "lifetime": lifetime}, key, secret)


def read_record_reply(status: int, body: bytes) -> str:
	"""The playable link Zadarma answered with; DialRefused when there is none."""
	reply = _success(status, body)
	link = reply.get("link") or next(iter(reply.get("links") or []), None)
	if not isinstance(link, str) or not link.startswith(("https://", "http://")):
		raise DialRefused("Zadarma answered no link to the recording")
	return link


def _success(status: int, body: bytes) -> dict:
	reply = read_reply("Zadarma", status, body, failing_from=400)
	if status >= 400 or reply.get("status") != "success":
		message = reply.get("message") or reply.get("status") or f"HTTP {status}"
		raise DialRefused(f"Zadarma refused: {str(message)[:200]}")
	return reply


def parse_record(fields: dict) -> RecordingEvent | None:
	"""NOTIFY_RECORD: the call ``pbx_call_id`` has the recording ``call_id_with_rec``."""
	fields = _fields(fields)
	if fields.get("event") != "NOTIFY_RECORD":
		return None
	call_id = text(fields.get("pbx_call_id"), "pbx_call_id", limit=128)
	record = recording_id(fields)
	if not call_id or not record:
		raise PayloadError("NOTIFY_RECORD needs pbx_call_id and call_id_with_rec")
	return RecordingEvent(
		provider="zadarma",
		external_id=call_id,
		reference=record,
		event_id=f"NOTIFY_RECORD:{record}",
		raw=fields,
	)


def recording_of(fields: dict) -> str | None:
	"""The Call Log's ``recording_url`` for a notification that names the call's recording."""
	fields = _fields(fields)
	if fields.get("event") in ("NOTIFY_END", "NOTIFY_OUT_END") and str(fields.get("is_recorded")) != "1":
		return None
	record = recording_id(fields)
	return recording_reference("zadarma", record) if record else None
