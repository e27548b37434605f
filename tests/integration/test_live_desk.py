"""The call drives the operators' desks, live: two operators logged in, in Russian, in two headless
Chromium windows of 1440×900, with the site's real socket.io server (Frappe's node realtime server)
beside the web server; calls arrive through the call webhook over HTTP. Screenshots are saved in
tests/artifacts/ and checked, not only taken."""

import os
import subprocess
import time
from pathlib import Path

import pytest
import requests

import frappe

from tests.integration.conftest import SITES
from tests.integration.factories import make_customer, make_user
from tests.integration.test_browser import chromium, log_in, open_form, screenshot, wait
from tests.integration.web import PORT, filed, free, serving, workers

BENCH = SITES.parent
RUN = frappe.generate_hash(length=6)
TOKEN = "live-tel-secret"


@pytest.fixture(scope="module")
def live_site(site):
	"""The site as `bench start` runs it in development: the web server (DEV_SERVER=1: the desk then
	reaches socket.io on its own port, where production's nginx proxies /socket.io) and Frappe's
	realtime server beside it (``node apps/frappe/socketio.js``); the app's assets linked where the
	desk loads them from (what ``bench build`` does)."""
	from frappe.build import link_assets_dir

	public = Path(frappe.get_app_path("auto_service_crm", "public"))
	target = SITES / "assets" / "auto_service_crm"
	if not target.exists():
		link_assets_dir(str(public), str(target))
	port = int(frappe.conf.socketio_port or 9000)
	if not free(port):
		pytest.fail(f"port {port} is taken: stop what listens there (another socket.io server?)")
	log = open(f"/tmp/asc-socketio-{os.getpid()}.log", "w")
	server = subprocess.Popen(
		["node", "apps/frappe/socketio.js"],
		cwd=BENCH,
		env={**os.environ, "FRAPPE_SITE": site, "FRAPPE_SOCKETIO_PORT": str(port)},
		stdout=log,
		stderr=subprocess.STDOUT,
	)
	deadline = time.time() + 30
	while free(port) and time.time() < deadline:
		time.sleep(0.2)
	if free(port):
		server.kill()
		pytest.fail("the socket.io server did not start: " + Path(log.name).read_text()[-2000:])
	settings = frappe.get_single("Auto Service Settings")
	settings.telephony_token = TOKEN
	settings.save()
	frappe.db.commit()
	try:
		with serving(site, PORT + 7, env={"DEV_SERVER": "1"}) as url, workers():
			yield url
	finally:
		server.terminate()
		server.wait(timeout=10)
		log.close()


@pytest.fixture
def browser():
	"""Operator A's Chromium."""
	with chromium() as driver:
		yield driver


@pytest.fixture
def second_browser():
	"""Operator B's own Chromium (its own profile and session)."""
	with chromium() as driver:
		yield driver


def operator_in_russian(line: str | None = None) -> tuple[str, str]:
	password = "Asc-Test-" + frappe.generate_hash(length=8)
	name = make_user("Auto Service Operator")
	user = frappe.get_doc("User", name)
	user.language = "ru"
	user.new_password = password
	if line:
		user.asc_phone_line = line
	user.save(ignore_permissions=True)
	return name, password


def connected(driver) -> bool:
	return bool(
		driver.execute_script("return !!(frappe.realtime.socket && frappe.realtime.socket.connected)")
	)


def cards(driver, missed=False) -> list:
	selector = ".asc-call-card.asc-missed" if missed else ".asc-call-card:not(.asc-missed)"
	return [c for c in driver.find_elements("css selector", selector) if c.is_displayed()]


ABOVE_THE_FOLD = """
const what = arguments[0];
const el = what.startsWith("button=")
	? [...document.querySelectorAll(".page-head button")].find((b) => b.innerText.trim() === what.slice(7))
	: document.querySelector(what);
if (!el || !el.offsetParent) return false;
const box = el.getBoundingClientRect();
return box.top >= 0 && box.bottom <= window.innerHeight;
"""


