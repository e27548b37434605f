"""Readers shared by the parsers: loosely typed JSON or form values in, the events' types out.

Each reader takes the mapping, the key and the dotted path of the mapping in the payload (for
messages), and raises PayloadError naming the field when the value is present but unusable.
Absent, null and blank values read as None: providers leave fields out, send null or send "".
"""

import hmac
import math
from collections.abc import Mapping
from datetime import datetime, timezone

from auto_service_crm.intake.errors import PayloadError, SignatureError, type_name

UTC = timezone.utc

# Epoch seconds accepted as a date: 1970-01-01 (exclusive) to 3000-01-01; 0 means "no time".
MAX_EPOCH = 32_503_680_000
# Counters (seconds of a call) above this are not a call: ten years.
MAX_SECONDS = 10 * 365 * 24 * 3600
MAX_TEXT = 20_000


def where(path: str, key: str) -> str:
	return f"{path}.{key}" if path else key


def short(value, limit: int = 40) -> str:
	"""A value for an error message: repr, cut to ``limit`` characters."""
	if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**limit:
		return "<a number too long to show>"  # repr() of a huge int is slow or refused
	try:
		text = repr(value)
	except (ValueError, RecursionError):
		return f"<{type_name(value)}>"
	return text if len(text) <= limit else text[: limit - 3] + "..."


def mapping(value, path: str, *, required: bool = True) -> dict | None:
	"""``value`` as a dict (None when absent and not required)."""
	if value is None and not required:
		return None
	if value is None:
		raise PayloadError(f"missing field '{path}'")
	if not isinstance(value, Mapping):
		raise PayloadError(f"field '{path}' must be an object, got {type_name(value)}")
	return dict(value)


def sub(obj: Mapping, key: str, path: str = "") -> dict:
	"""The object at ``obj[key]``; {} when absent or null."""
	return mapping(obj.get(key), where(path, key), required=False) or {}


def items(obj: Mapping, key: str, path: str = "") -> list:
	"""The array at ``obj[key]``; [] when absent or null."""
	value = obj.get(key)
	if value is None:
		return []
	if not isinstance(value, list | tuple):
		raise PayloadError(f"field '{where(path, key)}' must be an array, got {type_name(value)}")
	return list(value)


def text(value, name: str, *, limit: int = MAX_TEXT) -> str | None:
	"""A string as sent (outer whitespace removed); integers become their digits.

	None, "" and whitespace give None. Phone numbers and ids often arrive as JSON numbers.
	"""
	if value is None:
		return None
	if isinstance(value, bool) or not isinstance(value, str | int):
		raise PayloadError(f"field '{name}' must be a string, got {type_name(value)}")
	if isinstance(value, int):
		if abs(value) >= 10**30:
			raise PayloadError(f"field '{name}' is out of range")
		value = str(value)
	value = value.strip()
	if len(value) > limit:
		raise PayloadError(f"field '{name}' is too long: {len(value)} characters > {limit}")
	return value or None


def opt_str(obj: Mapping, key: str, path: str = "", *, limit: int = MAX_TEXT) -> str | None:
	return text(obj.get(key), where(path, key), limit=limit)


def req_str(obj: Mapping, key: str, path: str = "", *, limit: int = MAX_TEXT) -> str:
	name = where(path, key)
	if obj.get(key) is None:
		raise PayloadError(f"missing field '{name}'")
	value = text(obj.get(key), name, limit=limit)
	if value is None:
		raise PayloadError(f"field '{name}' is empty")
	return value


def integer(value, name: str, *, minimum: int = 0, maximum: int = MAX_SECONDS) -> int | None:
	"""A whole number from a JSON number or a string of digits; None when absent or blank."""
	if value is None or (isinstance(value, str) and not value.strip()):
		return None
	if isinstance(value, bool):
		raise PayloadError(f"field '{name}' must be a number, got boolean")
	number = None
	if isinstance(value, int):
		number = value
	elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
		number = int(value)
	elif isinstance(value, str) and len(value) <= 30:
		stripped = value.strip()
		if stripped.lstrip("-").isdigit() and stripped.isascii():
			number = int(stripped)
	if number is None:
		raise PayloadError(f"field '{name}' must be a whole number, got {short(value)}")
	if not minimum <= number <= maximum:
		raise PayloadError(f"field '{name}' is out of range: {short(number)}")
	return number


def opt_int(obj: Mapping, key: str, path: str = "", **bounds) -> int | None:
	return integer(obj.get(key), where(path, key), **bounds)


def from_epoch(value, name: str) -> datetime | None:
	"""Unix seconds (number or digits) as an aware UTC datetime; None for absent, blank or 0."""
	seconds = integer(value, name, minimum=0, maximum=MAX_EPOCH)
	if not seconds:
		return None
	return datetime.fromtimestamp(seconds, tz=UTC)


def from_iso(value, name: str) -> datetime | None:
	"""An ISO 8601 date-time: with a zone it is converted to UTC, without one it stays naive.

	Unix seconds (a number) are accepted too and give UTC.
	"""
	if value is None or (isinstance(value, str) and not value.strip()):
		return None
	if isinstance(value, int | float) and not isinstance(value, bool):
		return from_epoch(int(value) if math.isfinite(value) else value, name)
	if not isinstance(value, str):
		raise PayloadError(f"field '{name}' must be an ISO 8601 date-time, got {type_name(value)}")
	stripped = value.strip()
	try:
		if len(stripped) > 40:
			raise ValueError
		# Python 3.10 (Frappe v15's minimum) does not read a trailing "Z" itself.
		if stripped[-1:] in ("Z", "z"):
			stripped = stripped[:-1] + "+00:00"
		moment = datetime.fromisoformat(stripped)
	except ValueError:
		raise PayloadError(f"field '{name}' is not an ISO 8601 date-time: {short(value)}")
	if moment.tzinfo is not None:
		try:
			moment = moment.astimezone(UTC)
		except OverflowError:
			raise PayloadError(f"field '{name}' is out of range: {short(value)}")
	return moment


def form_value(value):
	"""A form field as one value: parse_qs gives lists, frappe.form_dict gives strings."""
	if isinstance(value, list | tuple):
		return value[-1] if value else None
	return value


def same_secret(given: str | None, expected: str | None, what: str) -> None:
	"""Raise SignatureError unless ``given`` equals ``expected`` (compared in constant time)."""
	if not expected:
		raise SignatureError(f"{what} is not configured")
	if given is None or given == "":
		raise SignatureError(f"missing {what}")
	if not isinstance(given, str):
		raise SignatureError(f"{what} must be a string")
	if not hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8")):
		raise SignatureError(f"wrong {what}")
