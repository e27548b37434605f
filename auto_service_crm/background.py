"""Background jobs asked for by what a transaction commits, kept when the queue's Redis is down."""

from collections.abc import Callable

import redis

import frappe


def enqueue_after_commit(
	method: str, fallback: Callable, queue: str = "short", timeout: int | None = None, **kwargs
) -> None:
	"""Run ``method(**kwargs)`` in a background job once the transaction commits (at once under tests).

	The job goes to Redis after the commit, as with Frappe's ``enqueue_after_commit``. When Redis
	cannot take it (the queue's server is down), ``fallback(**kwargs)`` runs there and then and its
	work is committed: what the saved documents asked for is not lost, and the request that saved
	them is not answered with an error.
	"""
	if frappe.flags.in_test:
		frappe.call(method, **kwargs)
		return

	def enqueue():
		try:
			frappe.enqueue(method, queue=queue, timeout=timeout, **kwargs)
		except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as e:
			frappe.logger("auto_service_crm").warning(f"queue unreachable ({e}): {method} done without it")
			fallback(**kwargs)
			frappe.db.commit()

	frappe.db.after_commit.add(enqueue)
