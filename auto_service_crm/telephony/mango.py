"""Mango Office virtual PBX (VPBX API, "API Realtime") events: /events/call and /events/summary.

Sources (as published): "API MANGO OFFICE" v1.9 (MangoOffice_VPBX_API_v1.9.pdf, linked from
https://www.mango-office.ru/support/integratsiya-api/ ), sections 2.4.3 "О параметре sign",
3.1.2 "Уведомление о вызове" (events/call), 3.1.6 "Уведомление о завершении вызова"
(events/summary) and "Список кодов результатов" (disconnect_reason codes).

Every request is a form POST with three fields: ``vpbx_api_key`` (the PBX's unique code),
``json`` (the event, a JSON text) and ``sign`` = lowercase hex SHA-256 of
``vpbx_api_key + json + vpbx_api_salt`` (the salt is the signing key from the Mango account).
Verify ``sign`` over the ``json`` text EXACTLY as received (``verify_sign``), then ``parse`` it.

``external_id`` is ``entry_id``: the id of the group of calls the PBX gives an incoming call and
keeps through every forward and transfer, so all events of one client's call share it. Each leg of
the call (the voice menu, then each manager it is put through to) has its own ``call_id``, and
``seq`` counts the events of one leg (a new leg starts again at 1): ``event_id`` is
``call_id:seq:call_state``, so every event of every leg is filed and only a repeat of the same
delivery is a duplicate.

events/call (``call_state``) gives the state of the WHOLE call after this event, from the legs'
latest states (``history``: the entry's events/call received before): a manager talks on a leg
(Connected, OnHold) -> "answered"; else a leg rings (Appeared) -> "ringing"; when no leg is left
(every one Disconnected) the call keeps the state it reached, "answered" if a leg was ever
connected, else "ringing". A call ENDS with events/summary, which Mango sends at the end of every
call: the voice menu's leg ends (Disconnected) before the manager's leg appears, so a leg's end
says nothing about the call's. Direction: ``from.extension`` without ``to.extension`` is an
outgoing call, both extensions an internal call (-> None), else incoming. States the document does
not list -> None.

events/summary (the final event of a call; ``call_direction`` 1 incoming, 2 outgoing, 0 internal
-> None): "ended" if a conversation took place, else "missed". Mango's own example of a call ended
in the IVR has ``entry_result`` 1 with ``talk_time`` 0, so ``talk_time`` > 0 decides when it is
sent, and ``entry_result`` only when it is not. talk_seconds = end_time - talk_time; wait_seconds =
talk_time - create_time (answered) or end_time - create_time (missed). ``occurred_at`` is
``end_time`` (else ``create_time``), ``started_at`` is ``create_time``.

loss_reason of a missed incoming summary: where the client was last (``last_location`` of the
entry's events/call: the ``location`` of the latest event that put the call somewhere, else of the
latest one that has a location): "ivr" -> "IVR", "queue" -> "Queue Wait", "abonent" -> "Ringing
Manager". Without one (Mango leaves ``location`` out of some events): disconnect_reason 2000 and
above (billing, wrong number, unreachable, technical) -> "Other"; 116x (group/queue failed, queue
timeout, all operators unavailable) -> "Queue Wait"; a summary whose ``to`` is empty never reached
an employee ("first employee who missed the call" otherwise) -> "IVR"; else "Ringing Manager".

caller = the client's number (``from.number`` incoming, ``to.number`` outgoing), as sent: digits
without «+», or a SIP address; called = the station's line (``line_number`` / ``to.line_number``),
but the call-tracking number ``dct.number`` where the line is a SIP address (Mango's own example
gives ``sip:line00000@tech.mangosip.ru``) or is not given; agent = ``to.extension``, the employee
the leg rings or talks to (incoming; in a summary only when answered), or ``from.extension``
(outgoing).

Calls out (``callback_request``), section 3.2.1 "Инициирование вызова от имени сотрудника": a form
POST to ``<api>/commands/callback`` with ``vpbx_api_key``, ``sign`` (as above, over the ``json``
text sent) and ``json`` = ``{"command_id": ..., "from": {"extension": ...}, "to_number": ...}``
(``from.number`` and ``line_number`` optional): the PBX rings the employee ``from.extension``, then
``to_number``. The group line (section 3.2.2, ``commands/callback_group``): ``{"command_id",
"from": <group's short number>, "to": <client>, "line_number"}``: the group is rung first, by its
own algorithm, then the client. The answer: HTTP 200 and JSON; the command's result comes later as
``result/callback`` with ``{"command_id", "result"}``, 1000 = done (``read_command_result``). Every
event of the call the command made carries its ``command_id`` (events/call field 13): the app uses
the request's Call Log name as ``command_id`` and ties the events to it (``command_id_of``).

Recordings (sections 3.1.4 events/recording and 3.5.2): events/recording gives ``recording_id``
(``parse_recording``: ``recording_state`` Completed with ``completion_code`` 1000, kept in the
cloud); the link is ``GET <api>/queries/recording/link/<recording_id>/<play|download>/
<vpbx_api_key>/<timestamp>/<sign>`` with ``sign = sha256(vpbx_api_key + timestamp + recording_id
+ vpbx_api_salt)`` and ``timestamp`` the time the link stops working (``recording_link``); it must
be enabled in the Mango account, and the file link it redirects to must not be kept.

Not confirmed, chosen as described: the body of the synchronous answer to a command (read as a
JSON object whose ``result``, when present, must be 1000); which legs of a callback Mango reports
and in which direction (the employee's leg may look incoming: any event that carries our
``command_id`` is filed on the request, never as a new incoming call); that events/summary carries
``command_id`` (when it does not, the summary finds the request by ``entry_id``, kept on the Call
Log from the first events/call); ``line_number`` of callback_group is required by the document and
the settings have no line for it: the appeal's dialled number is sent when there is one; the zone of
the link's ``timestamp`` ("UTC+3") is read as Unix seconds. The document says event times are "UTC+3"; they are Unix
timestamps, which have no zone, and are read as ordinary Unix seconds (aware UTC). Numbers arrive
as JSON numbers or as strings (the document's own examples use both); both are accepted.
"""

