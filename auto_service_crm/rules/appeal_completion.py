"""What completing an appeal does, decided from its category and result (seeds 000 and 002).

A category either asks for a result, closes the appeal, or continues an earlier Service
Request. A result closes the appeal, hands it off into a Service Request of a kind (repair or
parts), redirects it to a specialist, or continues a Service Request. Each result names the
fields it needs. This module decides; auto_service_crm.processing carries the plan out.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class OnSelection(StrEnum):
	ASK_FOR_RESULT = "Ask for Result"
	CLOSE_APPEAL = "Close Appeal"
	CONTINUE_SERVICE_REQUEST = "Continue Service Request"


class Action(StrEnum):
	CLOSE_APPEAL = "Close Appeal"
	HAND_OFF = "Hand Off to Service Request"
	REDIRECT = "Redirect"
	CONTINUE_SERVICE_REQUEST = "Continue Service Request"


class CompletionError(ValueError):
	"""The appeal cannot be completed as it stands.

	``template`` is an English message with ``{0}``-style places for ``values`` (so the app can
	translate it); ``missing`` names the Appeal fields the operator has to fill in.
	"""

	def __init__(self, template: str, *args: str, missing: tuple[str, ...] = ()):
		super().__init__(template.format(*args))
		self.template = template
		self.values = args
		self.missing = missing


@dataclass(frozen=True)
class CategorySpec:
	name: str
	on_selection: str
	closing_status: str | None = None
	allowed_results: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResultSpec:
	name: str
	action: str
	appeal_status: str | None = None
	service_request_kind: str | None = None
	service_request_status: str | None = None
	reserve_stock: bool = False
	record_sale: bool = False
	requires_booking_time: bool = False
	requires_callback_time: bool = False
	requires_assignee: bool = False
	requires_reason: bool = False
	requires_items: bool = False
	requires_sales_order: bool = False


@dataclass(frozen=True)
class AppealState:
	"""The fields of the appeal that completion reads."""

	category: str | None
	result: str | None = None
	booking_time: datetime | None = None
	callback_at: datetime | None = None
	call_back: bool = False
	redirect_to: str | None = None
	reason: str | None = None
	items: int = 0
	sales_order: str | None = None
	service_request: str | None = None  # the request this appeal continues
	now: datetime | None = None


@dataclass(frozen=True)
class Plan:
	"""What to do, in order: hand off / continue / redirect, then set the appeal's status."""

	action: Action
	appeal_status: str | None
	closes_appeal: bool
	service_request_kind: str | None = None
	service_request_status: str | None = None
	continue_service_request: str | None = None
	create_appointment: bool = False
	reserve_stock: bool = False
	record_sale: bool = False
	assign_to: str | None = None
	todo_due: datetime | None = None
	callback_status: bool = False
	notes: tuple[str, ...] = field(default_factory=tuple)


# Field names of the Appeal, for messages that point the operator at what to fill.
FIELD_BOOKING_TIME = "booking_time"
FIELD_CALLBACK_AT = "callback_at"
FIELD_REDIRECT_TO = "redirect_to"
FIELD_REASON = "result_reason"
FIELD_ITEMS = "items"
FIELD_SALES_ORDER = "sales_order"
FIELD_RESULT = "result"
FIELD_CATEGORY = "category"
FIELD_SERVICE_REQUEST = "service_request"


def missing_fields(result: ResultSpec, appeal: AppealState) -> tuple[str, ...]:
	missing = []
	if result.requires_booking_time and not appeal.booking_time:
		missing.append(FIELD_BOOKING_TIME)
	callback_needed = result.requires_callback_time or (result.action == Action.REDIRECT and appeal.call_back)
	if callback_needed and not appeal.callback_at:
		missing.append(FIELD_CALLBACK_AT)
	if (result.requires_assignee or result.action == Action.REDIRECT) and not appeal.redirect_to:
		missing.append(FIELD_REDIRECT_TO)
	if result.requires_reason and not (appeal.reason or "").strip():
		missing.append(FIELD_REASON)
	if result.requires_items and appeal.items <= 0:
		missing.append(FIELD_ITEMS)
	if (result.requires_sales_order or result.record_sale) and not appeal.sales_order:
		missing.append(FIELD_SALES_ORDER)
	return tuple(missing)


def plan_completion(category: CategorySpec | None, result: ResultSpec | None, appeal: AppealState) -> Plan:
	"""Decide what completing the appeal does, or raise CompletionError saying why it cannot."""
	if category is None:
		raise CompletionError("Choose the appeal's category", missing=(FIELD_CATEGORY,))

	if category.on_selection == OnSelection.CLOSE_APPEAL:
		return Plan(Action.CLOSE_APPEAL, category.closing_status, closes_appeal=True)

	if category.on_selection == OnSelection.CONTINUE_SERVICE_REQUEST:
		if not appeal.service_request:
			raise CompletionError("There is no Service Request to continue", missing=(FIELD_SERVICE_REQUEST,))
		return Plan(
			Action.CONTINUE_SERVICE_REQUEST,
			category.closing_status,
			closes_appeal=True,
			continue_service_request=appeal.service_request,
		)

	if result is None:
		raise CompletionError("Choose a result of the category {0}", category.name, missing=(FIELD_RESULT,))
	if result.name not in category.allowed_results:
		raise CompletionError("The result {0} is not one of the category {1}", result.name, category.name)
	missing = missing_fields(result, appeal)
	if missing:
		raise CompletionError("The result {0} needs: {1}", result.name, ", ".join(missing), missing=missing)
	if (
		appeal.now
		and appeal.booking_time
		and result.requires_booking_time
		and appeal.booking_time < appeal.now
	):
		raise CompletionError("The visit cannot be booked in the past")
	if (
		appeal.now
		and appeal.callback_at
		and appeal.callback_at < appeal.now
		and FIELD_CALLBACK_AT not in missing
	):
		if result.requires_callback_time or (result.action == Action.REDIRECT and appeal.call_back):
			raise CompletionError("The callback time is in the past")

	if result.action == Action.CLOSE_APPEAL:
		return Plan(Action.CLOSE_APPEAL, result.appeal_status, closes_appeal=True)

	if result.action == Action.REDIRECT:
		callback = appeal.call_back and appeal.callback_at is not None
		return Plan(
			Action.REDIRECT,
			result.appeal_status,
			closes_appeal=False,
			assign_to=appeal.redirect_to,
			todo_due=appeal.callback_at if callback else None,
			callback_status=callback,
		)

	if result.action == Action.CONTINUE_SERVICE_REQUEST:
		if not appeal.service_request:
			raise CompletionError("There is no Service Request to continue", missing=(FIELD_SERVICE_REQUEST,))
		return Plan(
			Action.CONTINUE_SERVICE_REQUEST,
			result.appeal_status,
			closes_appeal=True,
			continue_service_request=appeal.service_request,
			service_request_status=result.service_request_status,
		)

	if result.action == Action.HAND_OFF:
		if result.service_request_kind not in ("Repair", "Parts"):
			raise CompletionError(
				"The result {0} does not say which kind of Service Request to open", result.name
			)
		return Plan(
			Action.HAND_OFF,
			result.appeal_status,
			closes_appeal=True,
			service_request_kind=result.service_request_kind,
			service_request_status=result.service_request_status,
			create_appointment=bool(result.requires_booking_time and appeal.booking_time),
			reserve_stock=result.reserve_stock,
			record_sale=result.record_sale,
			todo_due=appeal.callback_at if result.requires_callback_time else None,
		)

	raise CompletionError("Unknown action {0} of the result {1}", str(result.action), result.name)
