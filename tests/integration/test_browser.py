"""The operator's desk in a real browser (Debian's Chromium, headless) against the real site, in
Russian: the workspace, then a call taken through to a Service Request. Screenshots are saved in
tests/artifacts/ and checked not to be blank."""

import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

import frappe
from frappe.utils import add_to_date, now_datetime

from tests.integration.factories import make_customer, make_user

webdriver = pytest.importorskip(
	"selenium.webdriver", reason="selenium is installed by .ci/run with the browser"
)
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
FLAGS = (
	"--headless=new",
	"--no-sandbox",
	"--disable-gpu",
	"--disable-quic",
	"--no-first-run",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
	"--window-size=1440,1000",
	"--lang=ru",
)


@contextmanager
def chromium():
	"""A headless Chromium of its own (profile, session), closed after use."""
	if not (CHROMIUM and CHROMEDRIVER):
		pytest.fail("Chromium and chromedriver are needed (apt-get install chromium chromium-driver)")
	from selenium.webdriver.chrome.service import Service

	options = webdriver.ChromeOptions()
	options.binary_location = CHROMIUM
	for flag in FLAGS:
		options.add_argument(flag)
	profile = tempfile.mkdtemp(prefix="asc-chromium-")
	options.add_argument(f"--user-data-dir={profile}")
	driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
	driver.set_page_load_timeout(60)
	try:
		yield driver
	finally:
		driver.quit()
		shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser():
	with chromium() as driver:
		yield driver


def wait(condition, driver=None, timeout=60, what="the page"):
	"""Poll ``condition``; on a timeout keep what the browser showed in tests/artifacts."""
	deadline = time.time() + timeout
	while time.time() < deadline:
		try:
			if condition():
				return True
		except Exception:
			pass
		time.sleep(0.5)
	shown = ""
	if driver is not None:
		ARTIFACTS.mkdir(exist_ok=True)
		driver.save_screenshot(str(ARTIFACTS / "timeout.png"))
		shown = driver.find_element("tag name", "body").text[:500]
	pytest.fail(f"timed out waiting for {what}; the page showed: {shown}")


def screenshot(driver, name: str) -> Path:
	"""Save a screenshot and check it shows something: many colours, not one flat fill."""
	from PIL import Image

	ARTIFACTS.mkdir(exist_ok=True)
	path = ARTIFACTS / f"{name}.png"
	driver.save_screenshot(str(path))
	colours = Image.open(path).convert("RGB").getcolors(maxcolors=1_000_000)
	assert colours and len(colours) > 50, f"{path} is blank"
	return path


def page_text(driver) -> str:
	"""What the page shows, lower-cased (the desk upper-cases some labels with CSS)."""
	return driver.find_element("tag name", "body").text.lower()


def open_form(driver, base, doctype: str, name: str, what: str | None = None) -> None:
	"""Open a document's form and wait until the desk shows it."""
	driver.get(f"{base}/app/{doctype.lower().replace(' ', '-')}/{name}")
	wait(
		lambda: driver.execute_script("return window.cur_frm && cur_frm.doc.name") == name,
		driver,
		what=what or f"the {doctype} {name}",
	)


def log_in(driver, base, user, password):
	driver.get(f"{base}/login")
	status = driver.execute_async_script(
		"const done = arguments[arguments.length - 1];"
		"fetch('/api/method/login', {method: 'POST', headers: {'Content-Type': 'application/json'},"
		" body: JSON.stringify({usr: arguments[0], pwd: arguments[1]})}).then(r => done(r.status));",
		user,
		password,
	)
	assert status == 200


