# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate

from auto_service_crm import routing
from auto_service_crm.clients import get_client_kind
from auto_service_crm.identification import ad_channel_for, identify
from auto_service_crm.naming import set_name_apart
from auto_service_crm.overrides.loading import load_from_values
from auto_service_crm.overrides.notifications import CachedNotifications
from auto_service_crm.processing import complete_appeal, set_automatic_category
from auto_service_crm.rules.work_type_comment import comment_with_work_types
from auto_service_crm.settings import display_phone, get_settings, normalized_phone
from auto_service_crm.status import default_status
from auto_service_crm.times import round_datetimes


class Appeal(CachedNotifications, Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from auto_service_crm.auto_service_crm.doctype.service_request_item.service_request_item import (
			ServiceRequestItem,
		)
		from auto_service_crm.auto_service_crm.doctype.work_type_detail.work_type_detail import WorkTypeDetail

		ad_channel: DF.Link | None
		appeal_date: DF.Date | None
		appeal_datetime: DF.Datetime
		automatic_reason: DF.Data | None
		booking_time: DF.Datetime | None
		call_back: DF.Check
		call_log: DF.Link | None
		callback_alert_sent: DF.Check
		callback_at: DF.Datetime | None
		category: DF.Link | None
		category_override_reason: DF.SmallText | None
		category_set_automatically: DF.Check
		channel: DF.Link
		chat_platform: DF.Literal["", "WhatsApp", "Telegram", "Jivosite"]
		client_comment: DF.SmallText | None
		client_kind: DF.Literal["Primary", "Repeat"]
		client_name: DF.Data | None
		completed_on: DF.Datetime | None
		contact: DF.Link | None
		conversation_id: DF.Data | None
		customer: DF.Link | None
		dialled_number: DF.Data | None
		email: DF.Data | None
		form_name: DF.Data | None
		identification: DF.Literal["", "Identified", "Several Matches", "Not Found"]
		items: DF.Table[ServiceRequestItem]
		loss_reason: DF.Literal["", "IVR", "Queue Wait", "Ringing Manager", "Other"]
		mileage: DF.Int
		naming_series: DF.Literal["APL-.YYYY.-"]
		operator: DF.Link | None
		phone: DF.Data | None
		phone_display: DF.Data | None
		phone_normalized: DF.Data | None
		redirect_to: DF.Link | None
		result: DF.Link | None
		result_reason: DF.SmallText | None
		sales_order: DF.Link | None
		service_request: DF.Link | None
		sla_alert_sent: DF.Check
		status: DF.Link | None
		title: DF.Data | None
		utm_campaign: DF.Data | None
		utm_medium: DF.Data | None
		utm_source: DF.Data | None
		vehicle: DF.Link | None
		vehicle_model: DF.Link | None
		vehicle_year: DF.Int
		wait_time: DF.Duration | None
		work_types: DF.TableMultiSelect[WorkTypeDetail]

	# end: auto-generated types
	def load_from_db(self):
		"""Frappe's loads of an appeal while it is routed (its assignment, the assignment's comment)
		copy the document the filing has in hand instead of reading it again: see
		``routing.as_loaded``."""
		loaded = routing.as_loaded(self.doctype, self.name, bool(self.flags.for_update))
		if loaded is None:
			return super().load_from_db()
		return load_from_values(self, loaded)

	def autoname(self):
		set_name_apart(self)  # the series row is not held through the filing (naming.py)

	def validate(self):
		round_datetimes(self)
		self.appeal_date = getdate(self.appeal_datetime) if self.appeal_datetime else None
		self.set_normalized_phone()
		self.set_client()
		self.validate_vehicle()
		self.add_work_type_comments()
		set_automatic_category(self)
		if not self.status:
			self.status = default_status("Appeal Status")
		# who the appeal is with, in no language: the category shows beside it, translated for the reader
		self.title = self.client_name or self.phone_display or self.phone or self.email or self.name

	def set_normalized_phone(self):
		"""What a person types must be a phone number; what a channel sent is kept as sent."""
		self.phone_normalized = normalized_phone(self.phone)
		self.phone_display = display_phone(self.phone)
		typed = not self.flags.phone_as_sent and (self.is_new() or self.has_value_changed("phone"))
		if self.phone and not self.phone_normalized and typed:
			frappe.throw(
				_("{0} is not a phone number").format(frappe.bold(self.phone)), title=_("Invalid Phone")
			)

	def set_client(self):
		identify(self)
		if not self.ad_channel and (self.dialled_number or self.utm_source):
			self.ad_channel = ad_channel_for(self.dialled_number, self.utm_source)
		if self.is_new() and not self.channel and self.email:
			# created from incoming mail (Email Account «Append To»): the subject is what the client asks
			self.channel = "Email"
			self.client_comment = self.client_comment or self.title
		if self.customer and (not self.client_name or self.has_value_changed("customer")):
			self.client_name = frappe.db.get_value("Customer", self.customer, "customer_name")
		self.client_kind = get_client_kind(self.customer)

	def validate_vehicle(self):
		if not self.vehicle:
			return
		owner, current_mileage = frappe.db.get_value(
			"Customer Vehicle", self.vehicle, ["customer", "current_mileage"]
		)
		if self.customer and owner != self.customer:
			frappe.throw(
				_("Vehicle {0} belongs to another customer").format(frappe.bold(self.vehicle)),
				title=_("Wrong Vehicle"),
			)
		if self.mileage and current_mileage and self.mileage < current_mileage and not self.completed_on:
			frappe.throw(
				_("Mileage {0} km is lower than the car's last reading, {1} km").format(
					self.mileage, current_mileage
				),
				title=_("Invalid Mileage"),
			)

	def add_work_type_comments(self):
		"""The comment texts of the work types chosen since the last save join the client comment
		after the operator's own words (a text already in it is not repeated)."""
		before = self.get_doc_before_save()
		chosen_before = {row.work_type for row in before.work_types} if before else set()
		chosen = [row.work_type for row in self.work_types if row.work_type not in chosen_before]
		if not chosen:
			return
		texts = dict(
			frappe.get_all(
				"Work Type", filters={"name": ("in", chosen)}, fields=["name", "comment_text"], as_list=True
			)
		)
		self.client_comment = comment_with_work_types(self.client_comment, (texts.get(w) for w in chosen))

	@property
	def client_language(self) -> str:
		"""The language of the alerts to the client: Auto Service Settings' Client Email Language
		(Russian when not set); the Notifications' conditions read it."""
		return get_settings().client_email_language or "ru"

	@frappe.whitelist()
	def complete(self):
		"""«Done, close»: apply the category and result (hand-off, redirect, close) in one step."""
		self.check_permission("write")
		complete_appeal(self)


# The reports' and charts' composite indexes: each leads with what a query filters on (its period by
# day, the channel of the missed calls) and carries what it groups and counts, so that a period is
# read as a range of one index, never the history. {index name: columns}.
REPORT_INDEXES = {
	# Appeal Funnel (by channel, category, ad channel, result), Ad Channel Effectiveness, Demand by
	# Work Type, «Appeals per Day» and the charts by channel and by category
	"appeal_date_groups": (
		"appeal_date",
		"channel",
		"category",
		"ad_channel",
		"result",
		"service_request",
	),
	# Ad Channel Effectiveness and the funnel by UTM campaign
	"appeal_date_campaign": ("appeal_date", "utm_campaign", "service_request"),
	# Missed Calls (by loss reason, operator, waiting time), the chart by loss reason and the
	# «Unprocessed Missed Calls» card
	"missed_calls_period": (
		"channel",
		"appeal_date",
		"loss_reason",
		"operator",
		"wait_time",
		"completed_on",
		"appeal_datetime",
	),
	# SLA Compliance: on the fields ERPNext adds to Appeal with its Service Level Agreement
	"sla_period": ("appeal_date", "agreement_status", "service_level_agreement"),
}


def add_report_indexes() -> None:
	"""Add the reports' indexes that are missing; an index on columns the table does not have yet
	(ERPNext's SLA fields before its Service Level Agreement exists) waits for the next migrate."""
	for name, columns in REPORT_INDEXES.items():
		if all(frappe.db.has_column("Appeal", column) for column in columns):
			frappe.db.add_index("Appeal", list(columns), name)


def on_doctype_update():
	add_report_indexes()
