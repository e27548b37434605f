"""A Russian-speaking operator at 1440×900 sees the client's recommendation in the portrait of the
appeal and books it with «Записать»: the appeal is filled for the hand-off, «Выполнить, закрыть»
makes the Service Request and the recommendation becomes Booked in it (a real browser, as
tests/integration/test_browser.py runs it)."""

import frappe
from frappe.utils import add_to_date, now_datetime, nowdate

from tests.integration.factories import make_customer, make_sales_order, make_user, make_vehicle_model
from tests.integration.test_browser import browser, log_in, open_form, page_text, screenshot, wait


def test_the_operator_books_a_recommendation_from_the_portrait_in_russian(web_server, browser):  # noqa: F811
	browser.set_window_size(1440, 900)
	password = "Asc-Test-" + frappe.generate_hash(length=8)
	operator = make_user("Auto Service Operator")
	user = frappe.get_doc("User", operator)
	user.language = "ru"
	user.new_password = password
	user.save(ignore_permissions=True)
	customer = make_customer("Клиент Рекомендации")
	vehicle = frappe.get_doc(
		{
			"doctype": "Customer Vehicle",
			"customer": customer,
			"vehicle_model": make_vehicle_model("Kia", "Rio"),
			"year": 2018,
			"license_plate": "А123ВС77",
			"mileage_readings": [{"reading_date": nowdate(), "mileage": 48500}],
		}
	).insert()
	order = make_sales_order(customer)
	order.db_set("customer_vehicle", vehicle.name)
	rec = frappe.get_doc(
		{
			"doctype": "Service Recommendation",
			"source_doctype": "Sales Order",
			"source_name": order.name,
			"description": "Заменить тормозные колодки",
			"due_mileage": 49000,
		}
	).insert()
	appeal = frappe.get_doc(
		{"doctype": "Appeal", "channel": "Incoming Call", "customer": customer, "phone": "+79168001101"}
	).insert(ignore_permissions=True)
	frappe.db.commit()
	request = None
	try:
		log_in(browser, web_server, operator, password)
		open_form(browser, web_server, "Appeal", appeal.name, what="the appeal")
		browser.execute_script(
			"cur_frm.layout.tabs.find((t) => t.df.fieldname === 'portrait_tab').set_active();"
		)
		wait(lambda: "заменить тормозные колодки" in page_text(browser), browser, what="the recommendation")
		text = page_text(browser)
		assert "рекомендации" in text and "при пробеге 49000 км" in text and "скоро срок" in text
		screenshot(browser, "recommendation_portrait_ru")

		[book] = browser.find_elements("css selector", ".asc-book")
		assert book.text.strip() == "Записать"
		book.click()

		def filled():
			return browser.execute_script("return cur_frm.doc.result") == "Client Booked"

		wait(filled, browser, what="the appeal filled for the booking")
		assert browser.execute_script("return [cur_frm.doc.category, cur_frm.doc.vehicle]") == [
			"Repair Services",
			vehicle.name,
		]
		assert "Заменить тормозные колодки" in browser.execute_script("return cur_frm.doc.client_comment")
		wait(lambda: "записывается этим обращением" in page_text(browser), browser, what="the booking mark")
		screenshot(browser, "recommendation_booking_ru")

		when = str(add_to_date(now_datetime(), days=4, minutes=int(frappe.generate_hash(length=3), 16) % 600))
		browser.execute_async_script(
			"const done = arguments[arguments.length - 1];"
			"cur_frm.set_value('booking_time', arguments[0]).then(() => cur_frm.save()).then(() => done(true));",
			when,
		)

		def done_button():
			buttons = browser.find_elements("css selector", "button")
			return next((b for b in buttons if b.text.strip() == "Выполнить, закрыть"), None)

		wait(done_button, browser, what="the «Done, close» button")
		done_button().click()

		def booked():
			frappe.db.rollback()
			return frappe.db.get_value("Service Recommendation", rec.name, "status") == "Booked"

		wait(booked, browser, what="the recommendation booked")
		request = frappe.db.get_value("Appeal", appeal.name, "service_request")
		assert frappe.db.get_value("Service Recommendation", rec.name, ["booked_in", "appeal"]) == (
			request,
			appeal.name,
		)
		assert frappe.db.get_value("Service Request", request, ["kind", "status", "vehicle"]) == (
			"Repair",
			"Booked",
			vehicle.name,
		)
	finally:
		frappe.db.rollback()
		request = request or frappe.db.get_value("Appeal", appeal.name, "service_request")
		frappe.delete_doc("Service Recommendation", rec.name, force=True)
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
		order.reload()
		order.cancel()
		frappe.delete_doc("Sales Order", order.name, force=True)
		frappe.delete_doc("Customer Vehicle", vehicle.name, force=True)
		frappe.delete_doc("Customer", customer, force=True)
		frappe.delete_doc("User", operator, force=True)
		frappe.db.commit()


