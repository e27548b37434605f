import json
from datetime import datetime, timezone

import pytest

from auto_service_crm.intake import mobile_app
from auto_service_crm.intake.errors import PayloadError, load_json

UTC = timezone.utc


def request(**changes):
	base = {
		"request_id": "a7f3c2e0-5b1d-4c8e-9f00-2d6c1b7e4a11",
		"name": "Иван Петров",
		"phone": "+79160000009",
		"email": "ivan@example.com",
		"text": "Замена масла и фильтров",
		"vehicle": "Kia Rio 2017",
		"plate": "А123ВС77",
		"vin": "Z94CB41AAHR123456",
		"preferred_time": "2024-05-20T10:00:00+03:00",
	}
	base.update(changes)
	return {k: v for k, v in base.items() if v is not ...}


def test_the_documented_example():
	parsed = mobile_app.parse(request())
	assert parsed.external_id == "a7f3c2e0-5b1d-4c8e-9f00-2d6c1b7e4a11"
	assert parsed.name == "Иван Петров" and parsed.phone == "+79160000009"
	assert parsed.email == "ivan@example.com" and parsed.text == "Замена масла и фильтров"
	assert (
		parsed.vehicle == "Kia Rio 2017" and parsed.plate == "А123ВС77" and parsed.vin == "Z94CB41AAHR123456"
	)
	assert parsed.preferred_time == datetime(2024, 5, 20, 7, 0, tzinfo=UTC)
	assert parsed.raw["request_id"] == "a7f3c2e0-5b1d-4c8e-9f00-2d6c1b7e4a11"


def test_only_the_id_and_phone_are_required():
	parsed = mobile_app.parse({"request_id": 42, "phone": 79160000009})
	assert parsed.external_id == "42" and parsed.phone == "79160000009"
	assert parsed.name is None and parsed.vehicle is None and parsed.preferred_time is None


def test_a_local_preferred_time_stays_naive():
	assert mobile_app.parse(request(preferred_time="2024-05-20T10:00")).preferred_time == datetime(
		2024, 5, 20, 10, 0
	)


def test_values_are_kept_as_sent_but_trimmed():
	parsed = mobile_app.parse(request(phone=" 8 (916) 000-00-09 ", vin=" z94cb41aahr123456 ", text="   "))
	assert parsed.phone == "8 (916) 000-00-09" and parsed.vin == "z94cb41aahr123456" and parsed.text is None


@pytest.mark.parametrize(
	("changes", "message"),
	[
		({"request_id": ...}, r"^missing field 'request_id'$"),
		({"request_id": ""}, r"^field 'request_id' is empty$"),
		({"phone": ...}, r"^missing field 'phone'$"),
		({"phone": None}, r"^missing field 'phone'$"),
		({"phone": "нет"}, r"^field 'phone' has no digits: 'нет'$"),
		(
			{"preferred_time": "завтра утром"},
			r"^field 'preferred_time' is not an ISO 8601 date-time: 'завтра утром'$",
		),
		({"vehicle": ["Kia", "Rio"]}, r"^field 'vehicle' must be a string, got array$"),
		({"plate": "x" * 33}, r"^field 'plate' is too long: 33 characters > 32$"),
	],
)
def test_bad_requests_are_refused_clearly(changes, message):
	with pytest.raises(PayloadError, match=message):
		mobile_app.parse(request(**changes))


def test_a_retried_request_has_the_same_id():
	body = json.dumps(request(), ensure_ascii=False).encode()
	assert mobile_app.parse(load_json(body)) == mobile_app.parse(load_json(body))
