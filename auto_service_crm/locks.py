"""MariaDB named locks (GET_LOCK): serializing work on one client, one call or one chat.

A lock per client is taken before the appeal reads the client's history and released when the
transaction ends (commit or rollback), so the second of two simultaneous appeals counts the first
one. The intake (``intake_queue.py``) holds a call's or chat's lock the same way while it keeps a
delivery, and across transactions while it files the call's deliveries one by one.
"""

import hashlib

import frappe
from frappe import _

LOCK_TIMEOUT_SECONDS = 15


class ClientBusyError(frappe.ValidationError):
	pass


def lock_name(kind: str, key: str) -> str:
	return f"asc-{kind}-" + hashlib.sha1(f"{frappe.local.site}:{key}".encode()).hexdigest()[:40]


def hold(name: str, seconds: int) -> bool:
	"""Take the lock for this connection, waiting at most ``seconds``; False if it is not free by then."""
	return frappe.db.sql("SELECT GET_LOCK(%s, %s)", (name, seconds))[0][0] == 1


def release(name: str) -> None:
	frappe.db.sql("SELECT RELEASE_LOCK(%s)", (name,))


def hold_for_transaction(name: str, seconds: int) -> bool:
	"""Take the lock until the transaction ends (once per transaction); False if it is not free."""
	held = frappe.local.flags.setdefault("asc_locks", set())
	if name in held:
		return True
	if not hold(name, seconds):
		return False
	held.add(name)

	def let_go():
		release(name)
		held.discard(name)

	frappe.db.after_commit.add(let_go)
	frappe.db.after_rollback.add(let_go)
	return True


def lock_client(key: str | None) -> None:
	if key and not hold_for_transaction(lock_name("client", key), LOCK_TIMEOUT_SECONDS):
		frappe.throw(_("Another appeal of this client is being saved; try again"), ClientBusyError)
