"""The statements a test's code sends to the database, watched as Frappe's assertQueryCount watches
them: on the database class's ``sql``, so that watchers nest and leave nothing on the connection."""

from contextlib import contextmanager

import frappe


@contextmanager
def sent():
	"""The statements sent while active, each as the database received it (``last_query``)."""
	database = frappe.db.__class__
	original = database.sql
	seen = []

	def watching(db, *args, **kwargs):
		result = original(db, *args, **kwargs)
		seen.append(str(db.last_query))
		return result

	database.sql = watching
	try:
		yield seen
	finally:
		database.sql = original
