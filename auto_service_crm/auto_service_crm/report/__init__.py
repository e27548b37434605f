def appeals_between(query, appeal, from_date=None, to_date=None):
	"""Limit a report's query to appeals made from ``from_date`` to ``to_date``, both days whole."""
	if from_date:
		query = query.where(appeal.appeal_datetime >= f"{from_date} 00:00:00")
	if to_date:
		query = query.where(appeal.appeal_datetime <= f"{to_date} 23:59:59.999999")
	return query


def report_chart(rows: list[dict], label: str, series: dict[str, str], kind: str = "bar") -> dict | None:
	"""A Frappe chart of ``rows``: labels from the ``label`` key, one dataset per ``series``
	entry (dataset name → key of the values); None when there are no rows."""
	if not rows:
		return None
	return {
		"data": {
			"labels": [row[label] for row in rows],
			"datasets": [
				{"name": name, "values": [row[key] for row in rows]} for name, key in series.items()
			],
		},
		"type": kind,
	}
