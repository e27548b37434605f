"""Working time of the station, for website callbacks (seed 002: outside working hours the
appeal waits for the next working hours) and the dialling order."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

WEEKLY_DAYS_OFF = (6,)  # Sunday


@dataclass(frozen=True)
class WorkingHours:
	start: time
	end: time
	holidays: frozenset[date] = field(default_factory=frozenset)

	def is_working_day(self, day: date) -> bool:
		"""A holiday list (which in ERPNext holds the weekly days off too) decides; without one, Sundays are off."""
		if self.holidays:
			return day not in self.holidays
		return day.weekday() not in WEEKLY_DAYS_OFF

	def is_working_time(self, moment: datetime) -> bool:
		return self.is_working_day(moment.date()) and self.start <= moment.time() < self.end


def next_working_start(moment: datetime, hours: WorkingHours) -> datetime:
	"""When the station next opens: today's start if it is still ahead, else the next working day's.

	At a working moment this is the moment itself.
	"""
	if hours.is_working_time(moment):
		return moment
	day = moment.date()
	if hours.is_working_day(day) and moment.time() < hours.start:
		return datetime.combine(day, hours.start)
	for _ in range(366):
		day += timedelta(days=1)
		if hours.is_working_day(day):
			return datetime.combine(day, hours.start)
	raise ValueError("no working day within a year: check the holiday list")


def dial_sequence(responsible: str | None, group: str | None, attempts: int) -> list[str]:
	"""The responsible manager first (smart routing), then the group line ``attempts`` times."""
	sequence = [responsible] if responsible else []
	if group:
		sequence += [group] * max(attempts, 0)
	return sequence
