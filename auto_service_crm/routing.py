"""Routing a filed appeal among the operators, after its filing, not inside it.

Frappe applies Assignment Rules in the transaction that saves the document, and its round robin
writes the rule's ``last_user`` there: every filing held the rule's row until it committed, and
all intake of the site queued on that one row (about 17 appeals a second). The app routes an
appeal once it is filed, as the last step of the filing's transaction (``route``), so that
the rule's row is held from the round robin's write to the commit that follows it, still through
Frappe's Assignment Rules as the consultant set them: their conditions, priorities, days and users.

While a delivery is filed the Assignment Rules on Appeal step aside (``deferred``; the override in
``overrides/assignment_rule.py``). A call is not routed at all: an answered call belongs to the
operator who answered (the call card gives them the appeal and its result task), and a missed
call is a task of every operator (``telephony/filing.missed_call_task``).

A round robin rule on Appeal takes its turns from a counter in the site's Redis (``next_in_turn``)
and writes the user given each appeal on its row alone (``note_turn``): Frappe's reads of the
cached ``last_user`` gave two appeals routed at once to the same operator, and its write reloaded
and uncached the rule for every appeal.
"""

from contextlib import contextmanager

import frappe
from frappe.automation.doctype.assignment_rule.assignment_rule import apply
from frappe.utils import get_datetime

from auto_service_crm.intake_queue import REDIS_DOWN

CALL_CHANNELS = ("Incoming Call", "Missed Call")
DOCTYPE = "Appeal"
TURN_KEY = "asc_round_robin_turn"  # the site's Redis: a round robin rule's turns, counted


@contextmanager
def deferred():
	"""Inside: the Assignment Rules on Appeal assign nothing (the filing routes after it commits)."""
	outer = frappe.flags.asc_routing_deferred
	if not outer:
		in_hand().clear()
	frappe.flags.asc_routing_deferred = True
	try:
		yield
	finally:
		frappe.flags.asc_routing_deferred = outer


def filed(appeal) -> None:
	"""An appeal the delivery filed: its document stays in hand for its routing (``route_filed``)."""
	if frappe.flags.asc_routing_deferred:
		in_hand().setdefault(appeal.name, appeal)


def in_hand() -> dict:
	"""The documents of the appeals the delivery being filed made ({name: document})."""
	if getattr(frappe.local, "asc_appeals_in_hand", None) is None:
		frappe.local.asc_appeals_in_hand = {}
	return frappe.local.asc_appeals_in_hand


def document_for_routing(name: str):
	"""The appeal as the Assignment Rules read it: the document the filing made, unless it was
	saved since (elsewhere than through it); None for a call."""
	row = frappe.db.get_value("Appeal", name, ["channel", "modified"], as_dict=True)
	if not row or not row.channel or row.channel in CALL_CHANNELS:
		return None
	doc = in_hand().get(name)
	if doc and get_datetime(doc.modified) == row.modified:
		return doc
	return frappe.get_doc("Appeal", name)


# the columns Frappe writes around an appeal's document while it routes it (its assignees, the
# assignment's comment): read anew when the document is copied (``as_loaded``)
WRITTEN_AROUND = ("_assign", "_comments", "_liked_by", "_user_tags")


def as_loaded(doctype: str, name: str, for_update: bool) -> dict | None:
	"""The appeal being routed as Frappe would load it from the database, copied from the document
	the filing has in hand: Frappe loads it twice more while it assigns it (``assign_to.add``, and
	the ToDo's assignment comment), three queries and the document built each time. One query reads
	what may have changed without a save (the columns Frappe writes around the document, and its
	timestamps, as the database keeps them); None, and Frappe reads the database, for another
	document, a locking load, or an appeal saved since it was put in hand."""
	routed = getattr(frappe.local, "asc_routed_appeal", None)
	if routed is None or for_update or doctype != "Appeal" or name != routed.name:
		return None
	stored = frappe.db.get_value("Appeal", name, ["creation", "modified", *WRITTEN_AROUND], as_dict=True)
	if not stored or get_datetime(stored.modified) != get_datetime(routed.modified):
		return None
	return {**routed.as_dict(convert_dates_to_str=False), **stored}


def is_deferred(doctype: str) -> bool:
	return doctype == DOCTYPE and bool(frappe.flags.asc_routing_deferred)


