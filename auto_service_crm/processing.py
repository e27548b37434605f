"""Applying the processing rules to an Appeal: automatic category, and completion with its hand-off.

The decisions are made in auto_service_crm.rules; this module gathers the facts and carries the
decisions out with ERPNext's own documents. Completing an appeal is one transaction: when any
part of the hand-off fails, everything it did is rolled back to a savepoint and the error shown.
"""

import frappe
from frappe import _
from frappe.model import table_fields
from frappe.utils import get_datetime, now_datetime, strip_html_tags

from auto_service_crm import hand_off
from auto_service_crm.appeal_facts import client_key, gather_client_facts
from auto_service_crm.automatic_rules import evaluate_rules
from auto_service_crm.locks import lock_client
from auto_service_crm.operator_tasks import close_tasks
from auto_service_crm.rules.appeal_completion import (
	Action,
	AppealState,
	CategorySpec,
	CompletionError,
	ResultSpec,
	plan_completion,
)
from auto_service_crm.settings import get_settings
from auto_service_crm.times import now_in_seconds

AUTOMATIC_REASON_LENGTH = 140  # the Appeal's Data field


def set_automatic_category(appeal) -> None:
	"""Set (or withdraw) the automatic category while the operator has not chosen one: the first
	enabled Automatic Category Rule that holds for the client's facts sets it (a broken rule is
	skipped and logged)."""
	if appeal.completed_on:
		return
	before = appeal.get_doc_before_save()
	if before and before.category_set_automatically and appeal.category != before.category:
		# The operator overrides the automatic category: keep their choice and their reason.
		if not (appeal.category_override_reason or "").strip():
			frappe.throw(
				_("Say why you change the category {0} that was set automatically").format(
					frappe.bold(_(before.category))
				),
				title=_("Reason Required"),
			)
		appeal.category_set_automatically = 0
		appeal.automatic_reason = None
		return
	if appeal.category and not appeal.category_set_automatically:
		return
	if not appeal.is_new() and not (
		appeal.has_value_changed("customer") or appeal.has_value_changed("phone_normalized")
	):
		return

	key = client_key(appeal)
	lock_client(key and key[1])
	decision = evaluate_rules(gather_client_facts(appeal)).decision
	if decision:
		appeal.category = decision.category
		appeal.category_set_automatically = 1
		appeal.automatic_reason = decision.reason[:AUTOMATIC_REASON_LENGTH]
		if decision.service_request:
			appeal.service_request = decision.service_request
	elif appeal.category_set_automatically:
		appeal.category = None
		appeal.category_set_automatically = 0
		appeal.automatic_reason = None


def category_spec(name: str | None) -> CategorySpec | None:
	if not name:
		return None
	category = frappe.get_cached_doc("Appeal Category", name)
	return CategorySpec(
		name=category.name,
		on_selection=category.on_selection,
		closing_status=category.closing_status,
		allowed_results=tuple(row.result for row in category.results),
	)


def result_spec(name: str | None) -> ResultSpec | None:
	if not name:
		return None
	result = frappe.get_cached_doc("Appeal Result", name)
	return ResultSpec(
		name=result.name,
		action=result.action,
		appeal_status=result.appeal_status,
		service_request_kind=result.service_request_kind,
		service_request_status=result.service_request_status,
		reserve_stock=bool(result.reserve_stock),
		record_sale=bool(result.record_sale),
		required_fields=tuple(row.fieldname for row in result.required_fields),
	)


def field_value(appeal, fieldname: str):
	"""An Appeal field's value as the completion rule reads it: a table's rows as a list, a text
	editor's text without its markup."""
	value = appeal.get(fieldname)
	df = frappe.get_meta("Appeal").get_field(fieldname)
	if df and df.fieldtype in table_fields:
		return list(value or [])
	if df and df.fieldtype in ("Text Editor", "HTML Editor") and isinstance(value, str):
		return strip_html_tags(value)
	return value


def appeal_state(appeal, fieldnames: tuple[str, ...] = ()) -> AppealState:
	"""What the completion rule reads of the appeal, with the values of ``fieldnames``."""
	return AppealState(
		category=appeal.category,
		result=appeal.result,
		booking_time=get_datetime(appeal.booking_time) if appeal.booking_time else None,
		callback_at=get_datetime(appeal.callback_at) if appeal.callback_at else None,
		call_back=bool(appeal.call_back),
		redirect_to=appeal.redirect_to,
		sales_order=appeal.sales_order,
		service_request=appeal.service_request,
		now=now_datetime(),
		values={field: field_value(appeal, field) for field in fieldnames},
	)


def plan_for(appeal):
	try:
		result = result_spec(appeal.result)
		state = appeal_state(appeal, result.required_fields if result else ())
		return plan_completion(category_spec(appeal.category), result, state)
	except CompletionError as e:
		if e.missing:
			meta = frappe.get_meta("Appeal")
			labels = ", ".join(_(meta.get_label(field)) for field in e.missing)
			frappe.throw(_("To complete the appeal, fill in: {0}").format(labels), title=_("Not Complete"))
		frappe.throw(_(e.template).format(*(_(arg) for arg in e.values)), title=_("Not Complete"))


def complete_appeal(appeal) -> None:
	"""«Done, close»: carry out what the category and result say, in one transaction."""
	if appeal.completed_on:
		frappe.throw(
			_("The appeal {0} is already completed").format(appeal.name), title=_("Already Completed")
		)
	plan = plan_for(appeal)
	savepoint = "asc_complete_appeal"
	frappe.db.savepoint(savepoint)
	try:
		# the tasks the appeal gave until now are done; what the result asks (a redirect) comes next
		close_tasks(appeal.name)
		if plan.action == Action.HAND_OFF:
			hand_off.hand_off(appeal, plan)
		elif plan.action == Action.CONTINUE_SERVICE_REQUEST:
			hand_off.continue_service_request(appeal, plan)
		elif plan.action == Action.REDIRECT:
			hand_off.redirect(appeal, plan)
		hand_off.record_mileage(appeal)
		status = get_settings().callback_appeal_status if plan.callback_status else None
		appeal.status = status or plan.appeal_status or appeal.status
		if plan.closes_appeal:
			appeal.completed_on = now_in_seconds()
		appeal.operator = appeal.operator or frappe.session.user
		appeal.save()
	except Exception:
		frappe.db.rollback(save_point=savepoint)
		raise
