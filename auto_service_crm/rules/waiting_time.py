"""How long a client waited before hanging up, in the bands the missed-calls report groups by."""

# (upper bound in seconds, exclusive; label); the last band has no bound
WAIT_BANDS: tuple[tuple[int | None, str], ...] = (
	(30, "Under 30 s"),
	(60, "30 s to 1 min"),
	(180, "1 to 3 min"),
	(None, "3 min or more"),
)
UNKNOWN_WAIT = "Wait Unknown"


def wait_band(seconds: float | None) -> str:
	"""The band of a waiting time; UNKNOWN_WAIT when the telephony did not say."""
	if seconds is None:
		return UNKNOWN_WAIT
	for bound, label in WAIT_BANDS:
		if bound is None or seconds < bound:
			return label
	raise AssertionError("the last band has no bound")


def band_order(label: str) -> int:
	"""Position of a band's label, shortest waits first, unknown last."""
	labels = [label for _bound, label in WAIT_BANDS]
	return labels.index(label) if label in labels else len(labels)
