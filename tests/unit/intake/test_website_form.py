import pytest

from auto_service_crm.intake import website_form
from auto_service_crm.intake.errors import PayloadError


def form(**changes):
	base = {
		"mode": "callback",
		"submission_id": "f-2024-000123",
		"name": "Анна",
		"phone": "+7 916 000-00-08",
		"email": "anna@example.com",
		"comment": "Стучит подвеска спереди",
		"form": "Запись на диагностику",
		"utm_source": "yandex",
		"utm_medium": "cpc",
		"utm_campaign": "podveska",
	}
	base.update(changes)
	return {k: v for k, v in base.items() if v is not ...}


def test_the_documented_example():
	submission = website_form.parse(form())
	assert submission.mode == "callback"
	assert submission.external_id == "f-2024-000123"
	assert submission.name == "Анна" and submission.phone == "+7 916 000-00-08"
	assert submission.email == "anna@example.com" and submission.comment == "Стучит подвеска спереди"
	assert submission.form_name == "Запись на диагностику"
	assert (submission.utm_source, submission.utm_medium, submission.utm_campaign) == (
		"yandex",
		"cpc",
		"podveska",
	)
	assert submission.raw["submission_id"] == "f-2024-000123"


@pytest.mark.parametrize(
	("given", "mode"),
	[
		(..., "register"),
		(None, "register"),
		("", "register"),
		("REGISTER", "register"),
		("Callback", "callback"),
	],
)
def test_mode_defaults_to_register(given, mode):
	assert website_form.parse(form(mode=given)).mode == mode


def test_unknown_mode_is_refused():
	with pytest.raises(PayloadError, match=r"^field 'mode' must be one of register, callback; got 'order'$"):
		website_form.parse(form(mode="order"))


def test_phone_or_email_is_enough():
	assert website_form.parse(form(email=...)).phone == "+7 916 000-00-08"
	assert website_form.parse(form(phone=...)).email == "anna@example.com"
	assert website_form.parse(form(phone=79160000008, email=...)).phone == "79160000008"


@pytest.mark.parametrize(
	("changes", "message"),
	[
		({"phone": ..., "email": ...}, r"^missing field 'phone' or 'email': a form needs one of them$"),
		({"phone": "  ", "email": None}, r"^missing field 'phone' or 'email'"),
		({"phone": "позвоните", "email": ...}, r"^field 'phone' has no digits: 'позвоните'$"),
		({"phone": ..., "email": "anna"}, r"^field 'email' is not an email address: 'anna'$"),
		({"name": {"first": "Анна"}}, r"^field 'name' must be a string, got object$"),
		({"utm": "yandex"}, r"^field 'utm' must be an object, got string$"),
		({"comment": "x" * 20001}, r"^field 'comment' is too long"),
		({"page_url": "http://[::1/x?utm_source=a"}, r"^field 'page_url' is not a URL"),
	],
)
def test_bad_forms_are_refused_clearly(changes, message):
	with pytest.raises(PayloadError, match=message):
		website_form.parse(form(**changes))


def test_a_garbled_phone_is_kept_when_an_email_can_reach_the_client():
	assert website_form.parse(form(phone="позвоните")).phone == "позвоните"


def test_utm_marks_nested_in_utm():
	submission = website_form.parse(
		form(
			utm_source=...,
			utm_medium=...,
			utm_campaign=...,
			utm={"utm_source": "vk", "medium": "social", "campaign": "tires"},
		)
	)
	assert (submission.utm_source, submission.utm_medium, submission.utm_campaign) == (
		"vk",
		"social",
		"tires",
	)


def test_utm_marks_from_the_page_url():
	submission = website_form.parse(
		form(
			utm_source=...,
			utm_medium=...,
			utm_campaign=...,
			page_url="https://example.com/diagnostika?utm_source=google&utm_medium=cpc&utm_campaign=%D1%88%D0%B8%D0%BD%D1%8B#form",
		)
	)
	assert (submission.utm_source, submission.utm_medium, submission.utm_campaign) == (
		"google",
		"cpc",
		"шины",
	)


def test_top_level_marks_win_over_nested_and_url_ones():
	submission = website_form.parse(
		form(
			utm_medium=...,
			utm={"utm_source": "vk", "utm_medium": "social"},
			page_url="https://x.example/?utm_source=g&utm_campaign=c",
		)
	)
	assert submission.utm_source == "yandex"
	assert submission.utm_medium == "social"
	assert submission.utm_campaign == "podveska"


def test_page_url_without_marks_gives_none():
	assert website_form.utm_from_url("https://example.com/contacts") == dict.fromkeys(
		("utm_source", "utm_medium", "utm_campaign")
	)
	assert website_form.utm_from_url(None)["utm_source"] is None


def test_minimal_form():
	submission = website_form.parse({"phone": "89160000008"})
	assert submission.mode == "register" and submission.external_id is None
	assert submission.name is None and submission.utm_source is None and submission.form_name is None


def test_duplicate_submissions_are_equal():
	assert website_form.parse(form()) == website_form.parse(form())
	assert website_form.parse(form()).external_id == website_form.parse(form()).external_id
