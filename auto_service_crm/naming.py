"""Appeal numbers drawn outside the transaction that files the appeal.

Frappe's naming series takes its row of ``tabSeries`` FOR UPDATE in the transaction that inserts
the document and holds it until that transaction ends. An appeal is named at the start of its
insert, before its validation (identification, automatic category, the SLA, Notifications, the
Call Log's links): every other new appeal of the site waited on that row for the whole filing, and
two filing jobs filed one appeal at a time. The app draws the number on a connection of its own in
autocommit, with the same row updated in one statement, so the row is held for that statement
only. A filing that rolls back leaves a gap in the numbers, as a deleted appeal does.

When the row is held by the appeal's own transaction (it deleted the series' last appeal, which
Frappe answers by stepping the series back), the connection of its own would wait on it for
ever: after ``LOCK_WAIT_SECONDS`` the number is drawn in the transaction, as Frappe does.
"""

import threading

import pymysql

import frappe
from frappe.model.naming import NamingSeries, get_default_naming_series, getseries, parse_naming_series

LOCK_WAIT_SECONDS = 1
LOCK_WAIT_TIMEOUT = 1205  # ER_LOCK_WAIT_TIMEOUT
_connections: dict[tuple, pymysql.connections.Connection] = {}  # per site and thread


def set_name_apart(doc) -> None:
	"""``doc.name`` from its naming series (the DocType's default if unset), numbered apart."""
	if not doc.naming_series:
		doc.naming_series = get_default_naming_series(doc.doctype)
	series = NamingSeries(doc.naming_series + ".#####")
	series.validate()
	doc.name = parse_naming_series(series.series.split("."), doc=doc, number_generator=next_number)


def next_number(key: str, digits: int) -> str:
	"""The series' next number, committed at once (``getseries`` in the caller's transaction when
	the row is held by it)."""
	sql = (
		"INSERT INTO `tabSeries` (`name`, `current`) VALUES (%s, LAST_INSERT_ID(1))"
		" ON DUPLICATE KEY UPDATE `current` = LAST_INSERT_ID(`current` + 1)"
	)
	for attempt in (1, 2):
		try:
			with connection().cursor() as cursor:
				cursor.execute(sql, (key,))
				cursor.execute("SELECT LAST_INSERT_ID()")
				return ("%0" + str(digits) + "d") % cursor.fetchone()[0]
		except pymysql.Error as e:
			if e.args and e.args[0] == LOCK_WAIT_TIMEOUT:
				break  # held by this transaction
			forget_connection()  # gone (the server restarted, say): once more on a new one
			if attempt == 2:
				break
	return getseries(key, digits)


def connection() -> pymysql.connections.Connection:
	"""This thread's connection for the site's numbers (autocommit)."""
	key = (frappe.local.site, threading.get_ident())
	conn = _connections.get(key)
	if conn is None:
		conn = _connections[key] = connect_apart()
	return conn


def connect_apart() -> pymysql.connections.Connection:
	"""A new connection to the site's database beside Frappe's, in autocommit, waiting at most
	``LOCK_WAIT_SECONDS`` for a row lock."""
	conf = frappe.conf
	return pymysql.connect(
		host=conf.db_host or "127.0.0.1",
		port=int(conf.db_port or 3306),
		unix_socket=conf.db_socket or None,
		user=conf.db_user or conf.db_name,
		password=conf.db_password,
		database=conf.db_name,
		autocommit=True,
		charset="utf8mb4",
		init_command=f"SET SESSION innodb_lock_wait_timeout = {LOCK_WAIT_SECONDS}",
	)


def forget_connection() -> None:
	conn = _connections.pop((frappe.local.site, threading.get_ident()), None)
	if conn is not None:
		try:
			conn.close()
		except Exception:
			pass
