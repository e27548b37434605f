from datetime import date, datetime, timedelta

import pytest

from auto_service_crm.rules.automatic_categories import (
	CLIENT_KINDS,
	ClientFacts,
	Condition,
	Fact,
	LinkRequest,
	Operator,
	RefusedRequest,
	Rule,
	RuleError,
	check_rule,
	decide_automatic_category,
	evaluate,
	fact_values,
	matching_rules,
	render_reason,
)
from auto_service_crm.setup.defaults import AUTOMATIC_CATEGORY_RULES, SETTINGS_OF_RULES

NOW = datetime(2026, 11, 23, 10, 30)


def facts(**kw):
	return ClientFacts(appeal_on=NOW, **kw)


def shipped(**values) -> list[Rule]:
	"""The shipped rules, as the install step makes them; ``values``: a rule name → its condition's value."""
	return [
		Rule(
			name=r["rule_name"],
			category=r["category"],
			conditions=tuple(
				Condition(c["fact"], c["operator"], values.get(r["rule_name"], c["value"]))
				for c in r["conditions"]
			),
			order=r["rule_order"],
			reason=r["reason"],
			link_request=r.get("link_request"),
		)
		for r in AUTOMATIC_CATEGORY_RULES
	]


SHIPPED = shipped()


def rule(*conditions, name="R", category="Repair Services", order=0, **kw) -> Rule:
	return Rule(
		name=name, category=category, conditions=tuple(Condition(*c) for c in conditions), order=order, **kw
	)


def holds(condition: tuple, **kw) -> bool:
	return decide_automatic_category(facts(**kw), [rule(condition, reason="r")]) is not None


# The shipped rules behave as the three rules of the first round.


def test_nothing_known_means_the_operator_chooses():
	assert decide_automatic_category(facts(), SHIPPED) is None


def test_second_appeal_of_the_day_is_call_continuation():
	decision = decide_automatic_category(facts(earlier_appeals_same_day=1), SHIPPED)
	assert decision.category == "Call Continuation"
	assert decision.reason == "appeal no. 2 of the client today"
	assert decision.service_request is None


def test_first_appeal_of_the_day_is_not():
	assert decide_automatic_category(facts(earlier_appeals_same_day=0), SHIPPED) is None


@pytest.mark.parametrize(
	("earlier", "threshold", "matches"), [(1, "3", False), (2, "3", True), (5, "3", True), (0, "1", True)]
)
def test_same_day_threshold_is_the_rules_value(earlier, threshold, matches):
	rules = shipped(**{"Call Continuation: Appeals Today": threshold})
	decision = decide_automatic_category(facts(earlier_appeals_same_day=earlier), rules)
	assert (decision is not None and decision.category == "Call Continuation") == matches


def test_open_service_request_is_call_continuation_linked_to_it():
	decision = decide_automatic_category(facts(open_service_requests=("SR-1", "SR-0")), SHIPPED)
	assert decision.category == "Call Continuation"
	assert decision.service_request == "SR-1"
	assert decision.reason == "open service request SR-1"


def test_open_repair_order():
	decision = decide_automatic_category(facts(open_repair_orders=("SO-7",)), SHIPPED)
	assert decision.category == "Repair Order Status"
	assert "SO-7" in decision.reason


@pytest.mark.parametrize(
	("days_ago", "matches"), [(0, True), (1, True), (29, True), (30, True), (31, False), (90, False)]
)
def test_refused_within_the_last_month(days_ago, matches):
	refused = RefusedRequest("SR-9", NOW - timedelta(days=days_ago))
	decision = decide_automatic_category(facts(refused_requests=(refused,)), SHIPPED)
	if matches:
		assert decision.category == "Repeat Appeal"
		assert decision.service_request == "SR-9"
	else:
		assert decision is None


def test_refused_window_is_by_calendar_day_not_by_hours():
	refused_late = RefusedRequest("SR-9", datetime(2026, 10, 24, 23, 59))  # 30 days before 23 Nov by date
	assert (
		decide_automatic_category(facts(refused_requests=(refused_late,)), SHIPPED).category
		== "Repeat Appeal"
	)
	refused_early = RefusedRequest("SR-8", datetime(2026, 10, 23, 0, 1))  # 31 days
	assert decide_automatic_category(facts(refused_requests=(refused_early,)), SHIPPED) is None


