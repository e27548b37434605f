def appeals_between(query, appeal, from_date=None, to_date=None):
	"""Limit a report's query to appeals made from ``from_date`` to ``to_date``, both days whole."""
	if from_date:
		query = query.where(appeal.appeal_datetime >= f"{from_date} 00:00:00")
	if to_date:
		query = query.where(appeal.appeal_datetime <= f"{to_date} 23:59:59.999999")
	return query
