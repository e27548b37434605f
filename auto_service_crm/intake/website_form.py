"""Our contract for the station website's forms: register an appeal, or ask a manager to call back.

The site POSTs one JSON object (UTF-8, at most 64 KiB) per submitted form:

.. code-block:: json

	{
		"mode": "callback",
		"submission_id": "f-2024-000123",
		"name": "Анна",
		"phone": "+7 916 123-45-67",
		"email": "anna@example.com",
		"comment": "Стучит подвеска спереди",
		"form": "Запись на диагностику",
		"utm_source": "yandex",
		"utm_medium": "cpc",
		"utm_campaign": "podveska",
		"page_url": "https://example.com/diagnostika?utm_source=yandex&utm_medium=cpc"
	}

- ``mode``: ``register`` (default: file an appeal for a manager to handle) or ``callback`` (the
  client wants a manager to dial them now). Any other value is refused.
- ``submission_id``: the form's own id of this submission, if the site has one; a repeated delivery
  with the same id is the same submission.
- ``phone`` or ``email``: at least one is required. Both are kept as typed; normalization happens
  later. With nothing else to reach the client by, a phone without a single digit or an email
  without "@" is refused.
- ``name``, ``comment``, ``form`` (the form's name or title): optional text.
- UTM marks: ``utm_source``, ``utm_medium``, ``utm_campaign`` at the top level; or nested in
  ``"utm": {"utm_source": ...}`` (or ``{"source": ...}``); or in the query of ``page_url``.
  The first of these that has a mark wins, in that order.

Unknown fields are ignored (kept in ``raw``). Strings may also arrive as JSON numbers (ids, phones).
"""

from urllib.parse import parse_qs, urlsplit

from auto_service_crm.intake._common import mapping, opt_str, sub, text
from auto_service_crm.intake.errors import PayloadError
from auto_service_crm.intake.events import FORM_MODES, FormSubmission

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")


def parse(payload: dict) -> FormSubmission:
	"""The FormSubmission of one posted form, or PayloadError saying what is wrong."""
	payload = mapping(payload, "payload")
	mode = (opt_str(payload, "mode", limit=32) or "register").lower()
	if mode not in FORM_MODES:
		raise PayloadError(f"field 'mode' must be one of {', '.join(FORM_MODES)}; got {mode!r}")
	phone = opt_str(payload, "phone", limit=64)
	email = opt_str(payload, "email", limit=254)
	if not phone and not email:
		raise PayloadError("missing field 'phone' or 'email': a form needs one of them")
	if not email and not any(ch.isdigit() for ch in phone):
		raise PayloadError(f"field 'phone' has no digits: {phone!r}")
	if not phone and "@" not in email:
		raise PayloadError(f"field 'email' is not an email address: {email!r}")
	utm = _utm(payload)
	return FormSubmission(
		external_id=opt_str(payload, "submission_id", limit=128),
		mode=mode,
		name=opt_str(payload, "name", limit=256),
		phone=phone,
		email=email,
		comment=opt_str(payload, "comment"),
		utm_source=utm["utm_source"],
		utm_medium=utm["utm_medium"],
		utm_campaign=utm["utm_campaign"],
		form_name=opt_str(payload, "form", limit=256),
		raw=payload,
	)


def utm_from_url(url: str | None) -> dict[str, str | None]:
	"""The UTM marks in the query of ``url`` (each None when absent); PayloadError if not a URL."""
	marks = dict.fromkeys(UTM_KEYS)
	if not url:
		return marks
	try:
		query = parse_qs(urlsplit(url).query, keep_blank_values=False)
	except ValueError:
		raise PayloadError(f"field 'page_url' is not a URL: {url[:60]!r}")
	for key in UTM_KEYS:
		values = query.get(key)
		if values:
			marks[key] = text(values[0], f"page_url.{key}", limit=256)
	return marks


def _utm(payload: dict) -> dict[str, str | None]:
	nested = sub(payload, "utm")
	from_url = utm_from_url(opt_str(payload, "page_url", limit=4096))
	marks = {}
	for key in UTM_KEYS:
		marks[key] = (
			opt_str(payload, key, limit=256)
			or opt_str(nested, key, "utm", limit=256)
			or opt_str(nested, key.removeprefix("utm_"), "utm", limit=256)
			or from_url[key]
		)
	return marks
