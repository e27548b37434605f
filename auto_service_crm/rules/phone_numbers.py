"""Phone numbers: one normalized form (E.164) for storage, lookups and comparisons."""

import phonenumbers

DEFAULT_REGION = "RU"


class InvalidPhoneNumber(ValueError):
	"""The text cannot be read as a phone number."""


def normalize_phone(raw: str | None, region: str | None = DEFAULT_REGION) -> str:
	"""Return the number in E.164 (``+79161234567``), or raise InvalidPhoneNumber.

	Numbers without a country code are read in ``region``. The Russian trunk prefix ``8``
	(``8 916 123-45-67``) is understood as the library understands it for RU.
	"""
	text = (raw or "").strip()
	if not text:
		raise InvalidPhoneNumber("empty phone number")
	if len(text) > 64:
		raise InvalidPhoneNumber("phone number is too long")
	if text.startswith("00"):
		text = "+" + text[2:]
	try:
		number = phonenumbers.parse(text, (region or DEFAULT_REGION).upper())
	except phonenumbers.NumberParseException as e:
		raise InvalidPhoneNumber(f"not a phone number: {raw!r}") from e
	if not phonenumbers.is_possible_number(number):
		raise InvalidPhoneNumber(f"not a possible phone number: {raw!r}")
	normalized = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
	# A national number that starts with the trunk prefix again and again ("+20 00000 00000") loses
	# one prefix at each reading: such a number has no one normalized form to store and compare.
	try:
		again = phonenumbers.format_number(
			phonenumbers.parse(normalized, None), phonenumbers.PhoneNumberFormat.E164
		)
	except phonenumbers.NumberParseException:
		again = None
	if again != normalized:
		raise InvalidPhoneNumber(f"not a possible phone number: {raw!r}")
	return normalized


def normalize_phone_or_none(raw: str | None, region: str | None = DEFAULT_REGION) -> str | None:
	"""Like normalize_phone, but an unreadable or empty number gives None."""
	try:
		return normalize_phone(raw, region)
	except InvalidPhoneNumber:
		return None


def is_valid_region(region: str | None) -> bool:
	return bool(region) and region.upper() in phonenumbers.SUPPORTED_REGIONS
