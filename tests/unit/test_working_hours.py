from datetime import date, datetime, time

import pytest

from auto_service_crm.rules.working_hours import WorkingHours, dial_sequence, next_working_start

HOURS = WorkingHours(time(9), time(18))
MONDAY = datetime(2026, 11, 23)


@pytest.mark.parametrize(
	("moment", "working"),
	[
		(MONDAY.replace(hour=8, minute=59), False),
		(MONDAY.replace(hour=9), True),
		(MONDAY.replace(hour=17, minute=59), True),
		(MONDAY.replace(hour=18), False),
		(datetime(2026, 11, 29, 12), False),  # Sunday
	],
)
def test_working_time(moment, working):
	assert HOURS.is_working_time(moment) == working


def test_next_working_start():
	assert next_working_start(MONDAY.replace(hour=10), HOURS) == MONDAY.replace(hour=10)
	assert next_working_start(MONDAY.replace(hour=7), HOURS) == MONDAY.replace(hour=9)
	assert next_working_start(MONDAY.replace(hour=19), HOURS) == datetime(2026, 11, 24, 9)
	assert next_working_start(datetime(2026, 11, 28, 19), HOURS) == datetime(
		2026, 11, 30, 9
	)  # Sat evening → Mon


def test_a_holiday_list_decides_the_days_off():
	holidays = WorkingHours(time(9), time(18), frozenset({date(2026, 11, 24), date(2026, 11, 25)}))
	assert next_working_start(MONDAY.replace(hour=19), holidays) == datetime(2026, 11, 26, 9)
	assert holidays.is_working_day(date(2026, 11, 29))  # the list, not Sunday, decides
	everything_off = WorkingHours(time(9), time(18), frozenset({date(2026, 1, 1)}))
	assert everything_off.is_working_day(date(2026, 1, 2))


def test_a_year_of_holidays_is_an_error():
	days = frozenset(date.fromordinal(MONDAY.toordinal() + i) for i in range(400))
	with pytest.raises(ValueError, match="no working day"):
		next_working_start(MONDAY, WorkingHours(time(9), time(18), days))


def test_dial_sequence():
	assert dial_sequence("101", "200", 3) == ["101", "200", "200", "200"]
	assert dial_sequence(None, "200", 3) == ["200", "200", "200"]
	assert dial_sequence("101", None, 3) == ["101"]
	assert dial_sequence(None, "200", 0) == []