import hashlib
import hmac
import json

from auto_service_crm.intake._common import (
	from_epoch,
	integer,
	mapping,
	opt_int,
	opt_str,
	req_str,
	short,
	sub,
)
from auto_service_crm.intake.errors import PayloadError, SignatureError, load_json
from auto_service_crm.intake.events import CallEvent
from auto_service_crm.telephony.calls_out import (
	CommandResult,
	DialRefused,
	OutboundRequest,
	RecordingEvent,
	digits,
	read_reply,
)

CALL_STATES = ("Appeared", "Connected", "OnHold", "Disconnected")
TALKING = ("Connected", "OnHold")
LOCATIONS = {"ivr": "IVR", "queue": "Queue Wait", "abonent": "Ringing Manager"}
DIRECTIONS = {0: None, 1: "incoming", 2: "outgoing"}


def make_sign(api_key: str, json_text: str, salt: str) -> str:
	"""Mango's ``sign`` of a request: hex SHA-256 of api_key + json + salt."""
	return hashlib.sha256(f"{api_key}{json_text}{salt}".encode("utf-8", "surrogatepass")).hexdigest()


def verify_sign(
	api_key: str | None,
	json_text: str | None,
	sign: str | None,
	salt: str,
	*,
	expected_api_key: str | None = None,
) -> None:
	"""Raise SignatureError unless ``sign`` signs ``api_key`` + ``json_text`` with ``salt``.

	With ``expected_api_key``, the request's ``vpbx_api_key`` must also be that of our PBX.
	"""
	if not salt:
		raise SignatureError("Mango vpbx_api_salt is not configured")
	if not sign:
		raise SignatureError("missing field 'sign'")
	if not api_key:
		raise SignatureError("missing field 'vpbx_api_key'")
	if json_text is None:
		raise SignatureError("missing field 'json'")
	if not all(isinstance(v, str) for v in (api_key, json_text, sign)):
		raise SignatureError("vpbx_api_key, json and sign must be strings")
	if expected_api_key is not None and not hmac.compare_digest(
		api_key.encode("utf-8", "surrogatepass"), expected_api_key.encode("utf-8")
	):
		raise SignatureError("wrong vpbx_api_key")
	expected = make_sign(api_key, json_text, salt)
	given = sign.strip().lower().encode("utf-8", "surrogatepass")
	if not hmac.compare_digest(given, expected.encode("ascii")):
		raise SignatureError("wrong sign")


