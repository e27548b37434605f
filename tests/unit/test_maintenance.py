from datetime import date

import pytest

from auto_service_crm.rules import maintenance as m
from auto_service_crm.rules.maintenance import Estimate, Reading, Request


def r(day: str, km: int) -> Reading:
	return Reading(date.fromisoformat(day), km)


# daily mileage ---------------------------------------------------------------------------------


def test_no_readings_give_no_estimate():
	assert m.daily_mileage([]) == Estimate(None, m.NO_READINGS)


def test_one_reading_is_not_enough():
	estimate = m.daily_mileage([r("2026-01-01", 10000)])
	assert estimate.km_per_day is None and estimate.reason == m.NOT_ENOUGH_READINGS
	assert estimate.last == r("2026-01-01", 10000)


def test_readings_of_the_same_day_are_not_enough():
	estimate = m.daily_mileage([r("2026-01-01", 10000), r("2026-01-01", 10050)], min_span_days=0)
	assert estimate.km_per_day is None and estimate.reason == m.NOT_ENOUGH_READINGS


def test_readings_closer_than_the_span_are_not_enough_and_at_the_span_are():
	readings = [r("2026-01-01", 10000), r("2026-01-31", 11500)]
	assert m.daily_mileage(readings, min_span_days=31).reason == m.NOT_ENOUGH_READINGS
	assert m.daily_mileage(readings, min_span_days=30).km_per_day == 50


def test_fewer_readings_than_the_minimum_are_not_enough():
	readings = [r("2026-01-01", 10000), r("2026-03-02", 13000)]
	assert m.daily_mileage(readings, min_readings=3).reason == m.NOT_ENOUGH_READINGS
	assert m.daily_mileage([*readings, r("2026-02-01", 11000)], min_readings=3).km_per_day == 50


def test_daily_mileage_is_first_to_last_over_the_days_between_in_any_order():
	readings = [r("2026-03-02", 13000), r("2026-01-01", 10000), r("2026-02-01", 12000)]
	estimate = m.daily_mileage(readings)
	assert estimate.km_per_day == 50
	assert estimate.first == r("2026-01-01", 10000) and estimate.last == r("2026-03-02", 13000)


def test_a_reading_lower_than_an_earlier_one_is_ignored():
	readings = [r("2026-01-01", 10000), r("2026-02-01", 9000), r("2026-03-02", 13000)]
	assert m.consistent_readings(readings) == [r("2026-01-01", 10000), r("2026-03-02", 13000)]
	assert m.daily_mileage(readings).km_per_day == 50
	# only a decreasing last reading: the estimate is what the earlier ones say
	assert m.daily_mileage([r("2026-01-01", 10000), r("2026-03-02", 13000), r("2026-04-01", 100)]).last == r(
		"2026-03-02", 13000
	)


def test_a_car_that_does_not_move_has_zero_a_day():
	assert m.daily_mileage([r("2026-01-01", 5000), r("2026-06-01", 5000)]).km_per_day == 0


# months ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	("day", "months", "expected"),
	[
		("2026-01-15", 12, "2027-01-15"),
		("2026-01-31", 1, "2026-02-28"),
		("2028-01-31", 1, "2028-02-29"),
		("2028-02-29", 12, "2029-02-28"),
		("2027-02-28", 12, "2028-02-28"),
		("2026-11-30", 3, "2027-02-28"),
		("2026-12-31", 6, "2027-06-30"),
	],
)
def test_add_months_keeps_the_day_or_the_months_last(day, months, expected):
	assert m.add_months(date.fromisoformat(day), months) == date.fromisoformat(expected)


# due date --------------------------------------------------------------------------------------

FIFTY_A_DAY = m.daily_mileage([r("2026-01-01", 10000), r("2026-03-02", 13000)])


def test_the_km_interval_comes_first_for_a_car_driven_a_lot():
	due = m.next_service(date(2026, 1, 1), 10000, 15000, 12, FIFTY_A_DAY)
	# 25000 km: 12000 km to go from 13000 on 2 March at 50 a day = 240 days
	assert due == m.Due(date(2026, 10, 28), 25000, m.BY_KM)


def test_the_months_come_first_for_a_car_driven_little():
	slow = m.daily_mileage([r("2026-01-01", 10000), r("2026-03-02", 10600)])  # 10 a day
	assert m.next_service(date(2026, 1, 1), 10000, 15000, 12, slow) == m.Due(
		date(2027, 1, 1), 25000, m.BY_MONTHS
	)


def test_a_car_that_does_not_move_is_due_by_months():
	still = m.daily_mileage([r("2026-01-01", 5000), r("2026-06-01", 5000)])
	assert m.next_service(date(2026, 1, 1), 5000, 15000, 12, still) == m.Due(
		date(2027, 1, 1), 20000, m.BY_MONTHS
	)


