"""What a parser raises when a payload cannot be used, and the guarded readers of raw request bodies.

Every parser of the intake package raises ``PayloadError`` (a ``ValueError``) and nothing else for
bad input, so an endpoint can answer any of them with one "400 Bad Request" carrying the message.
The message is English, names the field and says exactly what is wrong with it, e.g.
``missing field 'pbx_call_id'`` or ``payload too large: 70000 bytes > 65536``.
``SignatureError`` is the PayloadError of a missing or wrong signature or secret: endpoints answer it
with "403 Forbidden" and never say more than the message.
"""

import json
from urllib.parse import parse_qsl

# No provider sends anything near this for one event; a bigger body is refused before it is decoded.
MAX_PAYLOAD_BYTES = 64 * 1024


class PayloadError(ValueError):
	"""The payload cannot be used; the message says what is wrong with it."""


class SignatureError(PayloadError):
	"""The signature, token or secret of a request is missing or wrong."""


def load_json(body: bytes) -> dict:
	"""Return the JSON object in ``body``, or raise PayloadError.

	The body must be at most MAX_PAYLOAD_BYTES, UTF-8 (a byte-order mark is allowed), valid JSON
	(without NaN or Infinity) and an object at the top level: every contract of the intake package
	is an object.
	"""
	text = _decode(body)
	try:
		data = json.loads(text, parse_constant=_refuse_constant)
	except RecursionError:
		raise PayloadError("payload is not valid JSON: nested too deeply")
	except json.JSONDecodeError as e:
		raise PayloadError(f"payload is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}")
	except ValueError as e:  # NaN/Infinity, or an integer with too many digits
		raise PayloadError(f"payload is not valid JSON: {e}")
	if not isinstance(data, dict):
		raise PayloadError(f"payload is not a JSON object (got {type_name(data)})")
	return data


def load_form(body: bytes) -> dict[str, str]:
	"""Return the fields of an ``application/x-www-form-urlencoded`` body, or raise PayloadError.

	Zadarma and Mango Office post forms. A field given twice keeps its last value, as PHP does;
	blank values are kept as "" (a signature may cover them).
	"""
	text = _decode(body)
	try:
		pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False, errors="strict")
	except (UnicodeDecodeError, ValueError) as e:
		raise PayloadError(f"payload is not a valid form: {e}")
	return dict(pairs)


def type_name(value) -> str:
	"""The JSON name of a decoded value's type, for messages."""
	if value is None:
		return "null"
	if isinstance(value, bool):
		return "boolean"
	if isinstance(value, int | float):
		return "number"
	if isinstance(value, str):
		return "string"
	if isinstance(value, list | tuple):
		return "array"
	if isinstance(value, dict):
		return "object"
	return type(value).__name__


def _decode(body: bytes) -> str:
	if not isinstance(body, bytes | bytearray):
		raise PayloadError(f"payload must be bytes, got {type(body).__name__}")
	if len(body) > MAX_PAYLOAD_BYTES:
		raise PayloadError(f"payload too large: {len(body)} bytes > {MAX_PAYLOAD_BYTES}")
	if not body.strip():
		raise PayloadError("payload is empty")
	try:
		return bytes(body).decode("utf-8-sig")
	except UnicodeDecodeError as e:
		raise PayloadError(f"payload is not valid UTF-8 (byte {e.start})")


def _refuse_constant(name: str):
	raise ValueError(f"{name} is not allowed")
