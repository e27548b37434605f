from frappe.utils import getdate


def appeals_between(query, appeal, from_date=None, to_date=None):
	"""Limit a report's query to appeals made from ``from_date`` to ``to_date``, both days whole: on
	the appeal's day (``appeal_date``), which leads the reports' indexes, so that a period is read
	as one range of an index whatever the history."""
	if from_date:
		query = query.where(appeal.appeal_date >= getdate(from_date))
	if to_date:
		query = query.where(appeal.appeal_date <= getdate(to_date))
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
