"""Automatic appeal categories as data (seed 000_fb252e4d6812e62f.txt, issue 14).

An *Automatic Category Rule* (a record a consultant edits in the desk) sets a category on an appeal
from the facts the app gathers about the client at the moment of the appeal:

- Appeals Today: the client's appeals that calendar day, this one included (always 1 or more);
- Open Service Requests, Open Repair Orders: how many the identified client has;
- Days Since a Service Request Was Refused: calendar days from the client's latest refused Service
  Request to the appeal (0 = refused that day; unset when there is none, a refusal after the
  appeal's day does not count), so "refused within 30 days" is ``<= 30``;
- Client Kind (Primary or Repeat), Channel, Ad Channel: the appeal's own.

A rule holds when every one of its conditions holds (a rule has at least one). A condition on a
number compares with =, !=, >, >=, <, <= (an unset number satisfies none of them); a condition on a
text with = and != (case-insensitive), In and Not In (a comma-separated list); any fact with Is Set
and Is Not Set. Of the enabled rules that hold, the one of the lowest Order wins (ties by name), and
its reason is written on the appeal with the facts put in its ``{placeholders}``. A rule that cannot
be evaluated is skipped and reported, never stopping the rules after it.

The three rules of the first round ship as four records (a condition list has no "or", so call
continuation is two rules with one category), in today's precedence:

1. Open Repair Order (10): Open Repair Orders >= 1 → Repair Order Status;
2. Call Continuation: Appeals Today (20): Appeals Today >= 2 → Call Continuation;
3. Call Continuation: Open Service Request (30): Open Service Requests >= 1 → Call Continuation,
   linked to that request;
4. Recently Refused Service Request (40): Days Since a Service Request Was Refused <= 30 →
   Repeat Appeal, linked to that request.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Fact(StrEnum):
	APPEALS_TODAY = "Appeals Today"
	OPEN_SERVICE_REQUESTS = "Open Service Requests"
	OPEN_REPAIR_ORDERS = "Open Repair Orders"
	DAYS_SINCE_REFUSAL = "Days Since a Service Request Was Refused"
	CLIENT_KIND = "Client Kind"
	CHANNEL = "Channel"
	AD_CHANNEL = "Ad Channel"


class Operator(StrEnum):
	EQUALS = "="
	NOT_EQUALS = "!="
	GREATER = ">"
	GREATER_OR_EQUAL = ">="
	LESS = "<"
	LESS_OR_EQUAL = "<="
	IN = "In"
	NOT_IN = "Not In"
	IS_SET = "Is Set"
	IS_NOT_SET = "Is Not Set"


class LinkRequest(StrEnum):
	"""Which Service Request the appeal continues when the rule sets its category."""

	OPEN = "Open Service Request"
	REFUSED = "Refused Service Request"


NUMBER_FACTS = frozenset(
	{Fact.APPEALS_TODAY, Fact.OPEN_SERVICE_REQUESTS, Fact.OPEN_REPAIR_ORDERS, Fact.DAYS_SINCE_REFUSAL}
)
PRESENCE = frozenset({Operator.IS_SET, Operator.IS_NOT_SET})
NUMBER_OPERATORS = frozenset(
	{
		Operator.EQUALS,
		Operator.NOT_EQUALS,
		Operator.GREATER,
		Operator.GREATER_OR_EQUAL,
		Operator.LESS,
		Operator.LESS_OR_EQUAL,
	}
	| PRESENCE
)
TEXT_OPERATORS = frozenset({Operator.EQUALS, Operator.NOT_EQUALS, Operator.IN, Operator.NOT_IN} | PRESENCE)
CLIENT_KINDS = ("Primary", "Repeat")
# what a reason may name in braces, e.g. "appeal no. {appeals_today} of the client today"
PLACEHOLDERS = (
	"appeals_today",
	"open_service_request",
	"open_repair_order",
	"refused_service_request",
	"refused_on",
	"days_since_refusal",
	"client_kind",
	"channel",
	"ad_channel",
)
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class RuleError(ValueError):
	"""A rule that cannot be evaluated; the message says why (an English source string)."""

	def __init__(self, message: str, *args):
		super().__init__(message.format(*args) if args else message)
		self.message = message
		self.args_ = args


@dataclass(frozen=True)
class RefusedRequest:
	name: str
	refused_on: datetime | date


@dataclass(frozen=True)
class ClientFacts:
	"""What the database knows about the client at the moment of the appeal."""

	appeal_on: datetime | date
	earlier_appeals_same_day: int = 0
	open_service_requests: tuple[str, ...] = ()
	open_repair_orders: tuple[str, ...] = ()
	refused_requests: tuple[RefusedRequest, ...] = field(default_factory=tuple)
	client_kind: str | None = None
	channel: str | None = None
	ad_channel: str | None = None


@dataclass(frozen=True)
class Condition:
	fact: str
	operator: str
	value: str | None = None


@dataclass(frozen=True)
class Rule:
	name: str
	category: str
	conditions: tuple[Condition, ...]
	order: int = 0
	enabled: bool = True
	reason: str = ""
	link_request: str | None = None


@dataclass(frozen=True)
class Decision:
	rule: str
	category: str
	reason: str
	service_request: str | None = None  # the request the appeal continues, if any


@dataclass(frozen=True)
class Evaluation:
	decision: Decision | None
	failures: tuple[tuple[str, str], ...] = ()  # (rule, why it could not be evaluated)


def _day(value: datetime | date) -> date:
	return value.date() if isinstance(value, datetime) else value


def latest_refusal(facts: ClientFacts) -> RefusedRequest | None:
	"""The client's latest refused Service Request not after the appeal's day."""
	earlier = [r for r in facts.refused_requests if _day(r.refused_on) <= _day(facts.appeal_on)]
	return max(earlier, key=lambda r: (_day(r.refused_on), r.name)) if earlier else None


def fact_values(facts: ClientFacts) -> dict[Fact, int | str | None]:
	"""The facts a condition reads, by fact."""
	refusal = latest_refusal(facts)
	return {
		Fact.APPEALS_TODAY: facts.earlier_appeals_same_day + 1,
		Fact.OPEN_SERVICE_REQUESTS: len(facts.open_service_requests),
		Fact.OPEN_REPAIR_ORDERS: len(facts.open_repair_orders),
		Fact.DAYS_SINCE_REFUSAL: (_day(facts.appeal_on) - _day(refusal.refused_on)).days if refusal else None,
		Fact.CLIENT_KIND: facts.client_kind or None,
		Fact.CHANNEL: facts.channel or None,
		Fact.AD_CHANNEL: facts.ad_channel or None,
	}


def placeholder_values(facts: ClientFacts) -> dict[str, object]:
	values = fact_values(facts)
	refusal = latest_refusal(facts)
	return {
		"appeals_today": values[Fact.APPEALS_TODAY],
		"open_service_request": facts.open_service_requests[0] if facts.open_service_requests else None,
		"open_repair_order": facts.open_repair_orders[0] if facts.open_repair_orders else None,
		"refused_service_request": refusal.name if refusal else None,
		"refused_on": _day(refusal.refused_on) if refusal else None,
		"days_since_refusal": values[Fact.DAYS_SINCE_REFUSAL],
		"client_kind": facts.client_kind,
		"channel": facts.channel,
		"ad_channel": facts.ad_channel,
	}


def _list(value: str | None) -> list[str]:
	return [part.strip().casefold() for part in (value or "").split(",") if part.strip()]


def check_condition(condition: Condition) -> None:
	"""Raise RuleError when the condition cannot be evaluated: an unknown fact or operator, an
	operator the fact has not, or a value missing or not of the fact's kind."""
	try:
		fact = Fact(condition.fact)
	except ValueError:
		raise RuleError("Unknown fact {0}", condition.fact) from None
	try:
		operator = Operator(condition.operator)
	except ValueError:
		raise RuleError("Unknown operator {0}", condition.operator) from None
	allowed = NUMBER_OPERATORS if fact in NUMBER_FACTS else TEXT_OPERATORS
	if operator not in allowed:
		raise RuleError("{0} cannot be compared with {1}", fact.value, operator.value)
	if operator in PRESENCE:
		return
	value = (condition.value or "").strip()
	if not value:
		raise RuleError("{0} {1} needs a value", fact.value, operator.value)
	if fact in NUMBER_FACTS:
		try:
			int(value)
		except ValueError:
			raise RuleError("{0} is compared with a whole number, not {1}", fact.value, value) from None
	elif fact == Fact.CLIENT_KIND:
		unknown = [v for v in _list(value) if v not in {k.casefold() for k in CLIENT_KINDS}]
		if unknown:
			raise RuleError("A client is Primary or Repeat, not {0}", value)


