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
from tests.integration.services import Worker

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


@contextmanager
def workers(count: int = 1, redis_queue: str | None = None):
	started = [Worker(redis_queue) for _ in range(count)]
	try:
		yield started
	finally:
		for worker in started:
			worker.stop()


def settled(since, seconds: float = 60) -> None:
	"""Wait until the background jobs filed every delivery kept since ``since``."""
	deadline = time.time() + seconds
	while time.time() < deadline:
		frappe.db.rollback()  # a new snapshot sees what the workers committed
		if not frappe.db.exists("Intake Payload", {"creation": [">=", since], "status": "Received"}):
			return
		time.sleep(0.1)
	waiting = frappe.get_all(
		"Intake Payload", filters={"creation": [">=", since], "status": "Received"}, pluck="name"
	)
	raise TimeoutError(f"deliveries not filed after {seconds} s: {waiting}")


def received(response) -> str | None:
	"""The payload a webhook kept to file in the background (it answered 200 «received»), else None."""
	if response.status_code != 200:
		return None
	try:
		answer = response.json().get("message")
	except ValueError:
		return None
	if isinstance(answer, dict) and answer.get("status") == "received":
		return answer.get("payload")
	return None


def filed(response, seconds: float = 60):
	"""The response, once the background job filed the delivery it kept (if it kept one)."""
	payload = received(response)
	if payload:
		deadline = time.time() + seconds
		while time.time() < deadline:
			frappe.db.rollback()
			if frappe.db.get_value("Intake Payload", payload, "status") != "Received":
				break
			time.sleep(0.05)
		else:
			raise TimeoutError(f"payload {payload} not filed after {seconds} s")
	return response


def outcome(response) -> dict:
	"""What became of a delivery: the server's answer, or for one kept and filed in the background,
	its filing (the payload's status and appeal) as the inline answer would have said it."""
	payload = received(filed(response))
	if not payload:
		return response.json()["message"]
	frappe.db.rollback()
	log = frappe.db.get_value("Intake Payload", payload, ["status", "appeal"], as_dict=True)
	return {"status": log.status.lower(), "appeals": [log.appeal] if log.appeal else [], "payload": payload}


@pytest.fixture(scope="session")
def web_server(site):
	"""The site's web server, started once for the session, with an rq worker beside it."""
	with serving(site, PORT) as url, workers():
		yield url


class Committed:
	"""Records the server created during a test (committed): found after, deleted at the end."""

	# with the mail and the desk notifications of what it filed: a later appeal may take the same
	# name from the naming series, and must not find a mail of this one
	DOCTYPES = (
		"Intake Payload",
		"Appeal",
		"Call Log",
		"Communication",
		"ToDo",
		"Contact",
		"Customer",
		"Email Queue",
		"Notification Log",
	)

	def __init__(self):
		frappe.db.rollback()
		self.since = frappe.utils.add_to_date(frappe.utils.now_datetime(), seconds=-1)  # the site's clock

	def new(self, doctype, **filters):
		settled(self.since)  # and a new snapshot sees what the server and its worker committed
		return frappe.get_all(doctype, filters={"creation": [">=", self.since], **filters}, pluck="name")

	def clean(self):
		try:
			settled(self.since)  # the workers' filing ends before what it made is deleted
		except TimeoutError:
			pass  # a delivery a test left waiting is deleted all the same
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
