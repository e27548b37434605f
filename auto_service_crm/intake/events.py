"""The neutral events every intake parser returns: a call event, a chat message, a form, an app request.

They are frozen dataclasses with keyword-only fields. Each keeps ``raw``, the payload as received,
so nothing the provider sent is lost; the other fields are what the CRM needs to file an Appeal.

Phone numbers are kept AS SENT (``"79161234567"``, ``"+7 (916) 123-45-67"``, ``"sip:101@pbx"``):
normalization (``rules.phone_numbers``) happens where the Appeal is filed.

Times: ``occurred_at`` / ``sent_at`` / ``preferred_time`` are timezone-aware UTC when the provider
gives Unix seconds or an ISO 8601 time with a zone; they are NAIVE (local wall-clock time of the
provider account or of the sender) when the provider gives a local time without a zone, as
Zadarma's ``call_start`` does. The filing layer decides which zone a naive time is in.

Each dataclass checks its own invariants (allowed values, types) and raises ValueError if a parser
broke them: that is a bug in the parser, not a bad payload.
"""

from dataclasses import dataclass, field
from datetime import datetime

PROVIDERS = ("generic", "zadarma", "mango")
CALL_EVENTS = ("ringing", "answered", "ended", "missed")
DIRECTIONS = ("incoming", "outgoing")
# The options of Appeal.loss_reason.
LOSS_REASONS = ("IVR", "Queue Wait", "Ringing Manager", "Other")
# The options of Appeal.chat_platform.
PLATFORMS = ("WhatsApp", "Telegram", "Jivosite")
FORM_MODES = ("register", "callback")


@dataclass(frozen=True, kw_only=True)
class CallEvent:
	"""One moment of one phone call, as a PBX reported it.

	- ``external_id``: the provider's id of the whole call, the same in every event of that call
	  (Zadarma ``pbx_call_id``, Mango ``entry_id``, generic ``call_id``).
	- ``event``: "ringing" (the call appeared or is ringing someone), "answered" (someone talks),
	  "ended" (the call ended after a conversation, or a leg ended and the provider does not say
	  whether anyone talked), "missed" (the call ended and no one at the station talked to the
	  client; for an outgoing call: the client did not answer).
	- ``caller``: the CLIENT's number whatever the direction (for an outgoing call, the number the
	  station dialled); ``called``: the STATION's line the client dialled or was dialled from, which
	  attributes the call to an ad channel. Both as sent.
	- ``agent``: the extension, SIP login or user id of the manager who answered or dialled.
	- ``talk_seconds``: length of the conversation; ``wait_seconds``: how long the client waited
	  before an answer or before hanging up.
	- ``loss_reason``: one of LOSS_REASONS, set only on "missed" incoming calls when the provider lets
	  us tell where the client was lost.
	- ``event_id``: what tells this event apart from the call's other events (Mango: the leg's
	  ``call_id``, its ``seq`` and state; Zadarma: the notification and its fields), so that only a
	  true repeat of a delivery is taken for a duplicate; None: the event kind alone does.
	- ``started_at``: when the call itself began, where the provider says so (Zadarma's
	  ``call_start``, Mango's ``create_time``); ``occurred_at`` is the moment of this event.
	"""

	provider: str
	external_id: str
	event: str
	direction: str = "incoming"
	caller: str | None = None
	called: str | None = None
	agent: str | None = None
	occurred_at: datetime | None = None
	talk_seconds: int | None = None
	wait_seconds: int | None = None
	loss_reason: str | None = None
	recording_url: str | None = None
	event_id: str | None = None
	started_at: datetime | None = None
	raw: dict = field(default_factory=dict, repr=False)

	def __post_init__(self):
		_one_of("provider", self.provider, PROVIDERS)
		_one_of("event", self.event, CALL_EVENTS)
		_one_of("direction", self.direction, DIRECTIONS)
		_required_text("external_id", self.external_id)
		_optional_text(self, "caller", "called", "agent", "recording_url", "event_id")
		_optional_count(self, "talk_seconds", "wait_seconds")
		_optional_time(self, "occurred_at", "started_at")
		if self.loss_reason is not None:
			_one_of("loss_reason", self.loss_reason, LOSS_REASONS)
			if self.event != "missed":
				raise ValueError(f"loss_reason is only for missed calls, not {self.event!r}")
		_raw(self)