def condition_holds(condition: Condition, values: dict) -> bool:
	check_condition(condition)
	fact, operator = Fact(condition.fact), Operator(condition.operator)
	actual = values[fact]
	if operator == Operator.IS_SET:
		return actual is not None
	if operator == Operator.IS_NOT_SET:
		return actual is None
	if fact in NUMBER_FACTS:
		if actual is None:
			return False
		wanted = int(condition.value.strip())
		return {
			Operator.EQUALS: actual == wanted,
			Operator.NOT_EQUALS: actual != wanted,
			Operator.GREATER: actual > wanted,
			Operator.GREATER_OR_EQUAL: actual >= wanted,
			Operator.LESS: actual < wanted,
			Operator.LESS_OR_EQUAL: actual <= wanted,
		}[operator]
	text = (actual or "").casefold()
	if operator == Operator.EQUALS:
		return text == condition.value.strip().casefold()
	if operator == Operator.NOT_EQUALS:
		return text != condition.value.strip().casefold()
	if operator == Operator.IN:
		return text in _list(condition.value)
	return text not in _list(condition.value)


def render_reason(template: str, values: dict[str, object]) -> str:
	"""The reason with each ``{placeholder}`` replaced by its fact (an unset fact by nothing)."""

	def fill(match: re.Match) -> str:
		key = match.group(1).strip()
		if key not in values:
			raise RuleError("The reason names {0}, which is no fact", "{" + match.group(1) + "}")
		value = values[key]
		return "" if value is None else str(value)

	return PLACEHOLDER.sub(fill, template or "")