def test_a_service_advisor_adds_a_recommendation_on_a_repair_order_in_russian(web_server, browser):  # noqa: F811
	browser.set_window_size(1440, 900)
	password = "Asc-Test-" + frappe.generate_hash(length=8)
	advisor = make_user("Service Advisor")
	user = frappe.get_doc("User", advisor)
	user.language = "ru"
	user.new_password = password
	user.save(ignore_permissions=True)
	customer = make_customer("Клиент Заказ-наряда")
	vehicle = frappe.get_doc(
		{
			"doctype": "Customer Vehicle",
			"customer": customer,
			"vehicle_model": make_vehicle_model("Lada", "Vesta"),
			"year": 2015,
			"license_plate": "В456ОР77",
		}
	).insert()
	order = make_sales_order(customer)
	order.db_set("customer_vehicle", vehicle.name)
	frappe.db.commit()
	try:
		log_in(browser, web_server, advisor, password)
		open_form(browser, web_server, "Sales Order", order.name, what="the repair order")

		def add_button():
			return browser.execute_script(
				"return !!(cur_frm.custom_buttons && cur_frm.custom_buttons['Добавить рекомендацию'])"
			)

		wait(add_button, browser, what="«Add Recommendation» on the repair order")
		browser.execute_script("cur_frm.custom_buttons['Добавить рекомендацию'].click()")
		wait(
			lambda: browser.execute_script(
				"return !!(window.cur_dialog && cur_dialog.fields_dict.description)"
			),
			browser,
			what="the recommendation dialog",
		)
		assert browser.execute_script("return cur_dialog.get_value('vehicle')") == vehicle.name
		browser.execute_script(
			"cur_dialog.set_value('description', 'Заменить амортизаторы');"
			"cur_dialog.set_value('due_mileage', 120000);"
		)
		screenshot(browser, "recommendation_dialog_ru")
		browser.execute_script("cur_dialog.get_primary_btn().click()")

		def recorded():
			frappe.db.rollback()
			return frappe.get_all(
				"Service Recommendation",
				filters={"source_doctype": "Sales Order", "source_name": order.name},
				fields=["customer", "vehicle", "description", "due_mileage", "status"],
			)

		wait(recorded, browser, what="the recommendation recorded")
		[rec] = recorded()
		assert (rec.customer, rec.vehicle, rec.description, rec.due_mileage, rec.status) == (
			customer,
			vehicle.name,
			"Заменить амортизаторы",
			120000,
			"Open",
		)
		# the order's connections (counted once the tab is in sight) count it under its own heading
		[tab] = [
			t
			for t in browser.find_elements("css selector", ".form-tabs .nav-link")
			if t.text.strip() == "Связи"
		]
		tab.click()
		link = "cur_frm.dashboard.transactions_area.find('.document-link[data-doctype=\"Service Recommendation\"]')"
		wait(
			lambda: browser.execute_script(f"return {link}.find('.count').text().trim()") == "1",
			browser,
			what="the recommendation counted in the order's connections",
		)
		heading = browser.execute_script(f"return {link}.closest('.form-documents').parent().text()")
		assert "Рекомендации" in heading
	finally:
		frappe.db.rollback()
		for name in frappe.get_all(
			"Service Recommendation", filters={"source_name": order.name}, pluck="name"
		):
			frappe.delete_doc("Service Recommendation", name, force=True)
		order.reload()
		order.cancel()
		frappe.delete_doc("Sales Order", order.name, force=True)
		frappe.delete_doc("Customer Vehicle", vehicle.name, force=True)
		frappe.delete_doc("Customer", customer, force=True)
		frappe.delete_doc("User", advisor, force=True)
		frappe.db.commit()