def test_a_km_interval_passed_already_is_due_on_the_day_it_was_reached():
	due = m.next_service(date(2026, 1, 1), 10000, 2000, 12, FIFTY_A_DAY)
	# 12000 km reached 1000 km = 20 days before the 13000 of 2 March
	assert due == m.Due(date(2026, 2, 10), 12000, m.BY_KM)


def test_without_the_mileage_of_the_last_service_the_first_reading_counts():
	assert m.next_service(date(2026, 1, 1), None, 15000, 0, FIFTY_A_DAY).due_mileage == 25000


def test_only_one_interval_counts_when_the_other_is_zero():
	assert m.next_service(date(2026, 1, 1), 10000, 0, 6, FIFTY_A_DAY) == m.Due(
		date(2026, 7, 1), None, m.BY_MONTHS
	)
	assert m.next_service(date(2026, 1, 1), 10000, 15000, None, FIFTY_A_DAY).by == m.BY_KM


def test_no_interval_and_no_estimate_give_no_date():
	assert m.next_service(date(2026, 1, 1), 10000, 0, 0, FIFTY_A_DAY) == m.Due(None, reason=m.NO_INTERVAL)
	assert m.next_service(date(2026, 1, 1), 10000, 15000, 12, Estimate(None, m.NO_READINGS)) == m.Due(
		None, reason=m.NO_READINGS
	)
	one = m.daily_mileage([r("2026-01-01", 10000)])
	assert m.next_service(date(2026, 1, 1), 10000, 15000, 12, one).reason == m.NOT_ENOUGH_READINGS


def test_a_leap_day_service_is_due_on_the_28th_a_year_later():
	still = m.daily_mileage([r("2028-02-29", 5000), r("2028-06-01", 5000)])
	assert m.next_service(date(2028, 2, 29), 5000, 15000, 12, still).due_date == date(2029, 2, 28)


# recommendations -------------------------------------------------------------------------------


def test_a_recommendation_is_due_at_its_date_or_its_mileage_whichever_first():
	assert m.recommendation_due(date(2026, 5, 1), None, FIFTY_A_DAY) == (date(2026, 5, 1), None)
	# 15500 km: 2500 km after 2 March at 50 a day = 50 days
	assert m.recommendation_due(None, 15500, FIFTY_A_DAY) == (date(2026, 4, 21), None)
	assert m.recommendation_due(date(2026, 5, 1), 15500, FIFTY_A_DAY) == (date(2026, 4, 21), None)
	assert m.recommendation_due(date(2026, 3, 10), 15500, FIFTY_A_DAY) == (date(2026, 3, 10), None)


def test_a_recommendation_by_mileage_needs_an_estimate_unless_reached():
	one = m.daily_mileage([r("2026-01-01", 16000)])
	assert m.recommendation_due(None, 15500, one) == (date(2026, 1, 1), None)
	assert m.recommendation_due(None, 17000, one) == (None, m.NOT_ENOUGH_READINGS)
	assert m.recommendation_due(date(2026, 2, 1), 17000, one) == (date(2026, 2, 1), None)


# who is invited --------------------------------------------------------------------------------

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
	("due", "expected"),
	[
		(date(2026, 6, 15), m.DUE),  # exactly 14 days before
		(date(2026, 6, 16), m.NOT_DUE_YET),  # 15 days before
		(date(2026, 6, 1), m.DUE),
		(date(2026, 1, 1), m.DUE),  # overdue
		(None, m.NO_ESTIMATE),
	],
)
def test_invited_from_n_days_before_the_due_date(due, expected):
	assert m.invitation_decision(due, TODAY, 14, already_invited=False, booked=False) == expected


def test_invited_once_and_not_when_booked():
	due = date(2026, 6, 10)
	assert m.invitation_decision(due, TODAY, 14, already_invited=True, booked=False) == m.ALREADY_INVITED
	assert m.invitation_decision(due, TODAY, 14, already_invited=True, booked=True) == m.BOOKED
	assert m.invitation_decision(due, TODAY, 0, already_invited=False, booked=False) == m.NOT_DUE_YET
	assert m.invitation_decision(TODAY, TODAY, 0, already_invited=False, booked=False) == m.DUE


def test_booked_means_an_open_request_or_one_after_the_last_service_not_refused():
	last = date(2026, 1, 1)
	assert not m.booked_since([], last)
	assert m.booked_since([Request(date(2025, 6, 1), "Open")], last)
	assert m.booked_since([Request(date(2025, 6, 1), "Paused")], last)
	assert not m.booked_since([Request(date(2025, 6, 1), "Completed")], last)
	assert not m.booked_since([Request(date(2026, 1, 1), "Completed")], last), "the last service itself"
	assert m.booked_since([Request(date(2026, 2, 1), "Completed")], last)
	assert not m.booked_since([Request(date(2026, 2, 1), "Refused")], last)
	assert m.booked_since([Request(date(2026, 2, 1), None)], last)


def test_conversion_in_per_cent():
	assert m.conversion(0, 0) == 0.0
	assert m.conversion(3, 1) == 33.3
	assert m.conversion(4, 4) == 100.0
