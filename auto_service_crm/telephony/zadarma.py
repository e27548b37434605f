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

Not confirmed from the published material, chosen as described: the exact meaning of ``duration``
for unanswered calls (taken as the time the client spent on the line); ``last_internal`` (newer
notifications are said to carry it; used when present); ``caller_id`` in outgoing notifications.
"""

import base64
import hashlib
import hmac
from datetime import datetime, timedelta

from auto_service_crm.intake._common import form_value, integer, short, text
from auto_service_crm.intake.errors import PayloadError, SignatureError
from auto_service_crm.intake.events import CallEvent

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
