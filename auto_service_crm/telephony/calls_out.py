"""Calls out, the pure part: the HTTP request that asks a PBX to place a call, what its answer
means, and the app's neutral contract for a PBX that is neither Zadarma nor Mango Office.

No frappe here: ``telephony/outbound.py`` reads the settings, sends the request and records the
outcome. The provider builders live next to their parsers (``zadarma.callback_request``,
``mango.callback_request``); they all return an ``OutboundRequest`` and read the PBX's answer
with a function that returns what the app needs or raises ``DialRefused``.

The neutral contract (``generic_request`` / ``read_generic_reply``), ASYNCHRONOUS:

.. code-block:: text

	POST <Telephony Dial URL>
	Authorization: Bearer <Dial Token>          (when a token is set)
	Content-Type: application/json

	{"request_id": "asc-call-1f2e3d4c5b", "from": "101", "to": "+79161234567",
	 "appeal": "APL-00042", "answer_timeout": 60}

- ``from``: the station's line to ring FIRST (an operator's extension, SIP login or number, or the
  group line); when it answers, the PBX dials ``to``, the client.
- The PBX answers at once, before anyone is rung: any 2xx accepts the request. The body may be
  empty or a JSON object (a ``call_id`` in it is noted on the Call Log). Any other status, or a
  body that is not a JSON object, is a refusal.
- The outcome comes back through the call webhook (``call_event``, ``direction`` "outgoing"):
  its events carry ``call_id`` = the ``request_id`` (best), or ``request_id`` beside their own
  ``call_id``; without either the app matches the client's number and the line within the answer
  timeout. ``answered`` / ``ended`` after a conversation mean the line answered; ``missed`` that
  nobody did.

The previous synchronous contract (the PBX held the request until the call ended and answered
``{"answered": true}``) is gone: a PBX that still answers so is accepted (a JSON object), and its
``answered`` is NOT believed: only the call events say what happened.
"""

import json
from dataclasses import dataclass, field


class DialRefused(Exception):
	"""The PBX did not accept the request to place a call; the message says why, for the operator."""


@dataclass(frozen=True)
class OutboundRequest:
	"""One HTTP request to a PBX: ``method`` and ``url`` (with its query), then the headers and
	either form ``data`` or a ``json`` body."""

	method: str
	url: str
	headers: dict = field(default_factory=dict)
	data: dict | None = None
	json: dict | None = None


@dataclass(frozen=True)
class RecordingEvent:
	"""The PBX says a call has a recording: ``reference`` is what the recording is fetched with
	(Zadarma's ``call_id_with_rec``, Mango's ``recording_id``), ``external_id`` the call's id as in
	its call events."""

	provider: str
	external_id: str
	reference: str
	event_id: str | None = None
	raw: dict = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class CommandResult:
	"""The PBX's result of a command the app sent (Mango's result/callback): ``external_id`` is
	the command's id (the requested call), ``result`` the PBX's code, ``ok`` whether it was done."""

	provider: str
	external_id: str
	result: int | None
	ok: bool
	event_id: str | None = None
	raw: dict = field(default_factory=dict, repr=False)


def recording_reference(provider: str, reference: str) -> str:
	"""What the Call Log keeps as ``recording_url`` when the PBX gives no lasting link: the
	provider and its id of the recording (``zadarma:<call_id_with_rec>``, ``mango:<recording_id>``).
	The playable link is asked for when someone plays it (``telephony/recordings.py``): Zadarma's
	and Mango's links expire."""
	return f"{provider}:{reference}"


def split_recording_reference(value: str | None) -> tuple[str | None, str | None]:
	"""(provider, id) of a reference made by ``recording_reference``; (None, value) for a link."""
	if not value:
		return None, None
	for provider in ("zadarma", "mango"):
		if value.startswith(f"{provider}:"):
			return provider, value[len(provider) + 1 :]
	return None, value


def digits(number: str) -> str:
	"""A phone number as digits only (``+7 916 123-45-67`` -> ``79161234567``): what Zadarma's and
	Mango's APIs take; an extension or SIP login is left as it is."""
	value = (number or "").strip()
	if value and all(ch.isdigit() or ch in "+-() " for ch in value):
		return "".join(ch for ch in value if ch.isdigit())
	return value


def generic_request(
	url: str, token: str | None, *, request_id: str, line: str, client: str, appeal: str, answer_timeout: int
) -> OutboundRequest:
	"""The neutral contract's request: POST JSON to the dial URL, the token as a Bearer header."""
	return OutboundRequest(
		"POST",
		url,
		headers={"Authorization": f"Bearer {token}"} if token else {},
		json={
			"request_id": request_id,
			"from": line,
			"to": client,
			"appeal": appeal,
			"answer_timeout": answer_timeout,
		},
	)


def read_generic_reply(status: int, body: bytes) -> str | None:
	"""The PBX's ``call_id`` when it accepted the request (None when it gave none); DialRefused
	for a status other than 2xx or a body that is not empty nor a JSON object."""
	if not 200 <= status < 300:
		raise DialRefused(f"the PBX answered HTTP {status}: {_excerpt(body)}")
	if not (body or b"").strip():
		return None
	reply = _json_object(body)
	call_id = reply.get("call_id")
	if call_id in (None, ""):
		return None
	if not isinstance(call_id, str | int) or isinstance(call_id, bool) or len(str(call_id)) > 128:
		raise DialRefused(f"the PBX answered a call_id that is not an id: {_excerpt(body)}")
	return str(call_id)


def _json_object(body: bytes) -> dict:
	try:
		reply = json.loads((body or b"").decode("utf-8"))
	except (UnicodeDecodeError, ValueError):
		raise DialRefused(f"the PBX answered something that is not JSON: {_excerpt(body)}")
	if not isinstance(reply, dict):
		raise DialRefused(f"the PBX answered JSON that is not an object: {_excerpt(body)}")
	return reply


def read_json_object(body: bytes) -> dict:
	"""The PBX's answer as a JSON object, or DialRefused saying what it answered instead."""
	return _json_object(body)


def read_reply(provider: str, status: int, body: bytes, failing_from: int) -> dict:
	"""The PBX's answer as a JSON object; an answer that is none says the HTTP status when that
	status is a failure (``failing_from`` and above), else what was answered instead."""
	try:
		return read_json_object(body)
	except DialRefused:
		if status >= failing_from:
			raise DialRefused(f"{provider} answered HTTP {status}") from None
		raise


def _excerpt(body: bytes, limit: int = 200) -> str:
	text = (body or b"").decode("utf-8", errors="replace").strip()
	return (text[:limit] + "...") if len(text) > limit else (text or "(empty)")
