"""Maintenance invitations (seed 002: the mileage is asked every time so that the station can invite
the client to maintenance): a car's daily mileage from its readings, the date its next service is
due, and whether the client is to be invited now.

Reasons are plain codes (``NO_READINGS``…); the caller shows them translated.
"""

import calendar
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

# why a car has no estimate
NO_READINGS = "no_readings"
NOT_ENOUGH_READINGS = "not_enough_readings"
NO_INTERVAL = "no_interval"
# why a car is invited or not
DUE = "due"
NOT_DUE_YET = "not_due_yet"
ALREADY_INVITED = "already_invited"
BOOKED = "booked"
NO_ESTIMATE = "no_estimate"
# what made the service due
BY_MONTHS = "months"
BY_KM = "km"
RECOMMENDATION = "recommendation"

# the categories of Service Request Status that still wait for the client or the station
OPEN_CATEGORIES = ("Open", "Paused")
REFUSED = "Refused"


@dataclass(frozen=True)
class Reading:
	reading_date: date
	mileage: int


@dataclass(frozen=True)
class Estimate:
	"""Kilometres a day, or None with the reason; ``last``: the latest reading that counts."""

	km_per_day: float | None
	reason: str | None = None
	last: Reading | None = None
	first: Reading | None = None


@dataclass(frozen=True)
class Due:
	"""The next service: its date, the mileage it is due at (None: by months only) and what makes
	it due first (``BY_MONTHS`` or ``BY_KM``); None date with the reason when there is none."""

	due_date: date | None
	due_mileage: int | None = None
	by: str | None = None
	reason: str | None = None


def consistent_readings(readings: Iterable[Reading]) -> list[Reading]:
	"""The readings in date order without those lower than an earlier one (a typing error the
	car's form refuses today; kept from before, it does not count)."""
	out: list[Reading] = []
	for reading in sorted(readings, key=lambda r: (r.reading_date, r.mileage)):
		if reading.mileage is None or reading.mileage < 0:
			continue
		if out and reading.mileage < out[-1].mileage:
			continue
		out.append(reading)
	return out


def daily_mileage(readings: Iterable[Reading], min_readings: int = 2, min_span_days: int = 30) -> Estimate:
	"""The car's kilometres a day: the distance between its first and its last reading over the days
	between them. Needs at least ``min_readings`` (never fewer than two) consistent readings whose
	first and last are at least ``min_span_days`` (never fewer than one) apart; else None with
	``NO_READINGS`` or ``NOT_ENOUGH_READINGS``."""
	ordered = consistent_readings(readings)
	if not ordered:
		return Estimate(None, NO_READINGS)
	first, last = ordered[0], ordered[-1]
	span = (last.reading_date - first.reading_date).days
	if len(ordered) < max(2, min_readings or 0) or span < max(1, min_span_days or 0):
		return Estimate(None, NOT_ENOUGH_READINGS, last=last, first=first)
	return Estimate((last.mileage - first.mileage) / span, None, last=last, first=first)


def add_months(day: date, months: int) -> date:
	"""The same day ``months`` later, the month's last day when that month is shorter
	(31 January + 1 month = 28 or 29 February; 29 February + 12 months = 28 February)."""
	index = day.month - 1 + months
	year, month = day.year + index // 12, index % 12 + 1
	return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def mileage_on(readings: Iterable[Reading], day: date) -> int | None:
	"""The mileage on ``day``: the latest consistent reading on or before it, else the first one."""
	ordered = consistent_readings(readings)
	if not ordered:
		return None
	before = [r for r in ordered if r.reading_date <= day]
	return (before[-1] if before else ordered[0]).mileage


def date_at_mileage(mileage: int, estimate: Estimate) -> date | None:
	"""The day the car reaches ``mileage`` at its daily mileage from its last reading (a day in the
	past when it has already passed it); None without an estimate or when the car does not move."""
	if estimate.km_per_day is None or estimate.last is None:
		return None
	to_go = mileage - estimate.last.mileage
	if to_go <= 0:
		if not estimate.km_per_day:
			return estimate.last.reading_date
		return estimate.last.reading_date - timedelta(days=math.floor(-to_go / estimate.km_per_day))
	if estimate.km_per_day <= 0:
		return None
	return estimate.last.reading_date + timedelta(days=math.ceil(to_go / estimate.km_per_day))


def next_service(
	last_service: date,
	last_service_mileage: int | None,
	interval_km: int | None,
	interval_months: int | None,
	estimate: Estimate,
) -> Due:
	"""The next service is due at the earlier of: ``interval_months`` after the last service, and
	the day the car covers ``interval_km`` from the mileage of the last service at its daily
	mileage. An interval of 0 or none does not count; with neither, no date (``NO_INTERVAL``);
	without an estimate, no date either (``estimate.reason``)."""
	if estimate.km_per_day is None:
		return Due(None, reason=estimate.reason or NOT_ENOUGH_READINGS)
	if not (interval_km and interval_km > 0) and not (interval_months and interval_months > 0):
		return Due(None, reason=NO_INTERVAL)
	candidates: list[tuple[date, str]] = []
	if interval_months and interval_months > 0:
		candidates.append((add_months(last_service, interval_months), BY_MONTHS))
	due_mileage = None
	if interval_km and interval_km > 0:
		start = last_service_mileage if last_service_mileage is not None else estimate.first.mileage
		due_mileage = start + interval_km
		reached = date_at_mileage(due_mileage, estimate)
		if reached is not None:
			candidates.append((max(reached, last_service), BY_KM))
	if not candidates:
		return Due(None, due_mileage, reason=NO_INTERVAL)
	due_date, by = min(candidates, key=lambda c: (c[0], c[1] != BY_KM))
	return Due(due_date, due_mileage, by)


def recommendation_due(
	due_date: date | None, due_mileage: int | None, estimate: Estimate
) -> tuple[date | None, str | None]:
	"""A recommendation is due at the earlier of its date and the day the car reaches its mileage at
	the daily mileage (a mileage already reached: the day of the last reading). None with
	``estimate.reason`` when it has only a mileage and the car no estimate."""
	candidates = [d for d in (due_date, date_at_mileage(due_mileage, estimate) if due_mileage else None) if d]
	if not candidates and due_mileage and estimate.last and estimate.last.mileage >= due_mileage:
		candidates.append(estimate.last.reading_date)
	if not candidates:
		return None, estimate.reason or NO_INTERVAL
	return min(candidates), None


@dataclass(frozen=True)
class Request:
	"""A Service Request of the car: when it was made and the category of its status."""

	request_date: date
	status_category: str | None


def booked_since(requests: Iterable[Request], last_service: date) -> bool:
	"""The owner has booked: the car has a Service Request still open (or paused), or one made after
	the last service that was not refused."""
	for request in requests:
		if request.status_category in OPEN_CATEGORIES:
			return True
		if request.request_date > last_service and request.status_category != REFUSED:
			return True
	return False


def invitation_decision(
	due_date: date | None, today: date, days_before: int, already_invited: bool, booked: bool
) -> str:
	"""Invite (``DUE``) when the due date is at most ``days_before`` days away (or past), the client
	has not been invited for this due service yet and has not booked since the last service;
	otherwise the reason why not."""
	if due_date is None:
		return NO_ESTIMATE
	if booked:
		return BOOKED
	if already_invited:
		return ALREADY_INVITED
	if (due_date - today).days > max(0, days_before or 0):
		return NOT_DUE_YET
	return DUE


def conversion(invited: int, booked: int) -> float:
	"""The share of invitations that became bookings, in per cent (0 without invitations)."""
	return round(100.0 * booked / invited, 1) if invited else 0.0
