"""What filing reads of the consultant's configuration for every appeal (statuses, automatic
category rules, ad channels' numbers and sources) is kept in the site's Redis until a record of
it changes: a query of configuration per read is most of what these reads cost.

Kept as Frappe keeps its own lists of a DocType's Notifications or Assignment Rules: one Redis
hash per function, a field per arguments, read through ``frappe.cache.hget`` (and so also kept
for the rest of the request). Frappe's ``redis_cache`` decorator is not used: it keys by
Python's ``hash()`` of the arguments, which differs from one process to the next.

A record saved or deleted forgets what was read of its DocType (``forget``) at once, and again
when its transaction ends, committed or rolled back: a filing that read the rows meanwhile, the
old ones or the new uncommitted ones, keeps nothing of them. A rename and ``bench clear-cache``
clear the whole site's cache.
"""

from functools import wraps

import frappe


def configuration(func):
	"""Keep what ``func`` returns for its (positional) arguments until ``forget``."""
	key = f"asc_configuration|{func.__module__}.{func.__qualname__}"

	@wraps(func)
	def cached(*args):
		return frappe.cache.hget(key, repr(args), lambda: func(*args))

	cached.cache_key = key
	return cached


def forget(*functions) -> None:
	"""Forget what these ``configuration`` functions returned, now and when the transaction ends."""
	keys = [function.cache_key for function in functions]

	def clear():
		frappe.cache.delete_value(keys)

	clear()
	frappe.db.after_commit.add(clear)
	frappe.db.after_rollback.add(clear)
