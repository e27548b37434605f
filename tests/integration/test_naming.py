"""An appeal's number is drawn outside the transaction that files it (auto_service_crm/naming.py):
the naming series row is not held while the appeal is validated and saved, so a second filing is
not kept waiting on it; where the filing's own transaction holds the row, the number is drawn
there, as Frappe draws it."""

import frappe
from frappe.model.naming import NamingSeries

from auto_service_crm.naming import connect_apart
from tests.integration.factories import make_appeal


def series_key() -> str:
	return NamingSeries("APL-.YYYY.-.#####").get_prefix()


def test_the_series_row_is_free_while_the_appeal_is_being_filed():
	appeal = make_appeal(phone="+79169994401")  # inserted in the test's transaction, not committed
	with connect_apart() as other, other.cursor() as cursor:  # outside the test's transaction
		# a second filing takes the row at once (it waited for the first filing's commit before)
		cursor.execute("SELECT `current` FROM `tabSeries` WHERE `name` = %s FOR UPDATE", (series_key(),))
		[(current,)] = cursor.fetchall()
	assert appeal.name == f"{series_key()}{current:05d}", "the number was committed when drawn"
	second = make_appeal(phone="+79169994402")
	assert int(second.name[-5:]) == current + 1


def test_a_series_row_held_by_the_filing_itself_is_drawn_in_it():
	first = make_appeal(phone="+79169994403")
	frappe.db.sql("SELECT `current` FROM `tabSeries` WHERE `name` = %s FOR UPDATE", (series_key(),))
	# the row is this transaction's now (as when it deleted the series' last appeal)
	second = make_appeal(phone="+79169994404")
	assert int(second.name[-5:]) == int(first.name[-5:]) + 1