def parse(
	json_obj: dict | str | bytes,
	path: str,
	*,
	history: list[dict] = (),
	last_location: str | None = None,
) -> CallEvent | None:
	"""The CallEvent of one Mango event, None when it is not a call state the CRM tracks.

	``json_obj`` is the ``json`` field, decoded or as text; ``path`` is the event's URL path
	("events/call" or "events/summary"; a leading "/" or a longer prefix is fine). ``history``:
	the entry's events/call received before this event, decoded, in the order received;
	``last_location`` overrides the location the history gives.
	"""
	payload = _payload(json_obj)
	kind = event_kind(path)
	if kind == "call":
		return _call(payload, history)
	return _summary(payload, last_location or last_location_of(history))


def event_kind(path) -> str:
	""" "call" or "summary": the kind of Mango event a URL path ends with; PayloadError otherwise."""
	return _kind(path)


def call_state(events: list[dict]) -> str:
	"""The state of the whole call after these events/call of one entry (in the order received):
	"answered" while a leg talks, "ringing" while a leg rings, and when no leg is left, the state
	the call reached."""
	latest = {}
	for order, event in enumerate(events):
		leg = str(event.get("call_id") or "")
		rank = (_seq(event), order)
		if leg not in latest or rank >= latest[leg][0]:
			latest[leg] = (rank, event.get("call_state"))
	states = [state for _rank, state in latest.values()]
	if any(state in TALKING for state in states):
		return "answered"
	if "Appeared" in states:
		return "ringing"
	ever_talked = any(event.get("call_state") in TALKING for event in events)
	return "answered" if ever_talked else "ringing"


def last_location_of(events: list[dict]) -> str | None:
	"""Where the client was last: the ``location`` of the latest event that put the call somewhere
	(a leg appearing or talking), else of the latest event that has one; latest by ``timestamp``,
	then by the order received."""
	placed = [e for e in events if e.get("location") and e.get("call_state") != "Disconnected"]
	candidates = placed or [e for e in events if e.get("location")]
	if not candidates:
		return None
	latest = max(enumerate(candidates), key=lambda pair: (_timestamp(pair[1]), pair[0]))[1]
	return str(latest["location"])


def loss_reason_for_location(location: str | None) -> str | None:
	"""The loss_reason a missed call gets when its last events/call had this ``location``."""
	return LOCATIONS.get((location or "").strip().lower())


def _call(payload: dict, history: list[dict]) -> CallEvent | None:
	entry_id = req_str(payload, "entry_id", limit=128)
	state = req_str(payload, "call_state", limit=64)
	if state not in CALL_STATES:
		return None
	leg = opt_str(payload, "call_id", limit=128)
	seq = opt_int(payload, "seq", maximum=10**9)
	source, target = sub(payload, "from"), sub(payload, "to")
	direction = _direction(source, target)
	if direction is None:
		return None
	dct = sub(payload, "dct")
	if direction == "incoming":
		client = opt_str(source, "number", "from", limit=128)
		line = _line(opt_str(target, "line_number", "to", limit=128), dct)
		agent = opt_str(target, "extension", "to", limit=64)
	else:
		client = opt_str(target, "number", "to", limit=128)
		line = _line(
			opt_str(target, "line_number", "to", limit=128) or opt_str(payload, "line_number", limit=128), dct
		)
		agent = opt_str(source, "extension", "from", limit=64)
	opt_int(payload, "disconnect_reason", maximum=99_999)  # checked, kept in raw
	event = call_state([*_same_entry(history, entry_id), payload])
	return CallEvent(
		provider="mango",
		external_id=entry_id,
		event=event,
		event_id=f"{leg or ''}:{'' if seq is None else seq}:{state}",
		direction=direction,
		caller=client,
		called=line,
		# the employee of THIS leg: the one who rings or talks; a leg's end names nobody
		agent=agent if state != "Disconnected" else None,
		occurred_at=from_epoch(payload.get("timestamp"), "timestamp"),
		raw=payload,
	)


def _line(line: str | None, dct: dict) -> str | None:
	"""The station's line: a SIP address stands back for the call-tracking number, if there is one."""
	tracked = opt_str(dct, "number", "dct", limit=128)
	if line and not is_sip_address(line):
		return line
	return tracked or line


