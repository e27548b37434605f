"""A real web server of the site on loopback, for the webhook tests: requests go through HTTP,
the server commits in its own connections, and the tests clean up what it created."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

import frappe

from tests.integration.conftest import SITES

PORT = int(os.environ.get("AUTO_SERVICE_CRM_TEST_PORT", 8011))  # another run on another site: another port


def free(port: int) -> bool:
	with socket.socket() as s:
		return s.connect_ex(("127.0.0.1", port)) != 0


@contextmanager
def serving(site: str, port: int, env: dict | None = None):
	"""`bench serve` for the site (Frappe's own development server) on a port of loopback."""
	if not free(port):
		pytest.fail(f"port {port} is taken: stop what listens there")
	log = tempfile.NamedTemporaryFile(prefix="asc-web-", suffix=".log", delete=False)
	# to a file: a pipe nobody reads fills up with the access log and blocks the server
	server = subprocess.Popen(
		[
			sys.executable,
			"-m",
			"frappe.utils.bench_helper",
			"frappe",
			"--site",
			site,
			"serve",
			"--port",
			str(port),
			"--noreload",
		],
		cwd=SITES,
		stdout=log,
		stderr=subprocess.STDOUT,
		env={**os.environ, **(env or {})},
	)
	url = f"http://127.0.0.1:{port}"
	deadline = time.time() + 60
	while time.time() < deadline:
		try:
			if requests.get(f"{url}/api/method/ping", timeout=2).ok:
				break
		except requests.ConnectionError:
			time.sleep(0.5)
	else:
		server.kill()
		pytest.fail("the web server did not start: " + Path(log.name).read_text()[-2000:])
	try:
		yield url
	finally:
		server.terminate()
		server.wait(timeout=20)
		log.close()
		Path(log.name).unlink(missing_ok=True)


@pytest.fixture(scope="session")
def web_server(site):
	"""The site's web server, started once for the session."""
	with serving(site, PORT) as url:
		yield url


class Committed:
	"""Records the server created during a test (committed): found after, deleted at the end."""

	DOCTYPES = ("Intake Payload", "Appeal", "Call Log", "Communication", "ToDo", "Contact", "Customer")

	def __init__(self):
		frappe.db.rollback()
		self.since = frappe.utils.add_to_date(frappe.utils.now_datetime(), seconds=-1)  # the site's clock

	def new(self, doctype, **filters):
		frappe.db.rollback()  # a new snapshot sees what the server committed
		return frappe.get_all(doctype, filters={"creation": [">=", self.since], **filters}, pluck="name")

	def clean(self):
		frappe.db.rollback()
		for doctype in self.DOCTYPES:
			for name in frappe.get_all(doctype, filters={"creation": [">=", self.since]}, pluck="name"):
				frappe.delete_doc(doctype, name, force=True, ignore_permissions=True, delete_permanently=True)
		frappe.db.commit()


@pytest.fixture
def committed(web_server):
	record = Committed()
	yield record
	record.clean()
