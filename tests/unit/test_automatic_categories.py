from datetime import date, datetime, timedelta

import pytest

from auto_service_crm.rules.automatic_categories import (
	AutomaticRule,
	ClientFacts,
	RefusedRequest,
	Thresholds,
	decide_automatic_category,
	matching_rules,
)

NOW = datetime(2026, 11, 23, 10, 30)


def facts(**kw):
	return ClientFacts(appeal_on=NOW, **kw)


def test_nothing_known_means_the_operator_chooses():
	assert decide_automatic_category(facts()) is None


def test_second_appeal_of_the_day_is_call_continuation():
	decision = decide_automatic_category(facts(earlier_appeals_same_day=1))
	assert decision.rule == AutomaticRule.CALL_CONTINUATION
	assert "no. 2" in decision.reason


def test_first_appeal_of_the_day_is_not():
	assert decide_automatic_category(facts(earlier_appeals_same_day=0)) is None


@pytest.mark.parametrize(
	("earlier", "threshold", "matches"), [(1, 3, False), (2, 3, True), (5, 3, True), (0, 1, True)]
)
def test_same_day_threshold_comes_from_settings(earlier, threshold, matches):
	decision = decide_automatic_category(
		facts(earlier_appeals_same_day=earlier), Thresholds(same_day_appeals=threshold)
	)
	assert (decision is not None and decision.rule == AutomaticRule.CALL_CONTINUATION) == matches


def test_threshold_zero_switches_the_same_day_rule_off():
	assert (
		decide_automatic_category(facts(earlier_appeals_same_day=9), Thresholds(same_day_appeals=0)) is None
	)


def test_open_service_request_is_call_continuation_linked_to_it():
	decision = decide_automatic_category(facts(open_service_requests=("SR-1",)))
	assert decision.rule == AutomaticRule.CALL_CONTINUATION
	assert decision.service_request == "SR-1"


def test_open_repair_order():
	decision = decide_automatic_category(facts(open_repair_orders=("SO-7",)))
	assert decision.rule == AutomaticRule.OPEN_REPAIR_ORDER
	assert "SO-7" in decision.reason


@pytest.mark.parametrize(
	("days_ago", "matches"), [(0, True), (1, True), (29, True), (30, True), (31, False), (90, False)]
)
def test_refused_within_the_last_month(days_ago, matches):
	refused = RefusedRequest("SR-9", NOW - timedelta(days=days_ago))
	decision = decide_automatic_category(facts(refused_requests=(refused,)))
	if matches:
		assert decision.rule == AutomaticRule.RECENTLY_REFUSED
		assert decision.service_request == "SR-9"
	else:
		assert decision is None


def test_refused_window_is_by_calendar_day_not_by_hours():
	refused_late = RefusedRequest("SR-9", datetime(2026, 10, 24, 23, 59))  # 30 days before 23 Nov by date
	assert (
		decide_automatic_category(facts(refused_requests=(refused_late,))).rule
		== AutomaticRule.RECENTLY_REFUSED
	)
	refused_early = RefusedRequest("SR-8", datetime(2026, 10, 23, 0, 1))  # 31 days
	assert decide_automatic_category(facts(refused_requests=(refused_early,))) is None


def test_look_back_comes_from_settings():
	refused = RefusedRequest("SR-9", date(2026, 11, 13))
	assert decide_automatic_category(facts(refused_requests=(refused,)), Thresholds(refused_lookback_days=10))
	assert (
		decide_automatic_category(facts(refused_requests=(refused,)), Thresholds(refused_lookback_days=9))
		is None
	)


def test_latest_refusal_is_continued():
	requests = (RefusedRequest("SR-1", date(2026, 11, 1)), RefusedRequest("SR-2", date(2026, 11, 20)))
	assert decide_automatic_category(facts(refused_requests=requests)).service_request == "SR-2"


def test_a_refusal_in_the_future_of_the_appeal_does_not_count():
	refused = RefusedRequest("SR-1", NOW + timedelta(days=2))
	assert decide_automatic_category(facts(refused_requests=(refused,))) is None


def test_precedence_repair_order_then_continuation_then_refusal():
	everything = facts(
		earlier_appeals_same_day=3,
		open_service_requests=("SR-1",),
		open_repair_orders=("SO-1",),
		refused_requests=(RefusedRequest("SR-2", NOW),),
	)
	assert [d.rule for d in matching_rules(everything)] == [
		AutomaticRule.OPEN_REPAIR_ORDER,
		AutomaticRule.CALL_CONTINUATION,
		AutomaticRule.RECENTLY_REFUSED,
	]
	assert decide_automatic_category(everything).rule == AutomaticRule.OPEN_REPAIR_ORDER
	without_order = facts(earlier_appeals_same_day=1, refused_requests=(RefusedRequest("SR-2", NOW),))
	assert decide_automatic_category(without_order).rule == AutomaticRule.CALL_CONTINUATION


def test_rule_values_are_the_select_options_of_the_category():
	from tests.static.app_files import doctypes

	options = next(f for f in doctypes()["Appeal Category"]["fields"] if f["fieldname"] == "automatic_rule")
	assert {r.value for r in AutomaticRule} == set(options["options"].split("\n")) - {""}
