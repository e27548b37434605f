"""The default categories and results are exactly those of seed 000_fb252e4d6812e62f.txt."""

from auto_service_crm.setup import defaults

CATEGORIES = {c["category_name"]: c for c in defaults.CATEGORIES}
RESULTS = {r["result_name"]: r for r in defaults.RESULTS}


def test_six_predefined_categories_in_seed_order():
	assert list(CATEGORIES) == [
		"Repair Services",
		"Spare Parts",
		"Call Continuation",
		"Repair Order Status",
		"Repeat Appeal",
		"Other",
	]
	assert [c["display_order"] for c in defaults.CATEGORIES] == [1, 2, 3, 4, 5, 6]


def test_repair_services_results():
	assert CATEGORIES["Repair Services"]["results"] == ("Client Booked", "Postpone", "Redirect", "Refused")


def test_spare_parts_results():
	assert CATEGORIES["Spare Parts"]["results"] == (
		"Await Client with Reservation",
		"Await Client without Reservation",
		"Sale Made",
		"Redirect",
		"Refused",
	)


def test_categories_without_results_end_the_appeal_or_continue_the_request():
	for name in ("Call Continuation", "Repair Order Status", "Other"):
		assert CATEGORIES[name]["on_selection"] == "Close Appeal"
		assert not CATEGORIES[name].get("results")
	assert CATEGORIES["Repeat Appeal"]["on_selection"] == "Continue Service Request"


def test_the_shipped_rules_are_valid_and_their_russian_reasons_keep_the_placeholders():
	import re

	from auto_service_crm.rules.automatic_categories import Condition, Rule, check_rule

	for r in defaults.AUTOMATIC_CATEGORY_RULES:
		conditions = tuple(Condition(**c) for c in r["conditions"])
		for reason in (r["reason"], defaults.localized_text(r["reason"], "ru")):
			check_rule(
				Rule(
					r["rule_name"],
					r["category"],
					conditions,
					reason=reason,
					link_request=r.get("link_request"),
				)
			)
		ru = defaults.localized_text(r["reason"], "ru")
		assert ru != r["reason"]
		assert re.findall(r"\{\w+\}", ru) == re.findall(r"\{\w+\}", r["reason"])


def test_automatic_rules_set_the_three_automatic_categories():
	rules = {r["rule_name"]: (r["rule_order"], r["category"]) for r in defaults.AUTOMATIC_CATEGORY_RULES}
	assert rules == {
		"Open Repair Order": (10, "Repair Order Status"),
		"Call Continuation: Appeals Today": (20, "Call Continuation"),
		"Call Continuation: Open Service Request": (30, "Call Continuation"),
		"Recently Refused Service Request": (40, "Repeat Appeal"),
	}
	assert {r["category"] for r in defaults.AUTOMATIC_CATEGORY_RULES} <= set(CATEGORIES)
	assert not any("automatic_rule" in c for c in CATEGORIES.values())


def test_only_targeted_categories_are_repair_and_parts():
	assert {n for n, c in CATEGORIES.items() if c.get("is_targeted")} == {"Repair Services", "Spare Parts"}


def test_every_result_referenced_exists_and_every_result_is_used():
	used = {r for c in defaults.CATEGORIES for r in c.get("results", ())}
	assert used == set(RESULTS)


def test_results_hand_off_the_right_kind():
	assert RESULTS["Client Booked"]["service_request_kind"] == "Repair"
	assert RESULTS["Client Booked"]["required_fields"] == ("booking_time",)
	assert RESULTS["Postpone"]["service_request_kind"] == "Repair"
	assert RESULTS["Await Client with Reservation"]["reserve_stock"]
	assert not RESULTS["Await Client without Reservation"].get("reserve_stock")
	assert RESULTS["Sale Made"]["record_sale"]
	assert RESULTS["Postpone"]["required_fields"] == ("callback_at",)
	assert RESULTS["Await Client with Reservation"]["required_fields"] == ("items",)
	assert RESULTS["Sale Made"]["required_fields"] == ("sales_order",)
	assert RESULTS["Redirect"]["required_fields"] == ("redirect_to",)
	assert RESULTS["Refused"]["required_fields"] == ("result_reason",)
	assert not RESULTS["Await Client without Reservation"].get("required_fields")