@dataclass(frozen=True, kw_only=True)
class ChatMessage:
	"""One message a client wrote in a messenger or a site chat.

	- ``external_id``: unique per message, stable across repeated deliveries (for dedup).
	- ``conversation_id``: shared by the messages of one conversation (Telegram chat id, WhatsApp
	  wa_id, Jivo chat id).
	- ``text``: the client's words; media are described in brackets (``"[photo] caption"``,
	  ``"[voice message]"``); "" only when the message carries nothing that can be shown.
	"""

	platform: str
	external_id: str
	conversation_id: str
	text: str = ""
	sender_name: str | None = None
	sender_phone: str | None = None
	sender_email: str | None = None
	sent_at: datetime | None = None
	raw: dict = field(default_factory=dict, repr=False)

	def __post_init__(self):
		_one_of("platform", self.platform, PLATFORMS)
		_required_text("external_id", self.external_id)
		_required_text("conversation_id", self.conversation_id)
		if not isinstance(self.text, str):
			raise ValueError("text must be a string")
		_optional_text(self, "sender_name", "sender_phone", "sender_email")
		_optional_time(self, "sent_at")
		_raw(self)


@dataclass(frozen=True, kw_only=True)
class FormSubmission:
	"""A form filled in on the station's website: "register" an appeal or ask for a "callback"."""

	external_id: str | None = None
	mode: str = "register"
	name: str | None = None
	phone: str | None = None
	email: str | None = None
	comment: str | None = None
	utm_source: str | None = None
	utm_medium: str | None = None
	utm_campaign: str | None = None
	form_name: str | None = None
	raw: dict = field(default_factory=dict, repr=False)

	def __post_init__(self):
		_one_of("mode", self.mode, FORM_MODES)
		_optional_text(
			self,
			"external_id",
			"name",
			"phone",
			"email",
			"comment",
			"utm_source",
			"utm_medium",
			"utm_campaign",
			"form_name",
		)
		if not (self.phone or self.email):
			raise ValueError("a form submission needs a phone or an email")
		_raw(self)


@dataclass(frozen=True, kw_only=True)
class MobileAppRequest:
	"""A request sent from the station's mobile app by a client."""

	external_id: str
	phone: str
	name: str | None = None
	email: str | None = None
	text: str | None = None
	vehicle: str | None = None
	plate: str | None = None
	vin: str | None = None
	preferred_time: datetime | None = None
	raw: dict = field(default_factory=dict, repr=False)

	def __post_init__(self):
		_required_text("external_id", self.external_id)
		_required_text("phone", self.phone)
		_optional_text(self, "name", "email", "text", "vehicle", "plate", "vin")
		_optional_time(self, "preferred_time")
		_raw(self)


def _one_of(name: str, value, allowed: tuple) -> None:
	if value not in allowed:
		raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


def _required_text(name: str, value) -> None:
	if not isinstance(value, str) or not value:
		raise ValueError(f"{name} must be a non-empty string; got {value!r}")


def _optional_text(obj, *names: str) -> None:
	for name in names:
		value = getattr(obj, name)
		if value is not None and (not isinstance(value, str) or not value):
			raise ValueError(f"{name} must be a non-empty string or None; got {value!r}")


def _optional_count(obj, *names: str) -> None:
	for name in names:
		value = getattr(obj, name)
		if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
			raise ValueError(f"{name} must be a whole number >= 0 or None; got {value!r}")


def _optional_time(obj, *names: str) -> None:
	for name in names:
		value = getattr(obj, name)
		if value is not None and not isinstance(value, datetime):
			raise ValueError(f"{name} must be a datetime or None; got {value!r}")


def _raw(obj) -> None:
	if not isinstance(obj.raw, dict):
		raise ValueError("raw must be the payload as a dict")
