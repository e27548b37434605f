"""Our provider-neutral contract for call events: what a PBX integrator implements to feed the CRM.

Send one HTTP POST with a JSON object (UTF-8, at most 64 KiB) for each event of a call:

.. code-block:: json

	{
		"call_id": "4f1c-77a0",
		"event": "missed",
		"direction": "incoming",
		"from": "+79161234567",
		"to": "+74951234567",
		"agent": "101",
		"timestamp": "2024-05-14T09:21:07+03:00",
		"talk_seconds": 0,
		"wait_seconds": 35,
		"loss_reason": "queue",
		"recording_url": null
	}

- ``call_id`` (required, string or integer): the PBX's id of the whole call, THE SAME in every event
  of the call (not the id of a leg); it is what ties "ringing", "answered" and "ended" together.
- ``event`` (required): ``ringing`` (the call appeared / is ringing), ``answered`` (a manager
  picked up), ``ended`` (the call ended after a conversation), ``missed`` (the call ended and no
  one talked to the client; for an outgoing call: the client did not answer).
- ``direction``: ``incoming`` (default) or ``outgoing``.
- ``from`` / ``to``: the numbers as dialled: the caller and the callee. For an incoming call
  ``from`` is the client and ``to`` the station's line (its ad-tracked number); for an outgoing call
  ``from`` is the station's line and ``to`` the client. Strings (or integers), sent as the PBX has
  them; the CRM normalizes them.
- ``agent``: extension, SIP login or user id of the manager who answered (or dialled).
- ``timestamp``: when the event happened, ISO 8601. Give the zone (``Z`` or ``+03:00``): a time
  without a zone is read as the station's local time. Unix seconds (a number) are accepted too.
- ``talk_seconds``, ``wait_seconds``: whole seconds >= 0 (strings of digits are accepted):
  conversation length, and how long the client waited before an answer or before hanging up.
- ``loss_reason`` (only with ``missed``, incoming): where the client was lost: ``ivr`` (in the voice
  menu), ``queue`` (waiting in the queue), ``ringing_manager`` (a manager's phone rang, no one
  answered), ``other``. Leave it out when unknown.
- ``recording_url``: a link to the recording, when the PBX has one.

Unknown fields are ignored (kept in ``raw``). A payload that breaks these rules is refused with a
PayloadError saying which field is wrong, e.g. ``field 'event' must be one of ringing, answered,
ended, missed; got 'hangup'``.
"""

from auto_service_crm.intake._common import from_iso, mapping, opt_int, opt_str, req_str
from auto_service_crm.intake.errors import PayloadError
from auto_service_crm.intake.events import CALL_EVENTS, DIRECTIONS, CallEvent

LOSS_REASONS = {
	"ivr": "IVR",
	"queue": "Queue Wait",
	"ringing_manager": "Ringing Manager",
	"other": "Other",
}


def parse(payload: dict) -> CallEvent:
	"""The CallEvent of one payload of the generic contract, or PayloadError."""
	payload = mapping(payload, "payload")
	event = _choice(payload, "event", CALL_EVENTS, required=True)
	direction = _choice(payload, "direction", DIRECTIONS) or "incoming"
	loss = _choice(payload, "loss_reason", tuple(LOSS_REASONS))
	if loss and event != "missed":
		raise PayloadError(f"field 'loss_reason' is only allowed with event 'missed', not {event!r}")
	if loss and direction != "incoming":
		raise PayloadError("field 'loss_reason' is only allowed on incoming calls")
	number_from, number_to = opt_str(payload, "from", limit=128), opt_str(payload, "to", limit=128)
	client, line = (number_from, number_to) if direction == "incoming" else (number_to, number_from)
	return CallEvent(
		provider="generic",
		external_id=req_str(payload, "call_id", limit=128),
		event=event,
		direction=direction,
		caller=client,
		called=line,
		agent=opt_str(payload, "agent", limit=128),
		occurred_at=from_iso(payload.get("timestamp"), "timestamp"),
		talk_seconds=opt_int(payload, "talk_seconds"),
		wait_seconds=opt_int(payload, "wait_seconds"),
		loss_reason=LOSS_REASONS[loss] if loss else None,
		recording_url=opt_str(payload, "recording_url", limit=2048),
		raw=payload,
	)


def _choice(payload: dict, key: str, allowed: tuple, *, required: bool = False) -> str | None:
	value = req_str(payload, key, limit=64) if required else opt_str(payload, key, limit=64)
	if value is None:
		return None
	value = value.lower()
	if value not in allowed:
		raise PayloadError(f"field '{key}' must be one of {', '.join(allowed)}; got {value!r}")
	return value
