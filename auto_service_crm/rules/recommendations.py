"""Which of a client's recommendations the client portrait shows, in what order and with what label.

A recommendation is due by a mileage, by a date, by both (whichever comes first) or by neither.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum

OPEN = "Open"
# how close a due date or a due mileage is «soon»: the operator offers the work now
DUE_SOON_DAYS = 30
DUE_SOON_KM = 1000


class Due(IntEnum):
	"""How urgent a recommendation is; the portrait lists the lower values first."""

	OVERDUE = 0
	DUE_SOON = 1
	LATER = 2
	UNDATED = 3


# the label shown beside a recommendation (translated where it is shown)
DUE_LABELS = {
	Due.OVERDUE: "Overdue",
	Due.DUE_SOON: "Due Soon",
	Due.LATER: "Later",
	Due.UNDATED: "No Due Date",
}


@dataclass(frozen=True)
class Recommendation:
	name: str
	status: str
	due_date: date | None = None
	due_mileage: int | None = None
	current_mileage: int | None = None  # the car's last reading, when the car is known


def is_open(status: str | None) -> bool:
	"""Only an Open recommendation is offered: a Booked, Done or Declined one is settled."""
	return status == OPEN


def due_state(
	rec: Recommendation, today: date, soon_days: int = DUE_SOON_DAYS, soon_km: int = DUE_SOON_KM
) -> Due:
	"""Overdue when the due date has passed (the day itself is not overdue) or the car's last reading
	has reached the due mileage; due soon when the due date is at most ``soon_days`` away or the
	mileage at most ``soon_km`` short of it; later when it has a due date or a due mileage the car can
	be measured against and neither is near; undated when it has neither (a due mileage of a car
	without readings counts as no due, since how far it is cannot be told)."""
	by_date = rec.due_date is not None
	by_mileage = bool(rec.due_mileage) and bool(rec.current_mileage)
	if by_date and rec.due_date < today:
		return Due.OVERDUE
	if by_mileage and rec.current_mileage >= rec.due_mileage:
		return Due.OVERDUE
	if by_date and rec.due_date <= today + timedelta(days=soon_days):
		return Due.DUE_SOON
	if by_mileage and rec.due_mileage - rec.current_mileage <= soon_km:
		return Due.DUE_SOON
	if by_date or by_mileage:
		return Due.LATER
	return Due.UNDATED


def km_left(rec: Recommendation) -> int | None:
	"""How many kilometres the car may still go before the due mileage (negative once past it)."""
	if not rec.due_mileage or not rec.current_mileage:
		return None
	return rec.due_mileage - rec.current_mileage


def portrait_order(recs: Iterable[Recommendation], today: date) -> list[tuple[Recommendation, Due]]:
	"""The open recommendations with their due state, the most urgent first; within a state the
	earlier due date, then the fewer kilometres left, then the name (the older one) go first."""
	far = date.max

	def key(item: tuple[Recommendation, Due]):
		rec, state = item
		left = km_left(rec)
		return (state, rec.due_date or far, left if left is not None else float("inf"), rec.name)

	return sorted(((rec, due_state(rec, today)) for rec in recs if is_open(rec.status)), key=key)