def test_look_back_is_the_rules_value():
	refused = (RefusedRequest("SR-9", date(2026, 11, 13)),)
	assert decide_automatic_category(
		facts(refused_requests=refused), shipped(**{"Recently Refused Service Request": "10"})
	)
	assert (
		decide_automatic_category(
			facts(refused_requests=refused), shipped(**{"Recently Refused Service Request": "9"})
		)
		is None
	)


def test_latest_refusal_is_continued():
	requests = (RefusedRequest("SR-1", date(2026, 11, 1)), RefusedRequest("SR-2", date(2026, 11, 20)))
	decision = decide_automatic_category(facts(refused_requests=requests), SHIPPED)
	assert decision.service_request == "SR-2"
	assert decision.reason == "service request SR-2 refused on 2026-11-20"


def test_a_refusal_in_the_future_of_the_appeal_does_not_count():
	refused = RefusedRequest("SR-1", NOW + timedelta(days=2))
	assert decide_automatic_category(facts(refused_requests=(refused,)), SHIPPED) is None
	assert fact_values(facts(refused_requests=(refused,)))[Fact.DAYS_SINCE_REFUSAL] is None


def test_precedence_repair_order_then_continuation_then_refusal():
	everything = facts(
		earlier_appeals_same_day=3,
		open_service_requests=("SR-1",),
		open_repair_orders=("SO-1",),
		refused_requests=(RefusedRequest("SR-2", NOW),),
	)
	assert [d.rule for d in matching_rules(everything, SHIPPED)] == [
		"Open Repair Order",
		"Call Continuation: Appeals Today",
		"Call Continuation: Open Service Request",
		"Recently Refused Service Request",
	]
	assert decide_automatic_category(everything, SHIPPED).category == "Repair Order Status"
	without_order = facts(earlier_appeals_same_day=1, refused_requests=(RefusedRequest("SR-2", NOW),))
	assert decide_automatic_category(without_order, SHIPPED).category == "Call Continuation"


def test_same_day_continuation_wins_over_the_open_request_and_links_none():
	decision = decide_automatic_category(
		facts(earlier_appeals_same_day=1, open_service_requests=("SR-1",)), SHIPPED
	)
	assert decision.rule == "Call Continuation: Appeals Today"
	assert decision.service_request is None


def test_the_shipped_rules_pass_their_own_check():
	for r in SHIPPED:
		check_rule(r, (facts(), facts(earlier_appeals_same_day=4, open_repair_orders=("SO-1",))))


def test_the_settings_mirror_conditions_of_shipped_rules():
	by_name = {r.name: r for r in SHIPPED}
	for rule_name, fact in SETTINGS_OF_RULES.values():
		assert fact in {c.fact for c in by_name[rule_name].conditions}


# Each kind of condition at its boundaries.


@pytest.mark.parametrize(
	("operator", "value", "appeals", "matches"),
	[
		("=", "2", 2, True),
		("=", "2", 3, False),
		("!=", "2", 2, False),
		("!=", "2", 1, True),
		(">", "2", 2, False),
		(">", "2", 3, True),
		(">=", "2", 1, False),
		(">=", "2", 2, True),
		("<", "2", 1, True),
		("<", "2", 2, False),
		("<=", "2", 2, True),
		("<=", "2", 3, False),
		(">=", " 2 ", 2, True),
	],
)
def test_numbers_compare_at_the_boundary(operator, value, appeals, matches):
	assert holds((Fact.APPEALS_TODAY, operator, value), earlier_appeals_same_day=appeals - 1) == matches


def test_appeals_today_counts_this_appeal():
	assert fact_values(facts())[Fact.APPEALS_TODAY] == 1
	assert fact_values(facts(earlier_appeals_same_day=4))[Fact.APPEALS_TODAY] == 5


@pytest.mark.parametrize(("count", "matches"), [(0, False), (1, True), (2, True)])
def test_counts_of_open_requests_and_orders(count, matches):
	names = tuple(f"X-{i}" for i in range(count))
	assert holds((Fact.OPEN_SERVICE_REQUESTS, ">=", "1"), open_service_requests=names) == matches
	assert holds((Fact.OPEN_REPAIR_ORDERS, ">", "0"), open_repair_orders=names) == matches
	assert holds((Fact.OPEN_REPAIR_ORDERS, "=", "0"), open_repair_orders=names) != matches