def next_in_turn(rule) -> str | None:
	"""The user whose turn it is in a round robin rule on Appeal: the rule's users in their order,
	one after another, counted in the site's Redis (``INCR``), so that two routings at once give
	two users their turns. Counted from the rule's ``last_user`` when Redis holds no count (lost,
	or the rule saved since); None when Redis is away, and Frappe's own round robin chooses."""
	users = [row.user for row in rule.users]
	if not users:
		return None
	key = turn_key(rule.name)
	try:
		existed, turn = frappe.cache.pipeline().exists(key).incr(key).execute()
		if not existed:
			last = frappe.db.get_value("Assignment Rule", rule.name, "last_user")
			turn = (users.index(last) if last in users else -1) + 1
			frappe.cache.set(key, turn)
	except REDIS_DOWN:
		return None
	rule.flags.asc_turn_counted = True
	return users[turn % len(users)]


def turn_key(rule_name: str) -> bytes:
	"""The key of the rule's count of turns in the site's Redis."""
	return frappe.cache.make_key(f"{TURN_KEY}|{rule_name}")


def note_turn(rule, user: str) -> bool:
	"""Write the user given the appeal as the rule's ``last_user``, on its row alone: the rule's
	document is not loaded again nor dropped from the cache, and its ``modified`` stays (a
	consultant's open form of it still saves). False when the turn was not counted here (Redis
	away): Frappe writes it as it does."""
	if not rule.flags.pop("asc_turn_counted", False):
		return False
	table = frappe.qb.DocType("Assignment Rule")
	frappe.qb.update(table).set(table.last_user, user).where(table.name == rule.name).run()
	rule.last_user = user
	return True


def forget_turns(rule_name: str) -> None:
	"""The rule saved: its turns are counted again from the ``last_user`` saved, now and when the
	transaction ends (a routing meanwhile may have counted from the one before)."""

	def forget():
		try:
			frappe.cache.delete(turn_key(rule_name))
		except REDIS_DOWN:
			pass

	forget()
	frappe.db.after_commit.add(forget)
	frappe.db.after_rollback.add(forget)


def route_filed(appeals: list[str], commit: bool = False) -> None:
	"""Route the appeals a delivery filed (``route``) and tell their assignees (``tell``); with
	``commit``, the routing is committed (with the filing, unless the caller committed it first)
	before the assignees are told."""
	assigned = route(appeals)
	if commit:
		frappe.db.commit()
	tell(assigned, commit)


def route(appeals: list[str]) -> list[str]:
	"""Apply the Assignment Rules to the appeals a delivery filed, calls excepted (see the module),
	as the filing's last step: the rule's row is written as the transaction ends and held until its
	commit, no longer, and the filing and its routing are committed together (an appeal is never
	seen filed and not yet routed). The ToDos made, whose assignees are to be told (``tell``).

	A routing that fails leaves the appeal filed and unassigned, in the Error Log; a deadlock undoes
	the whole transaction, and is the caller's to file again from the start."""
	assigned = []
	for name in dict.fromkeys(appeals):
		doc = document_for_routing(name)
		if not doc:
			continue
		frappe.db.savepoint("asc_routing")
		frappe.flags.asc_assigned_later = assigned_now = []
		frappe.local.asc_routed_appeal = doc
		try:
			apply(doc=doc)
		except frappe.QueryDeadlockError:
			raise  # the whole transaction is gone, the savepoint with it
		except Exception:
			frappe.db.rollback(save_point="asc_routing")
			frappe.log_error(
				title=f"Appeal {name} could not be routed", reference_doctype="Appeal", reference_name=name
			)
		else:
			assigned += assigned_now
		finally:
			frappe.flags.asc_assigned_later = None
			frappe.local.asc_routed_appeal = None
	return assigned


def tell(assigned: list[str], committed: bool) -> None:
	"""Tell the assignees of a committed routing by the teller, a job of the default queue
	(``intake_queue.tell_later``), after the rule's row is let go: the alert (an email rendered, a
	Communication) costs more than the routing. Here, in a transaction of its own, when the queue's
	Redis is away; in the caller's transaction when the routing is not committed (``committed``)."""
	from auto_service_crm.alerts import tell_assigned
	from auto_service_crm.intake_queue import tell_later

	if committed and tell_later(assigned):
		return
	tell_assigned(assigned)
	if committed:
		frappe.db.commit()
