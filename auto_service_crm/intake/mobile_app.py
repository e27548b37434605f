"""Our contract for requests sent from the station's mobile app.

The app POSTs one JSON object (UTF-8, at most 64 KiB) per request:

.. code-block:: json

	{
		"request_id": "a7f3c2e0-5b1d-4c8e-9f00-2d6c1b7e4a11",
		"name": "Иван Петров",
		"phone": "+79161234567",
		"email": "ivan@example.com",
		"text": "Замена масла и фильтров",
		"vehicle": "Kia Rio 2017",
		"plate": "А123ВС77",
		"vin": "Z94CB41AAHR123456",
		"preferred_time": "2024-05-20T10:00:00+03:00"
	}

- ``request_id`` (required): the app's id of this request, generated once on the phone and sent
  again on every retry, so a repeated delivery is recognized.
- ``phone`` (required): the client's number as typed or taken from the account; it must contain
  a digit. Normalization happens later.
- ``name``, ``email``, ``text`` (the client's own words), ``vehicle`` (free text such as
  "Kia Rio 2017"), ``plate``, ``vin``: optional text, kept as sent.
- ``preferred_time``: when the client would like to come, ISO 8601; with a zone it becomes UTC,
  without one it stays a naive local time.

Unknown fields are ignored (kept in ``raw``).
"""

from auto_service_crm.intake._common import from_iso, mapping, opt_str, req_str
from auto_service_crm.intake.errors import PayloadError
from auto_service_crm.intake.events import MobileAppRequest


def parse(payload: dict) -> MobileAppRequest:
	"""The MobileAppRequest of one payload, or PayloadError saying what is wrong."""
	payload = mapping(payload, "payload")
	request_id = req_str(payload, "request_id", limit=128)
	phone = req_str(payload, "phone", limit=64)
	if not any(ch.isdigit() for ch in phone):
		raise PayloadError(f"field 'phone' has no digits: {phone!r}")
	return MobileAppRequest(
		external_id=request_id,
		phone=phone,
		name=opt_str(payload, "name", limit=256),
		email=opt_str(payload, "email", limit=254),
		text=opt_str(payload, "text"),
		vehicle=opt_str(payload, "vehicle", limit=256),
		plate=opt_str(payload, "plate", limit=32),
		vin=opt_str(payload, "vin", limit=32),
		preferred_time=from_iso(payload.get("preferred_time"), "preferred_time"),
		raw=payload,
	)