@pytest.mark.parametrize(("days_ago", "matches"), [(6, True), (7, True), (8, False)])
def test_refused_within_n_days(days_ago, matches):
	refused = (RefusedRequest("SR-1", NOW - timedelta(days=days_ago)),)
	assert holds((Fact.DAYS_SINCE_REFUSAL, "<=", "7"), refused_requests=refused) == matches


def test_no_refusal_satisfies_no_comparison_but_is_not_set():
	for operator in ("=", "!=", ">", ">=", "<", "<="):
		assert not holds((Fact.DAYS_SINCE_REFUSAL, operator, "0"))
	assert holds((Fact.DAYS_SINCE_REFUSAL, "Is Not Set", None))
	assert not holds((Fact.DAYS_SINCE_REFUSAL, "Is Set", None))
	assert holds((Fact.DAYS_SINCE_REFUSAL, "Is Set", ""), refused_requests=(RefusedRequest("SR-1", NOW),))


@pytest.mark.parametrize(
	("operator", "value", "kind", "matches"),
	[
		("=", "Primary", "Primary", True),
		("=", "primary", "Primary", True),
		("=", "Primary", "Repeat", False),
		("!=", "Primary", "Repeat", True),
		("In", "Primary, Repeat", "Repeat", True),
		("Not In", "Repeat", "Primary", True),
		("Not In", "Repeat", "Repeat", False),
	],
)
def test_primary_or_repeat(operator, value, kind, matches):
	assert holds((Fact.CLIENT_KIND, operator, value), client_kind=kind) == matches


@pytest.mark.parametrize(
	("operator", "value", "channel", "matches"),
	[
		("=", "Website Form", "Website Form", True),
		("=", "Website Form", "Website", False),
		("!=", "Website Form", "Chat", True),
		("In", "Chat, Website Form", "Website Form", True),
		("In", "Chat,Mobile App", "Website Form", False),
		("Not In", "Chat, Mobile App", "Website Form", True),
		("Is Set", None, None, False),
		("Is Not Set", None, None, True),
		("=", "Chat", None, False),
		("!=", "Chat", None, True),
	],
)
def test_the_channel(operator, value, channel, matches):
	assert holds((Fact.CHANNEL, operator, value), channel=channel) == matches


def test_the_ad_channel():
	assert holds((Fact.AD_CHANNEL, "=", "Yandex Direct"), ad_channel="Yandex Direct")
	assert not holds((Fact.AD_CHANNEL, "=", "Yandex Direct"), ad_channel="Avito")
	assert holds((Fact.AD_CHANNEL, "Is Not Set", None))


def test_every_condition_must_hold():
	website_primary = rule(
		(Fact.CHANNEL, "=", "Website Form"), (Fact.CLIENT_KIND, "=", "Primary"), reason="r"
	)
	assert decide_automatic_category(facts(channel="Website Form", client_kind="Primary"), [website_primary])
	assert not decide_automatic_category(
		facts(channel="Website Form", client_kind="Repeat"), [website_primary]
	)
	assert not decide_automatic_category(facts(channel="Chat", client_kind="Primary"), [website_primary])


# Order, disabled rules, broken rules.


def test_the_lowest_order_wins_and_ties_go_by_name():
	any_appeal = (Fact.APPEALS_TODAY, ">=", "1")
	rules = [
		rule(any_appeal, name="B", category="Other", order=5),
		rule(any_appeal, name="A", category="Spare Parts", order=5),
		rule(any_appeal, name="C", category="Repair Services", order=7),
	]
	assert decide_automatic_category(facts(), rules).category == "Spare Parts"
	assert decide_automatic_category(facts(), [*rules, rule(any_appeal, name="Z", order=-1)]).rule == "Z"


def test_disabled_rules_are_skipped():
	any_appeal = (Fact.APPEALS_TODAY, ">=", "1")
	rules = [rule(any_appeal, name="Off", order=1, enabled=False), rule(any_appeal, name="On", order=2)]
	assert decide_automatic_category(facts(), rules).rule == "On"
	assert decide_automatic_category(facts(), rules[:1]) is None


