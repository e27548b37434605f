"""Frappe's notifications of a document's events, each Notification taken from the document cache.

At every event of every document, Frappe evaluates the enabled Notifications of its DocType for
that event, and loads each one from the database (its row and its recipients) to read its
condition: every new appeal loads the two «Appeal Registered» (one per language), every save of
one the two «Appeal Closed», whether or not the appeal is one they are for. Appeals take them
from Frappe's document cache instead, which Frappe clears when a Notification is saved or
deleted (and the filing jobs read in one round trip with the other recurring values,
``recurring_reads``). Which Notifications run, when, and what each does is Frappe's own:
``Document.run_notifications`` and ``evaluate_alert``, which this follows.
"""

import frappe
from frappe.email.doctype.notification.notification import evaluate_alert

EVENT_OF_METHOD = {"on_update": "Save", "after_insert": "New", "on_submit": "Submit", "on_cancel": "Cancel"}


class CachedNotifications:
	"""A document controller's ``run_notifications``, with the Notifications from the cache."""

	def run_notifications(self, method):
		if (
			(frappe.flags.in_import and frappe.flags.mute_emails)
			or frappe.flags.in_patch
			or frappe.flags.in_install
		):
			return
		if self.flags.notifications_executed is None:
			self.flags.notifications_executed = []
		if self.flags.notifications is None:
			self.flags.notifications = frappe.cache.hget(
				"notifications", self.doctype, lambda: enabled_notifications(self.doctype)
			)
		if not self.flags.notifications:
			return
		events = dict(EVENT_OF_METHOD)
		if not self.flags.in_insert and not self.flags.in_delete:
			events["on_change"] = "Value Change"  # a value changes only in a document saved before
		event = events.get(method)
		for alert in self.flags.notifications:
			if not ((event and alert.event == event) or (alert.event == "Method" and alert.method == method)):
				continue
			if alert.name in self.flags.notifications_executed:
				continue
			evaluate_alert(self, frappe.get_cached_doc("Notification", alert.name), alert.event)
			self.flags.notifications_executed.append(alert.name)


def enabled_notifications(doctype: str) -> list:
	"""The enabled Notifications of a DocType, as Frappe caches them (``notifications`` in Redis)."""
	return frappe.get_all(
		"Notification",
		fields=["name", "event", "method"],
		filters={"enabled": 1, "document_type": doctype},
	)
