from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from auto_service_crm.rules.ad_spend import cost_for_period, per

DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


def test_whole_months_cost_their_monthly_cost():
	assert cost_for_period(30_000, date(2026, 2, 1), date(2026, 2, 28)) == 30_000
	assert cost_for_period(30_000, date(2026, 1, 1), date(2026, 3, 31)) == 90_000


def test_part_of_a_month_costs_its_share_of_days():
	assert cost_for_period(31_000, date(2026, 1, 1), date(2026, 1, 10)) == 10_000
	# 2 days of November (30 days) and 3 of December (31 days)
	assert round(cost_for_period(3_000, date(2026, 11, 29), date(2026, 12, 3)), 6) == round(
		3_000 * 2 / 30 + 3_000 * 3 / 31, 6
	)


def test_nothing_costs_nothing():
	assert cost_for_period(0, date(2026, 1, 1), date(2026, 1, 31)) == 0
	assert cost_for_period(1_000, date(2026, 2, 1), date(2026, 1, 31)) == 0


@given(DAYS, st.integers(0, 800), st.integers(0, 800), st.floats(min_value=0, max_value=1e7))
def test_a_period_costs_the_sum_of_its_parts(start, first, second, monthly):
	middle = start + timedelta(days=first)
	end = middle + timedelta(days=second + 1)
	whole = cost_for_period(monthly, start, end)
	parts = cost_for_period(monthly, start, middle) + cost_for_period(
		monthly, middle + timedelta(days=1), end
	)
	assert abs(whole - parts) <= 1e-6 * max(1.0, whole)


def test_per():
	assert per(10_000, 4) == 2_500
	assert per(10_000, 0) is None
