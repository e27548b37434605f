"""A reply out to a messenger, the part every provider shares (pure: no frappe).

Each provider module builds a ``ReplyRequest`` (the one HTTP POST with a JSON body that sends the
operator's text, and the headers that authenticate it) and reads the provider's answer into a
``ReplyOutcome``: delivered (with the provider's id of the message), or refused with the provider's
own reason and code; an answer that is neither (not JSON, not the documented shape) is refused with
no reason and a snippet of what came back, for the caller to show.
"""

import json
from dataclasses import dataclass, field

# What is kept of an answer that cannot be read, and of a provider's reason.
SNIPPET = 300
MAX_REASON = 1000


@dataclass(frozen=True, kw_only=True)
class ReplyRequest:
	"""POST ``body`` as JSON to ``url`` with ``headers``. The url may hold a secret (Telegram's bot
	token, Jivo's bot URL): it is never kept nor shown."""

	url: str
	body: dict
	headers: dict = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ReplyOutcome:
	"""What the provider answered: ``delivered`` with its ``message_id``; else ``reason`` (the
	provider's own words, None when its answer could not be read) and ``code`` (its error code, else
	the HTTP status); ``answer`` holds the start of an answer that could not be read."""

	delivered: bool
	message_id: str | None = None
	reason: str | None = None
	code: str | None = None
	http_status: int | None = None
	answer: str | None = None


def json_answer(body: bytes | str | None):
	"""The JSON value of an answer's body, or None when it is not JSON."""
	if body is None:
		return None
	try:
		if isinstance(body, bytes | bytearray):
			body = bytes(body).decode("utf-8-sig")
		return json.loads(body)
	except (UnicodeDecodeError, ValueError, RecursionError):
		return None


def snippet(body: bytes | str | None) -> str:
	"""The start of an answer's body as text, for a person to read."""
	if body is None:
		return ""
	if isinstance(body, bytes | bytearray):
		body = bytes(body[: SNIPPET * 4]).decode("utf-8", "replace")
	body = " ".join(str(body).split())
	return body if len(body) <= SNIPPET else body[: SNIPPET - 1] + "…"


def words(value) -> str | None:
	"""A provider's reason as one line of text (None when it gave none)."""
	if value is None or isinstance(value, bool):
		return None
	if not isinstance(value, str):
		value = str(value)
	value = " ".join(value.split())
	if not value:
		return None
	return value if len(value) <= MAX_REASON else value[: MAX_REASON - 1] + "…"


def unreadable(status: int, body) -> ReplyOutcome:
	"""An answer in no documented shape: not delivered, for all we know."""
	return ReplyOutcome(delivered=False, http_status=status, code=str(status), answer=snippet(body))
