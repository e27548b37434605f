"""What an ad channel cost over a period, from its monthly cost: each calendar month the period
touches contributes its share of days, so a period's cost is the sum of its parts."""

import calendar
from datetime import date, timedelta


def cost_for_period(monthly_cost: float, from_date: date, to_date: date) -> float:
	"""The cost of ``from_date`` to ``to_date``, both days whole; 0 for an empty period."""
	if not monthly_cost or to_date < from_date:
		return 0.0
	total = 0.0
	day = from_date
	while day <= to_date:
		days_in_month = calendar.monthrange(day.year, day.month)[1]
		month_end = day.replace(day=days_in_month)
		last = min(month_end, to_date)
		total += monthly_cost * ((last - day).days + 1) / days_in_month
		day = last + timedelta(days=1)
	return total


def per(amount: float, count: float) -> float | None:
	"""``amount`` per unit of ``count``; None when there is nothing to divide by."""
	return amount / count if count else None