def is_sip_address(value: str) -> bool:
	return value.lower().startswith(("sip:", "sips:")) or "@" in value


def _same_entry(history: list[dict], entry_id: str) -> list[dict]:
	return [e for e in history or () if isinstance(e, dict) and str(e.get("entry_id")) == entry_id]


def _seq(event: dict) -> int:
	try:
		return int(event.get("seq") or 0)
	except (TypeError, ValueError):
		return 0


def _timestamp(event: dict) -> int:
	try:
		return int(event.get("timestamp") or 0)
	except (TypeError, ValueError):
		return 0


def _summary(payload: dict, last_location: str | None) -> CallEvent | None:
	entry_id = req_str(payload, "entry_id", limit=128)
	if payload.get("call_direction") is None:
		raise PayloadError("missing field 'call_direction'")
	code = integer(payload.get("call_direction"), "call_direction", maximum=99)
	if code not in DIRECTIONS:
		raise PayloadError(f"field 'call_direction' must be 0, 1 or 2; got {code}")
	direction = DIRECTIONS[code]
	if direction is None:
		return None
	source, target, dct = sub(payload, "from"), sub(payload, "to"), sub(payload, "dct")
	created = from_epoch(payload.get("create_time"), "create_time")
	talk_start = from_epoch(payload.get("talk_time"), "talk_time")
	ended_at = from_epoch(payload.get("end_time"), "end_time")
	from_epoch(payload.get("forward_time"), "forward_time")  # checked, kept in raw
	result = opt_int(payload, "entry_result", maximum=1)
	reason = opt_int(payload, "disconnect_reason", maximum=99_999)
	if "talk_time" in payload and payload.get("talk_time") is not None:
		talked = talk_start is not None
	elif result is not None:
		talked = result == 1
	else:
		raise PayloadError("missing field 'entry_result'")
	line = _line(
		opt_str(payload, "line_number", limit=128) or opt_str(target, "line_number", "to", limit=128), dct
	)
	if direction == "incoming":
		client = opt_str(source, "number", "from", limit=128)
		agent = opt_str(target, "extension", "to", limit=64) if talked else None
	else:
		client = opt_str(target, "number", "to", limit=128)
		agent = opt_str(source, "extension", "from", limit=64)
	common = {
		"provider": "mango",
		"external_id": entry_id,
		"direction": direction,
		"caller": client,
		"called": line,
		"agent": agent,
		"occurred_at": ended_at or created,
		"started_at": created,
		"raw": payload,
	}
	if talked:
		return CallEvent(
			event="ended",
			talk_seconds=_seconds(talk_start, ended_at),
			wait_seconds=_seconds(created, talk_start),
			**common,
		)
	loss = _loss_reason(target, reason, last_location) if direction == "incoming" else None
	return CallEvent(event="missed", wait_seconds=_seconds(created, ended_at), loss_reason=loss, **common)


def _loss_reason(target: dict, reason: int | None, last_location: str | None) -> str:
	if last_location:
		return loss_reason_for_location(last_location) or "Other"
	if reason is not None and reason >= 2000:
		return "Other"
	if reason is not None and 1160 <= reason <= 1169:
		return "Queue Wait"
	if not (opt_str(target, "extension", "to") or opt_str(target, "number", "to")):
		return "IVR"
	return "Ringing Manager"


def _direction(source: dict, target: dict) -> str | None:
	from_ext = opt_str(source, "extension", "from", limit=64)
	to_ext = opt_str(target, "extension", "to", limit=64)
	if from_ext and to_ext:
		return None
	return "outgoing" if from_ext else "incoming"


def _seconds(start, end) -> int | None:
	if start is None or end is None or end < start:
		return None
	return int((end - start).total_seconds())


def _kind(path) -> str:
	if not isinstance(path, str):
		raise PayloadError(f"Mango event path must be a string, got {type(path).__name__}")
	clean = path.split("?")[0].strip().rstrip("/")
	if clean.endswith("events/call"):
		return "call"
	if clean.endswith("events/summary"):
		return "summary"
	raise PayloadError(f"unknown Mango event path {short(path)}: expected events/call or events/summary")


def _payload(json_obj) -> dict:
	if isinstance(json_obj, str):
		try:
			json_obj = json_obj.encode("utf-8")
		except UnicodeEncodeError:
			raise PayloadError("field 'json' is not valid UTF-8")
	if isinstance(json_obj, bytes | bytearray):
		return load_json(bytes(json_obj))
	return mapping(json_obj, "json")