def check_rule(rule: Rule, sample_facts: tuple[ClientFacts, ...] = ()) -> None:
	"""Raise RuleError when the rule cannot be evaluated (also on each of the sample facts)."""
	if not rule.category:
		raise RuleError("Choose the category the rule sets")
	if not rule.conditions:
		raise RuleError("A rule needs at least one condition")
	if rule.link_request:
		try:
			LinkRequest(rule.link_request)
		except ValueError:
			raise RuleError("Unknown Service Request to link: {0}", rule.link_request) from None
	for condition in rule.conditions:
		check_condition(condition)
	render_reason(rule.reason, dict.fromkeys(PLACEHOLDERS))
	for facts in sample_facts:
		apply_rule(rule, facts)


def apply_rule(rule: Rule, facts: ClientFacts) -> Decision | None:
	"""The rule's decision when all its conditions hold, else None; RuleError when it cannot be
	evaluated."""
	values = fact_values(facts)
	if not rule.conditions:
		raise RuleError("A rule needs at least one condition")
	if not all(condition_holds(condition, values) for condition in rule.conditions):
		return None
	placeholders = placeholder_values(facts)
	linked = None
	if rule.link_request == LinkRequest.OPEN:
		linked = placeholders["open_service_request"]
	elif rule.link_request == LinkRequest.REFUSED:
		linked = placeholders["refused_service_request"]
	elif rule.link_request:
		raise RuleError("Unknown Service Request to link: {0}", rule.link_request)
	return Decision(rule.name, rule.category, render_reason(rule.reason, placeholders), linked)


def in_order(rules) -> list[Rule]:
	return sorted((r for r in rules if r.enabled), key=lambda r: (r.order, r.name))


def evaluate(facts: ClientFacts, rules) -> Evaluation:
	"""The first enabled rule by Order that holds, and the rules before it that could not be
	evaluated (skipped)."""
	failures = []
	for rule in in_order(rules):
		try:
			decision = apply_rule(rule, facts)
		except Exception as e:  # a broken rule never stops intake
			failures.append((rule.name, str(e) or type(e).__name__))
			continue
		if decision:
			return Evaluation(decision, tuple(failures))
	return Evaluation(None, tuple(failures))


def decide_automatic_category(facts: ClientFacts, rules) -> Decision | None:
	"""The decision of the rule that sets the category, or None when the operator chooses."""
	return evaluate(facts, rules).decision


def matching_rules(facts: ClientFacts, rules) -> list[Decision]:
	"""Every enabled rule that holds, in order (the broken ones left out)."""
	found = []
	for rule in in_order(rules):
		try:
			decision = apply_rule(rule, facts)
		except Exception:
			continue
		if decision:
			found.append(decision)
	return found
