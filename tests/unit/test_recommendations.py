from datetime import date

import pytest

from auto_service_crm.rules.recommendations import (
	DUE_LABELS,
	Due,
	Recommendation,
	due_state,
	is_open,
	km_left,
	portrait_order,
)

TODAY = date(2026, 12, 1)


def rec(name="REC-1", status="Open", **kw):
	return Recommendation(name=name, status=status, **kw)


@pytest.mark.parametrize(
	"status, expected",
	[("Open", True), ("Booked", False), ("Done", False), ("Declined", False), (None, False)],
)
def test_only_open_is_offered(status, expected):
	assert is_open(status) is expected


@pytest.mark.parametrize(
	"due_date, expected",
	[
		(date(2026, 11, 30), Due.OVERDUE),  # yesterday
		(date(2026, 12, 1), Due.DUE_SOON),  # the day itself is not overdue yet
		(date(2026, 12, 31), Due.DUE_SOON),  # 30 days away: still soon
		(date(2027, 1, 1), Due.LATER),  # 31 days away
	],
)
def test_due_by_date_boundaries(due_date, expected):
	assert due_state(rec(due_date=due_date), TODAY) == expected


@pytest.mark.parametrize(
	"current, expected",
	[
		(50_000, Due.OVERDUE),  # reached
		(50_001, Due.OVERDUE),  # passed
		(49_999, Due.DUE_SOON),
		(49_000, Due.DUE_SOON),  # exactly 1000 km short
		(48_999, Due.LATER),  # 1001 km short
	],
)
def test_due_by_mileage_boundaries(current, expected):
	assert due_state(rec(due_mileage=50_000, current_mileage=current), TODAY) == expected


def test_whichever_comes_first():
	far_date = date(2027, 6, 1)
	assert due_state(rec(due_date=far_date, due_mileage=50_000, current_mileage=50_100), TODAY) == Due.OVERDUE
	assert due_state(rec(due_date=date(2026, 12, 5), due_mileage=90_000, current_mileage=10_000), TODAY) == (
		Due.DUE_SOON
	)


def test_a_mileage_without_readings_is_no_due():
	assert due_state(rec(due_mileage=50_000), TODAY) == Due.UNDATED
	assert due_state(rec(due_mileage=50_000, current_mileage=0), TODAY) == Due.UNDATED
	assert due_state(rec(), TODAY) == Due.UNDATED
	assert km_left(rec(due_mileage=50_000)) is None


def test_thresholds_are_parameters():
	assert due_state(rec(due_date=date(2026, 12, 10)), TODAY, soon_days=5) == Due.LATER
	assert due_state(rec(due_mileage=50_000, current_mileage=49_500), TODAY, soon_km=100) == Due.LATER


def test_km_left_goes_negative_past_the_mileage():
	assert km_left(rec(due_mileage=50_000, current_mileage=50_200)) == -200


def test_portrait_order_most_urgent_first_and_only_open():
	recs = [
		rec("REC-1"),  # undated
		rec("REC-2", due_date=date(2027, 3, 1)),  # later
		rec("REC-3", due_date=date(2026, 12, 20)),  # soon, later date
		rec("REC-4", due_date=date(2026, 12, 10)),  # soon, earlier date
		rec("REC-5", due_mileage=60_000, current_mileage=61_000),  # overdue by km
		rec("REC-6", status="Booked", due_date=date(2026, 1, 1)),  # settled: not shown
		rec("REC-7", due_mileage=60_000, current_mileage=59_500),  # soon, no date: after the dated ones
	]
	ordered = portrait_order(recs, TODAY)
	assert [(r.name, state) for r, state in ordered] == [
		("REC-5", Due.OVERDUE),
		("REC-4", Due.DUE_SOON),
		("REC-3", Due.DUE_SOON),
		("REC-7", Due.DUE_SOON),
		("REC-2", Due.LATER),
		("REC-1", Due.UNDATED),
	]


def test_every_state_has_a_label():
	assert set(DUE_LABELS) == set(Due)