def test_required_fields_of_the_results_are_data_fields_of_the_appeal():
	from tests.static.app_files import NO_VALUE_TYPES, doctypes

	appeal = {f["fieldname"]: f["fieldtype"] for f in doctypes()["Appeal"]["fields"]}
	for r in defaults.RESULTS:
		for field in r.get("required_fields", ()):
			assert field in appeal, field
			assert appeal[field] not in NO_VALUE_TYPES, field


def test_statuses_referenced_exist_and_each_list_has_one_default():
	appeal = {s["status_name"] for s in defaults.APPEAL_STATUSES}
	request = {s["status_name"] for s in defaults.SERVICE_REQUEST_STATUSES}
	for r in defaults.RESULTS:
		assert r["appeal_status"] in appeal
		if r.get("service_request_status"):
			assert r["service_request_status"] in request
	for c in defaults.CATEGORIES:
		if c.get("closing_status"):
			assert c["closing_status"] in appeal
	for statuses in (defaults.APPEAL_STATUSES, defaults.SERVICE_REQUEST_STATUSES):
		assert sum(1 for s in statuses if s.get("is_default")) == 1
		assert {s["category"] for s in statuses} == {"Open", "Paused", "Completed", "Refused"}


def test_default_records_match_their_doctypes():
	"""Every key of a default record is a field of its DocType, every Select value an option."""
	from tests.static.app_files import doctypes

	dts = doctypes()
	for doctype, records in (
		("Appeal Channel", defaults.CHANNELS),
		("Appeal Status", defaults.APPEAL_STATUSES),
		("Service Request Status", defaults.SERVICE_REQUEST_STATUSES),
		("Appeal Result", defaults.RESULTS),
		("Appeal Category", defaults.CATEGORIES),
		("Automatic Category Rule", defaults.AUTOMATIC_CATEGORY_RULES),
	):
		fields = {f["fieldname"]: f for f in dts[doctype]["fields"]}
		for record in records:
			for key, value in record.items():
				assert key in fields, f"{doctype}.{key}"
				if fields[key]["fieldtype"] == "Select":
					assert value in fields[key]["options"].split("\n"), f"{doctype}.{key} = {value}"


def test_every_default_text_has_its_russian_version():
	texts = [r.get(f) for r in defaults.RESULTS + defaults.CATEGORIES for f in defaults.LOCALIZED_FIELDS]
	texts += [r["reason"] for r in defaults.AUTOMATIC_CATEGORY_RULES]
	assert set(filter(None, texts)) == set(defaults.TEXTS_RU)


def test_records_are_localized_for_a_russian_site_only():
	category = next(c for c in defaults.CATEGORIES if c["category_name"] == "Spare Parts")
	ru = defaults.localized(category, "ru")
	assert ru["call_script"].startswith("<p>Уточните автомобиль") and ru["category_name"] == "Spare Parts"
	assert ru["results"] == category["results"]
	assert defaults.localized(category, "en") == category == defaults.localized(category, None)


def test_a_shipped_text_reads_in_the_readers_language_and_a_consultants_own_as_written():
	script = defaults.CATEGORIES[0]["call_script"]
	assert defaults.localized_text(script, "ru") == defaults.TEXTS_RU[script]
	assert defaults.localized_text(script, "ru-RU") == defaults.TEXTS_RU[script]
	assert defaults.localized_text(script, "en") == script
	assert defaults.localized_text("<p>Своё</p>", "ru") == "<p>Своё</p>"
	assert defaults.localized_text(None, "ru") is None