def test_an_operator_takes_a_call_to_a_service_request_in_russian(web_server, browser):
	password = "Asc-Test-" + frappe.generate_hash(length=8)
	operator = make_user("Auto Service Operator")
	user = frappe.get_doc("User", operator)
	user.language = "ru"
	user.new_password = password
	user.save(ignore_permissions=True)
	customer = make_customer("Браузерный Клиент")
	appeal = frappe.get_doc(
		{
			"doctype": "Appeal",
			"channel": "Incoming Call",
			"customer": customer,
			"phone": "+79168000001",
			"email": "browser-client@example.com",
			"client_comment": "Стучит подвеска",
		}
	).insert(ignore_permissions=True)
	frappe.db.commit()
	try:
		log_in(browser, web_server, operator, password)

		browser.get(f"{web_server}/app/auto-service-crm")
		wait(lambda: "обращения сегодня" in page_text(browser), browser, what="the workspace")
		screenshot(browser, "workspace_ru")

		open_form(browser, web_server, "Appeal", appeal.name, what="the appeal")
		wait(lambda: "портрет клиента" in page_text(browser), browser, what="the portrait")
		assert "браузерный клиент" in page_text(browser)
		when = str(
			add_to_date(
				now_datetime(), days=3, minutes=frappe.utils.cint(frappe.generate_hash(length=3), 16) % 600
			)
		)
		browser.execute_async_script(
			"const done = arguments[arguments.length - 1];"
			"cur_frm.set_value('category', 'Repair Services')"
			".then(() => new Promise(r => setTimeout(r, 1500)))"
			".then(() => cur_frm.set_value('result', 'Client Booked'))"
			".then(() => cur_frm.set_value('booking_time', arguments[0]))"
			".then(() => cur_frm.save()).then(() => done(true));",
			when,
		)
		screenshot(browser, "appeal_window_ru")

		def done_button():
			buttons = browser.find_elements("css selector", "button")
			return next((b for b in buttons if b.text.strip() == "Выполнить, закрыть"), None)

		wait(done_button, browser, what="the «Done, close» button")
		done_button().click()

		def handed_off():
			frappe.db.rollback()
			return frappe.db.get_value("Appeal", appeal.name, "service_request")

		wait(handed_off, what="the hand-off")
		request = frappe.get_doc("Service Request", handed_off())
		assert (request.kind, request.status, request.customer) == ("Repair", "Booked", customer)
		assert request.appointment
		open_form(browser, web_server, "Service Request", request.name, what="the request")
		assert browser.execute_script("return cur_frm.doc.status") == "Booked"
		screenshot(browser, "service_request_ru")
	finally:
		frappe.db.rollback()
		request = frappe.db.get_value("Appeal", appeal.name, "service_request")
		if request:
			appointment = frappe.db.get_value("Service Request", request, "appointment")
			frappe.db.set_value("Appeal", appeal.name, "service_request", None)
			frappe.delete_doc("Service Request", request, force=True)
			if appointment:
				event = frappe.db.get_value("Appointment", appointment, "calendar_event")
				frappe.delete_doc("Appointment", appointment, force=True)
				if event:
					frappe.delete_doc("Event", event, force=True)
		for todo in frappe.get_all("ToDo", filters={"reference_name": appeal.name}, pluck="name"):
			frappe.delete_doc("ToDo", todo, force=True)
		frappe.db.delete("Email Queue", {"reference_name": appeal.name})
		frappe.delete_doc("Appeal", appeal.name, force=True)
		frappe.delete_doc("Customer", customer, force=True)
		frappe.delete_doc("User", operator, force=True)
		frappe.db.commit()


def test_a_visit_in_the_short_form_and_the_workspace_charts_in_russian(web_server, browser):
	password = "Asc-Test-" + frappe.generate_hash(length=8)
	operator = make_user("Auto Service Operator")
	user = frappe.get_doc("User", operator)
	user.language = "ru"
	user.new_password = password
	user.save(ignore_permissions=True)
	phone = "+7916" + str(frappe.utils.cint(frappe.generate_hash(length=5), 16) % 10_000_000).zfill(7)
	frappe.db.commit()
	try:
		log_in(browser, web_server, operator, password)
		browser.get(f"{web_server}/app/auto-service-crm")
		for title in ("обращения по дням", "обращения по каналам", "новый визит"):
			wait(lambda title=title: title in page_text(browser), browser, what=f"«{title}» on the workspace")
		screenshot(browser, "workspace_charts_ru")

		browser.get(f"{web_server}/app/appeal")

		def visit_button():
			buttons = browser.find_elements("css selector", "button")
			return next((b for b in buttons if b.text.strip() == "Новый визит"), None)

		wait(visit_button, browser, what="the «New Visit» button")
		visit_button().click()
		wait(
			lambda: browser.execute_script("return window.cur_dialog && cur_dialog.doc.channel") == "Visit",
			browser,
			what="the short form with the channel set",
		)
		browser.execute_async_script(
			"const done = arguments[arguments.length - 1];"
			"cur_dialog.set_value('phone', arguments[0])"
			".then(() => cur_dialog.set_value('client_comment', 'Заехал без записи: шумит тормоз'))"
			".then(() => done(true));",
			phone,
		)

		def title():
			return browser.execute_script("return cur_dialog.$wrapper.find('.modal-title').text()").strip()

		# not Frappe's «Новый Обращение» (the app titles the dialog once Frappe has rendered it)
		wait(lambda: title() == "Новое обращение", browser, timeout=10, what="the short form's title")
		screenshot(browser, "visit_quick_entry_ru")
		browser.execute_script("cur_dialog.get_primary_btn().click()")

		def filed():
			frappe.db.rollback()
			return frappe.db.get_value(
				"Appeal", {"phone": phone}, ["name", "channel", "client_comment"], as_dict=True
			)

		wait(filed, browser, what="the visit filed")
		visit = filed()
		assert (visit.channel, visit.client_comment) == ("Visit", "Заехал без записи: шумит тормоз")
	finally:
		frappe.db.rollback()
		for name in frappe.get_all("Appeal", filters={"phone": phone}, pluck="name"):
			frappe.delete_doc("Appeal", name, force=True)
		frappe.delete_doc("User", operator, force=True)
		frappe.db.commit()
