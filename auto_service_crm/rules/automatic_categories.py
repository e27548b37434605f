"""Automatic appeal categories (seed 000_fb252e4d6812e62f.txt).

- Call Continuation: the client appealed two or more times in one calendar day (this appeal
  included), or has an open Service Request.
- Open Repair Order: the identified client has an open repair order (the car is at the station).
- Recently Refused Service Request: a Service Request of the client was refused within the
  look-back window (30 days by default: refused 30 days ago counts, 31 days ago does not).

When several rules match, the more specific fact wins: an open repair order first (the client
most likely asks how the repair goes), then a conversation already under way (call
continuation), then a refusal coming back. Thresholds and windows come from settings.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class AutomaticRule(StrEnum):
	CALL_CONTINUATION = "Call Continuation"
	OPEN_REPAIR_ORDER = "Open Repair Order"
	RECENTLY_REFUSED = "Recently Refused Service Request"


PRECEDENCE = (
	AutomaticRule.OPEN_REPAIR_ORDER,
	AutomaticRule.CALL_CONTINUATION,
	AutomaticRule.RECENTLY_REFUSED,
)


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


@dataclass(frozen=True)
class Thresholds:
	same_day_appeals: int = 2
	refused_lookback_days: int = 30


@dataclass(frozen=True)
class Decision:
	rule: AutomaticRule
	reason: str
	service_request: str | None = None  # the request the appeal continues, if any


def _day(value: datetime | date) -> date:
	return value.date() if isinstance(value, datetime) else value


def matching_rules(facts: ClientFacts, thresholds: Thresholds = Thresholds()) -> list[Decision]:
	"""Every rule that matches, in order of precedence."""
	found: dict[AutomaticRule, Decision] = {}
	if facts.open_repair_orders:
		found[AutomaticRule.OPEN_REPAIR_ORDER] = Decision(
			AutomaticRule.OPEN_REPAIR_ORDER, f"open repair order {facts.open_repair_orders[0]}"
		)
	appeals_today = facts.earlier_appeals_same_day + 1
	if thresholds.same_day_appeals > 0 and appeals_today >= thresholds.same_day_appeals:
		found[AutomaticRule.CALL_CONTINUATION] = Decision(
			AutomaticRule.CALL_CONTINUATION, f"appeal no. {appeals_today} of the client today"
		)
	elif facts.open_service_requests:
		found[AutomaticRule.CALL_CONTINUATION] = Decision(
			AutomaticRule.CALL_CONTINUATION,
			f"open service request {facts.open_service_requests[0]}",
			service_request=facts.open_service_requests[0],
		)
	recent = [
		r
		for r in facts.refused_requests
		if 0 <= (_day(facts.appeal_on) - _day(r.refused_on)).days <= thresholds.refused_lookback_days
	]
	if recent:
		latest = max(recent, key=lambda r: (_day(r.refused_on), r.name))
		found[AutomaticRule.RECENTLY_REFUSED] = Decision(
			AutomaticRule.RECENTLY_REFUSED,
			f"service request {latest.name} refused on {_day(latest.refused_on)}",
			service_request=latest.name,
		)
	return [found[rule] for rule in PRECEDENCE if rule in found]


def decide_automatic_category(facts: ClientFacts, thresholds: Thresholds = Thresholds()) -> Decision | None:
	"""The rule that sets the category, or None when the operator chooses."""
	matches = matching_rules(facts, thresholds)
	return matches[0] if matches else None