def above_the_fold(driver, *selectors) -> list[str]:
	"""The selectors (or ``button=<text>`` of the page's head) whose element is NOT wholly in the
	window without scrolling."""
	return [s for s in selectors if not driver.execute_script(ABOVE_THE_FOLD, s)]


def call(base, call_id, event, **extra):
	response = requests.post(
		f"{base}/api/method/auto_service_crm.api.call_event",
		json={"call_id": call_id, "event": event, "to": "+7 495 100-00-00", **extra},
		headers={"X-Webhook-Token": TOKEN},
		timeout=30,
	)
	assert response.status_code == 200, response.text
	answered = time.monotonic()
	filed(response)  # the background job filed it (the card may show before: it is sent while filing)
	return answered


def test_a_call_rings_on_a_line_answers_and_a_missed_call_closes_for_everyone(
	live_site, browser, second_browser
):
	web_server = live_site
	browser.set_window_size(1440, 900)
	second_browser.set_window_size(1440, 900)
	line_a = f"7{RUN}"
	a, a_password = operator_in_russian(line_a)
	b, b_password = operator_in_russian()
	customer = make_customer("Живой Клиент")
	phone = "+7916" + str(frappe.utils.cint(frappe.generate_hash(length=5), 16) % 10_000_000).zfill(7)
	contact = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": "Живой",
			"phone_nos": [{"phone": phone}],
			"links": [{"link_doctype": "Customer", "link_name": customer}],
		}
	).insert()
	frappe.db.commit()
	appeals = []
	try:
		for driver, user, password in ((browser, a, a_password), (second_browser, b, b_password)):
			log_in(driver, web_server, user, password)
			driver.get(f"{web_server}/app/todo")
			wait(lambda driver=driver: connected(driver), driver, what="the realtime connection")

		# ringing on A's line: A sees the card with the client, B does not
		ringing_call = f"live-{RUN}-1"
		call(web_server, ringing_call, "ringing", **{"from": phone, "agent": line_a})
		wait(lambda: cards(browser), browser, timeout=10, what="A's call card")
		wait(lambda: "живой клиент" in cards(browser)[0].text.lower(), browser, what="the client on the card")
		card_text = cards(browser)[0].text.lower()
		assert "входящий звонок" in card_text and "открыть обращение" in card_text
		time.sleep(1.5)
		assert not cards(second_browser), "a call on A's line is not shown to B"
		screenshot(browser, "call_card_ringing_ru")

		# A answers: the appeal opens by itself for A, with the task «Specify the appeal's result»
		call(web_server, ringing_call, "answered", **{"from": phone, "agent": line_a})
		frappe.db.rollback()
		appeal = frappe.db.get_value("Appeal", {"call_log": ringing_call}, "name")
		appeals.append(appeal)
		wait(
			lambda: browser.execute_script("return window.cur_frm && cur_frm.doc.name") == appeal,
			browser,
			timeout=15,
			what="the appeal opened for A",
		)
		frappe.db.rollback()  # a new snapshot: what the filing job committed
		tasks = frappe.get_all(
			"ToDo",
			filters={"reference_name": appeal, "status": "Open"},
			fields=["allocated_to", "description"],
		)
		assert [t.allocated_to for t in tasks] == [a], "one task, A's"
		assert tasks[0].description in ("Specify the appeal's result", "Укажите результат обращения")
		wait(
			lambda: "живой клиент" in browser.find_element("css selector", ".asc-caller").text.lower(),
			browser,
		)
		assert not above_the_fold(
			browser,
			".asc-caller-phone",
			".asc-caller-client",
			".asc-caller-summary",
			'.frappe-control[data-fieldname="category"]',
			"button=Выполнить, закрыть",
		), "who calls, the client, the summary, the category and «Done, close» without scrolling"
		assert browser.find_element("css selector", ".asc-caller-phone").text == frappe.db.get_value(
			"Appeal", appeal, "phone_display"
		)
		screenshot(browser, "call_answered_appeal_ru")
		call(web_server, ringing_call, "ended", talk_seconds=30)
		wait(lambda: not cards(browser), browser, timeout=10, what="A's card closed at the end of the call")

		# a missed call: both operators are alerted at once, with its waiting time and «Call back»
		missed_call = f"live-{RUN}-2"
		call(web_server, missed_call, "ringing", **{"from": phone})
		for driver in (browser, second_browser):
			wait(
				lambda driver=driver: cards(driver), driver, timeout=10, what="the card of a line nobody owns"
			)
		call(web_server, missed_call, "missed", **{"from": phone, "wait_seconds": 75, "loss_reason": "queue"})
		for driver in (browser, second_browser):
			wait(lambda driver=driver: cards(driver, missed=True), driver, timeout=10, what="the missed call")
			wait(lambda driver=driver: not cards(driver), driver, timeout=10, what="the ringing card closed")
			text = cards(driver, missed=True)[0].text.lower()
			assert "пропущенный звонок" in text and "перезвонить" in text and "1:15" in text
		screenshot(second_browser, "missed_call_card_ru")
		frappe.db.rollback()
		missed = frappe.db.get_value("Appeal", {"call_log": missed_call}, "name")
		appeals.append(missed)
		assert frappe.db.count("ToDo", {"reference_name": missed, "status": "Open"}) >= 2
		assert frappe.db.exists("Notification Log", {"for_user": b, "document_name": missed}), "the bell"

		# A completes the appeal: B's task for it is closed
		open_form(browser, web_server, "Appeal", missed)
		wait(lambda: browser.find_elements("css selector", ".asc-caller"), browser, what="the caller block")
		assert not above_the_fold(
			browser,
			'.frappe-control[data-fieldname="loss_reason"]',
			'.frappe-control[data-fieldname="wait_time"]',
			'.frappe-control[data-fieldname="call_back_now"]',
			".asc-caller-phone",
			'.frappe-control[data-fieldname="category"]',
		), "a missed call's loss reason, waiting time and «Call back» at the top"
		wait(
			lambda: "время на ответ" in browser.find_element("css selector", ".form-message").text.lower(),
			browser,
		)
		assert "time to respond" not in browser.find_element("tag name", "body").text.lower()
		screenshot(browser, "missed_call_appeal_ru")
		browser.execute_async_script(
			"const done = arguments[arguments.length - 1];"
			"cur_frm.set_value('category', 'Other').then(() => cur_frm.save())"
			".then(() => cur_frm.call('complete')).then(() => done(true), (e) => done(String(e)));"
		)

		def closed_for_b():
			frappe.db.rollback()
			return not frappe.db.exists(
				"ToDo", {"reference_name": missed, "allocated_to": b, "status": "Open"}
			)

		wait(closed_for_b, what="B's task closed once A completed the appeal")
		assert frappe.db.get_value("Appeal", missed, "completed_on")
		assert not frappe.db.exists("ToDo", {"reference_name": missed, "status": "Open"}), (
			"nobody keeps a stale task"
		)
	finally:
		frappe.db.rollback()
		# the webhooks' kept payloads first: a payload would hold a deleted appeal's name, which the
		# naming series gives again once its last appeal is deleted
		frappe.db.delete("Intake Payload", {"external_id": ["like", f"live-{RUN}-%"]})
		for name in appeals:
			if not name:
				continue
			frappe.db.delete("ToDo", {"reference_name": name})
			frappe.db.delete("Notification Log", {"document_name": name})
			call_log = frappe.db.get_value("Appeal", name, "call_log")
			frappe.delete_doc("Appeal", name, force=True)
			if call_log:
				frappe.delete_doc("Call Log", call_log, force=True)
		frappe.delete_doc("Contact", contact.name, force=True)
		frappe.delete_doc("Customer", customer, force=True)
		frappe.delete_doc("User", a, force=True)
		frappe.delete_doc("User", b, force=True)
		frappe.db.commit()
