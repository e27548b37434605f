"""Every appeal's day (``appeal_date``, read by the reports and charts) from its date and time, in
one UPDATE: the controller sets it on every save from now on."""

import frappe


def execute():
	frappe.db.sql(
		"""UPDATE `tabAppeal` SET appeal_date = DATE(appeal_datetime)
		WHERE appeal_datetime IS NOT NULL AND (appeal_date IS NULL OR appeal_date != DATE(appeal_datetime))"""
	)