@pytest.mark.parametrize(
	"broken",
	[
		rule(("Weather", "=", "rain")),
		rule((Fact.APPEALS_TODAY, "~", "1")),
		rule((Fact.APPEALS_TODAY, ">=", "two")),
		rule((Fact.CHANNEL, ">", "Chat")),
		rule((Fact.CHANNEL, "=", "")),
		rule(),
		rule((Fact.APPEALS_TODAY, ">=", "1"), reason="{weather}"),
		rule((Fact.APPEALS_TODAY, ">=", "1"), link_request="Sales Order"),
	],
)
def test_a_broken_rule_is_skipped_and_reported(broken):
	working = rule((Fact.APPEALS_TODAY, ">=", "1"), name="Works", order=99, category="Other")
	evaluation = evaluate(facts(), [broken, working])
	assert evaluation.decision.rule == "Works"
	assert [name for name, _why in evaluation.failures] == ["R"]
	with pytest.raises(RuleError):
		check_rule(broken, (facts(),))


def test_a_broken_rule_after_the_winner_is_not_reached():
	working = rule((Fact.APPEALS_TODAY, ">=", "1"), name="Works", order=1)
	evaluation = evaluate(facts(), [working, rule(("Weather", "=", "rain"), order=2)])
	assert evaluation.decision.rule == "Works" and not evaluation.failures


@pytest.mark.parametrize(
	("condition", "why"),
	[
		(("Weather", "=", "rain"), "Unknown fact"),
		((Fact.APPEALS_TODAY, "like", "1"), "Unknown operator"),
		((Fact.OPEN_REPAIR_ORDERS, "In", "1, 2"), "cannot be compared"),
		((Fact.CHANNEL, "<=", "Chat"), "cannot be compared"),
		((Fact.APPEALS_TODAY, ">=", None), "needs a value"),
		((Fact.APPEALS_TODAY, ">=", "1.5"), "whole number"),
		((Fact.CLIENT_KIND, "=", "VIP"), "Primary or Repeat"),
	],
)
def test_the_check_says_why(condition, why):
	with pytest.raises(RuleError, match=why):
		check_rule(rule(condition, reason="r"))


def test_a_rule_needs_a_category_and_a_condition():
	with pytest.raises(RuleError, match="category"):
		check_rule(rule((Fact.APPEALS_TODAY, ">=", "1"), category=""))
	with pytest.raises(RuleError, match="at least one condition"):
		check_rule(rule())


def test_the_reason_fills_in_the_facts():
	values = {"appeals_today": 3, "channel": None}
	assert render_reason("no. {appeals_today} by { channel }!", values) == "no. 3 by !"
	assert render_reason("", values) == ""
	with pytest.raises(RuleError, match="no fact"):
		render_reason("{__class__}", values)
	with pytest.raises(RuleError, match="no fact"):
		render_reason("{appeals_today.real}", values)


def test_the_link_follows_the_rule():
	everything = facts(open_service_requests=("SR-1",), refused_requests=(RefusedRequest("SR-2", NOW),))
	condition = (Fact.APPEALS_TODAY, ">=", "1")
	assert (
		decide_automatic_category(
			everything, [rule(condition, link_request=LinkRequest.OPEN)]
		).service_request
		== "SR-1"
	)
	assert (
		decide_automatic_category(
			everything, [rule(condition, link_request=LinkRequest.REFUSED)]
		).service_request
		== "SR-2"
	)
	assert decide_automatic_category(everything, [rule(condition)]).service_request is None
	assert (
		decide_automatic_category(facts(), [rule(condition, link_request=LinkRequest.OPEN)]).service_request
		is None
	)


def test_the_select_options_are_the_rules_vocabulary():
	from tests.static.app_files import doctypes

	fields = {f["fieldname"]: f for f in doctypes()["Automatic Category Rule Condition"]["fields"]}
	assert fields["fact"]["options"].split("\n") == [f.value for f in Fact]
	assert fields["operator"]["options"].split("\n") == [o.value for o in Operator]
	rule_fields = {f["fieldname"]: f for f in doctypes()["Automatic Category Rule"]["fields"]}
	assert set(rule_fields["link_request"]["options"].split("\n")) - {""} == {r.value for r in LinkRequest}
	appeal = {f["fieldname"]: f for f in doctypes()["Appeal"]["fields"]}
	assert set(appeal["client_kind"]["options"].split("\n")) == set(CLIENT_KINDS)
