"""Serializing work on one client: two calls from one number at once must see each other.

A MariaDB named lock (GET_LOCK) per client is taken before the appeal reads the client's
history and released when the transaction ends (commit or rollback), so the second of two
simultaneous appeals counts the first one.
"""

import hashlib

import frappe
from frappe import _

LOCK_TIMEOUT_SECONDS = 15


class ClientBusyError(frappe.ValidationError):
	pass


def lock_client(key: str | None) -> None:
	if not key:
		return
	name = "asc-client-" + hashlib.sha1(f"{frappe.local.site}:{key}".encode()).hexdigest()[:40]
	held = frappe.local.flags.setdefault("asc_client_locks", set())
	if name in held:
		return
	got = frappe.db.sql("SELECT GET_LOCK(%s, %s)", (name, LOCK_TIMEOUT_SECONDS))[0][0]
	if got != 1:
		frappe.throw(_("Another appeal of this client is being saved; try again"), ClientBusyError)
	held.add(name)

	def release():
		frappe.db.sql("SELECT RELEASE_LOCK(%s)", (name,))
		held.discard(name)

	frappe.db.after_commit.add(release)
	frappe.db.after_rollback.add(release)