# Calls out and recordings: Mango's VPBX API -------------------------------------------------

DONE = 1000


def command(base_url: str, path: str, api_key: str, salt: str, payload: dict) -> OutboundRequest:
	"""A signed command: form fields vpbx_api_key, sign and json (the text signed is the text sent)."""
	if not api_key or not salt:
		raise DialRefused("the Mango Office API key and salt are not set")
	json_text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
	return OutboundRequest(
		"POST",
		f"{(base_url or '').rstrip('/')}/{path.strip('/')}",
		data={"vpbx_api_key": api_key, "sign": make_sign(api_key, json_text, salt), "json": json_text},
	)


def callback_request(
	base_url: str, api_key: str, salt: str, *, command_id: str, extension: str, client: str
) -> OutboundRequest:
	"""commands/callback: the PBX rings the employee ``extension``, then the client."""
	payload = {"command_id": command_id, "from": {"extension": extension}, "to_number": digits(client)}
	return command(base_url, "commands/callback", api_key, salt, payload)


def callback_group_request(
	base_url: str, api_key: str, salt: str, *, command_id: str, group: str, client: str, line: str | None
) -> OutboundRequest:
	"""commands/callback_group: the PBX rings the group (its short number), then the client."""
	payload = {"command_id": command_id, "from": group, "to": digits(client)}
	if line:
		payload["line_number"] = digits(line)
	return command(base_url, "commands/callback_group", api_key, salt, payload)


def read_command_reply(status: int, body: bytes) -> None:
	"""None when the PBX took the command; DialRefused with its code otherwise."""
	reply = read_reply("Mango Office", status, body, failing_from=300)
	code = reply.get("result", reply.get("code"))
	if status >= 300 or (code is not None and str(code) != str(DONE)):
		message = reply.get("message") or reply.get("description") or ""
		raise DialRefused(f"Mango Office refused the command: {code or status} {str(message)[:200]}".strip())


def read_command_result(json_obj) -> CommandResult | None:
	"""result/callback (result/callback_group): the result of the command ``command_id``; None
	when it names no command."""
	payload = _payload(json_obj)
	command_id = opt_str(payload, "command_id", limit=128)
	if not command_id:
		return None
	if payload.get("result") is None:
		raise PayloadError("missing field 'result'")
	result = integer(payload.get("result"), "result", maximum=99_999)
	return CommandResult(
		provider="mango",
		external_id=command_id,
		result=result,
		ok=result == DONE,
		event_id=f"result:{result}",
		raw=payload,
	)


def command_id_of(raw: dict | None) -> str | None:
	"""The ``command_id`` an event carries: the id of the command that made the call."""
	value = (raw or {}).get("command_id")
	return (
		str(value) if isinstance(value, str | int) and not isinstance(value, bool) and value != "" else None
	)


def parse_recording(json_obj) -> RecordingEvent | None:
	"""events/recording: the recording ``recording_id`` of the entry, once it is saved in the cloud."""
	payload = _payload(json_obj)
	state = opt_str(payload, "recording_state", limit=32)
	code = opt_int(payload, "completion_code", maximum=99_999)
	recipient = opt_str(payload, "recipient", limit=32)
	if state != "Completed" or code not in (None, DONE) or recipient == "Mail":
		return None  # started, continued, too short to keep, or sent by mail only: nothing to play
	entry_id = req_str(payload, "entry_id", limit=128)
	recording = req_str(payload, "recording_id", limit=128)
	return RecordingEvent(
		provider="mango",
		external_id=entry_id,
		reference=recording,
		event_id=f"recording:{recording}:{state}",
		raw=payload,
	)


def recording_link(
	base_url: str, api_key: str, salt: str, recording_id: str, expires: int, action="play"
) -> str:
	"""The link that plays (or downloads) a recording until the Unix time ``expires``."""
	if not api_key or not salt:
		raise DialRefused("the Mango Office API key and salt are not set")
	sign = hashlib.sha256(f"{api_key}{expires}{recording_id}{salt}".encode()).hexdigest()
	return f"{(base_url or '').rstrip('/')}/queries/recording/link/{recording_id}/{action}/{api_key}/{expires}/{sign}"
