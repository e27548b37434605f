"""The website callback's dialling sequence (seed 002): the responsible manager first, then the
group line ``attempts`` times, one attempt at a time, each after the previous one's outcome.

The attempts are planned at once (``plan``) and kept, each as the state of its requested call; the
next step is decided from those states alone (``step``), whenever something happens: the PBX
reports a call's outcome, or the minute's check finds an attempt whose time ran out.

States of an attempt:

- PLANNED: not asked of the PBX yet; ``at`` is when it is due (None: as soon as it is its turn);
- SENT: asked of the PBX at ``at``, which has reported nothing since;
- REPORTED: the PBX reports the call (it rings, or a line talks), its end has not come;
- ANSWERED: a line answered (a conversation took place): the sequence is over;
- FAILED: nobody answered, the PBX refused the request, or its answer time ran out;
- CANCELED: not dialled, as the sequence ended before its turn.

The rule: an ANSWERED attempt ends the sequence. Else the first SENT attempt whose answer time ran
out (``now >= at + answer_timeout``) times out; one still within it is waited for. A REPORTED
attempt is waited for until its end comes, but no longer than ``reported_limit`` (a lost end must
not hold the client forever): then the sequence gives up, and the operators call the client back.
Else the first PLANNED attempt is dialled once it is due; when none is left, the sequence is
exhausted. The next attempt is due ``interval`` seconds after the previous one failed.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from auto_service_crm.rules.working_hours import dial_sequence

PLANNED, SENT, REPORTED, ANSWERED, FAILED, CANCELED = (
	"planned",
	"sent",
	"reported",
	"answered",
	"failed",
	"canceled",
)
# Steps
DONE, WAIT, TIME_OUT, GIVE_UP, DIAL, EXHAUSTED = ("done", "wait", "time_out", "give_up", "dial", "exhausted")

REPORTED_LIMIT_SECONDS = 3600


@dataclass(frozen=True)
class Attempt:
	status: str
	at: datetime | None = None


@dataclass(frozen=True)
class Step:
	"""What to do now: ``kind`` for the attempt ``index``; ``at`` is when the attempt is due
	(DIAL) or when its answer time runs out (WAIT)."""

	kind: str
	index: int | None = None
	at: datetime | None = None

	def due(self, now: datetime) -> bool:
		return self.kind == DIAL and (self.at is None or self.at <= now)


def plan(responsible: str | None, group: str | None, attempts: int) -> list[str]:
	"""The lines to ring, in order: the responsible manager's, then the group's ``attempts`` times."""
	return dial_sequence(responsible, group, attempts)


def step(
	attempts: list[Attempt],
	now: datetime,
	answer_timeout: int,
	reported_limit: int = REPORTED_LIMIT_SECONDS,
) -> Step:
	"""The next step of the sequence, from the states of its attempts (in dialling order)."""
	for index, attempt in enumerate(attempts):
		if attempt.status == ANSWERED:
			return Step(DONE, index)
	for index, attempt in enumerate(attempts):
		if attempt.status == SENT:
			deadline = (attempt.at or now) + timedelta(seconds=max(answer_timeout, 0))
			return Step(TIME_OUT, index) if now >= deadline else Step(WAIT, index, deadline)
		if attempt.status == REPORTED:
			limit = (attempt.at or now) + timedelta(seconds=max(reported_limit, answer_timeout, 0))
			return Step(GIVE_UP, index) if now >= limit else Step(WAIT, index, limit)
	for index, attempt in enumerate(attempts):
		if attempt.status == PLANNED:
			return Step(DIAL, index, attempt.at)
	return Step(EXHAUSTED)


def next_due(failed_at: datetime, interval: int) -> datetime:
	"""When the attempt after one that failed at ``failed_at`` is due."""
	return failed_at + timedelta(seconds=max(interval, 0))
