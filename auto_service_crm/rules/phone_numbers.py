"""Phone numbers: one normalized form (E.164) for storage, lookups and comparisons.

Providers write numbers their own way: Zadarma's ``caller_id``, Mango's ``from.number`` and
WhatsApp's ``wa_id`` are the country code and the number without «+» (``48601234567`` is a Polish
caller), a PBX may give a SIP address (``sip:101@pbx``) instead of a number. A number is read, in
this order of precedence:

1. as a number valid in the default region (``8 916 123-45-67``, ``79161234567``, ``9161234567``);
2. as an international number once «+» is put before its digits (``48601234567``,
   ``375291234567``, ``16315551234``);
3. as a number merely possible in the default region: the library's metadata lags the ranges the
   regulator opens, and such a number is still the one the client called from.

Anything else is not a phone number (``InvalidPhoneNumber``): the callers keep it as sent.
"""

import phonenumbers

DEFAULT_REGION = "RU"


class InvalidPhoneNumber(ValueError):
	"""The text cannot be read as a phone number."""


def normalize_phone(raw: str | None, region: str | None = DEFAULT_REGION) -> str:
	"""Return the number in E.164 (``+79161234567``), or raise InvalidPhoneNumber.

	Numbers without a country code are read in ``region``; digits that are no number there but a
	valid international number once «+» is put before them are read as that number. The Russian
	trunk prefix ``8`` (``8 916 123-45-67``) is understood as the library understands it for RU.
	"""
	text = (raw or "").strip()
	if not text:
		raise InvalidPhoneNumber("empty phone number")
	if len(text) > 64:
		raise InvalidPhoneNumber("phone number is too long")
	if text.startswith("00"):
		text = "+" + text[2:]
	region = (region or DEFAULT_REGION).upper()
	in_region = _parse(text, region)
	if in_region is not None and phonenumbers.is_valid_number(in_region):
		return _stable(in_region, raw)
	if not text.startswith("+"):
		international = _parse("+" + text, None)
		if international is not None and phonenumbers.is_valid_number(international):
			return _stable(international, raw)
	if in_region is not None and phonenumbers.is_possible_number(in_region):
		return _stable(in_region, raw)
	raise InvalidPhoneNumber(f"not a possible phone number: {raw!r}")


def _parse(text: str, region: str | None):
	try:
		return phonenumbers.parse(text, region)
	except phonenumbers.NumberParseException:
		return None


def _stable(number, raw) -> str:
	"""The E.164 text of ``number``, when reading that text again gives the same number."""
	normalized = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
	if len(normalized) > 16:  # E.164 allows 15 digits at most
		raise InvalidPhoneNumber(f"not a possible phone number: {raw!r}")
	# A national number that starts with the trunk prefix again and again ("+20 00000 00000") loses
	# one prefix at each reading: such a number has no one normalized form to store and compare.
	again = _parse(normalized, None)
	if again is None or phonenumbers.format_number(again, phonenumbers.PhoneNumberFormat.E164) != normalized:
		raise InvalidPhoneNumber(f"not a possible phone number: {raw!r}")
	return normalized


def normalize_phone_or_none(raw: str | None, region: str | None = DEFAULT_REGION) -> str | None:
	"""Like normalize_phone, but an unreadable or empty number gives None."""
	try:
		return normalize_phone(raw, region)
	except InvalidPhoneNumber:
		return None


def display_phone(raw: str | None, region: str | None = DEFAULT_REGION) -> str | None:
	"""The number as people write it (``+7 916 123-45-67``), or the text as sent when it is none."""
	normalized = normalize_phone_or_none(raw, region)
	if not normalized:
		return (raw or "").strip() or None
	number = phonenumbers.parse(normalized, None)
	return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def is_valid_region(region: str | None) -> bool:
	return bool(region) and region.upper() in phonenumbers.SUPPORTED_REGIONS
