"""The realtime events of a filing, published in one round trip once it is committed.

Frappe keeps the events a transaction publishes (``frappe.publish_realtime(..., after_commit=True)``,
and every document's ``doc_update``, ``list_update`` and ``docinfo_update``) and, once it commits,
publishes each one to the queue's Redis in a round trip of its own (``flush_realtime_log``): a
chat's filing publishes twelve (its appeal, Communication, ToDo and the assignment's comment, and
the app's own message event), a wait of the filing job for each one. A filing job takes them from
Frappe's log as it commits (``held``) and publishes them as Frappe does, the same messages on the
same channel in the same order, in one pipeline (``publish``). What a transaction that does not
commit kept is dropped, as Frappe drops it.
"""

import redis

import frappe

CHANNEL = "events"  # where Frappe's socket.io server reads them (frappe.realtime.emit_via_redis)


def held() -> list:
	"""The events the transaction kept for its commit, taken from Frappe's log, which stays empty
	(Frappe's own flush, when the commit runs it, then publishes nothing)."""
	events = getattr(frappe.local, "_realtime_log", None)
	if not events:
		return []
	frappe.local._realtime_log = []
	return events


def publish(events: list) -> None:
	"""Publish the events as ``frappe.realtime.emit_via_redis`` does, all in one round trip; a
	queue Redis away loses them, as it does for Frappe."""
	if not events:
		return
	from frappe.utils.background_jobs import get_redis_connection_without_auth

	try:
		pipe = get_redis_connection_without_auth().pipeline(transaction=False)
		for event, message, room in events:
			pipe.publish(
				CHANNEL,
				frappe.as_json(
					{"event": event, "message": message, "room": room, "namespace": frappe.local.site}
				),
			)
		pipe.execute()
	except redis.exceptions.ConnectionError:
		pass
