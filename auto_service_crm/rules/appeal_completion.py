"""What completing an appeal does, decided from its category and result (seeds 000 and 002).

A category either asks for a result, closes the appeal, or continues an earlier Service
Request. A result closes the appeal, hands it off into a Service Request of a kind (repair or
parts), redirects it to a specialist, or continues a Service Request. Each result lists the
Appeal fields it requires (any field, a consultant's custom ones too: seed 004, «extra fields» of
an action); its action may need more by itself (a redirect needs the specialist, and the callback
time when the client is to be called back; a recorded sale needs its Sales Order). This module
decides; auto_service_crm.processing carries the plan out.
"""

from collections.abc import Mapping
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
	required_fields: tuple[str, ...] = ()  # Appeal fieldnames, in the consultant's order

	def requires(self, fieldname: str) -> bool:
		return fieldname in self.required_fields


@dataclass(frozen=True)
class AppealState:
	"""The fields of the appeal that completion reads.

	``values`` holds the values of the fields the result requires, by Appeal fieldname (a table
	field's rows as a list); a field named here as an attribute is read from
	the attribute when ``values`` does not have it.
	"""

	category: str | None
	result: str | None = None
	booking_time: datetime | None = None
	callback_at: datetime | None = None
	call_back: bool = False
	redirect_to: str | None = None
	sales_order: str | None = None
	service_request: str | None = None  # the request this appeal continues
	now: datetime | None = None
	values: Mapping[str, object] = field(default_factory=dict)

	def value(self, fieldname: str) -> object:
		if fieldname in self.values:
			return self.values[fieldname]
		if fieldname in ATTRIBUTE_FIELDS:
			return getattr(self, fieldname)
		return None


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

# Appeal fields AppealState carries as attributes (its plan reads them as well)
ATTRIBUTE_FIELDS = frozenset(
	(FIELD_BOOKING_TIME, FIELD_CALLBACK_AT, "call_back", FIELD_REDIRECT_TO, FIELD_SALES_ORDER)
)


def is_blank(value: object) -> bool:
	"""A required field is not filled in while its value is None, text of nothing but spaces, an
	empty table, or zero: Frappe keeps a number field nobody filled in as 0 and an unticked
	checkbox as 0 (or False), so a required number must be other than zero and a required
	checkbox ticked."""
	if value is None:
		return True
	if isinstance(value, str):
		return not value.strip()
	if isinstance(value, list | tuple | set | frozenset | dict):
		return not value
	if isinstance(value, int | float):
		return value == 0
	return False


def fields_needed(result: ResultSpec, appeal: AppealState) -> tuple[str, ...]:
	"""The fields the result lists, then those its action needs by itself: a redirect needs the
	specialist, and the callback time when the client is to be called back; a sale its order."""
	needed = list(result.required_fields)
	if result.action == Action.REDIRECT and appeal.call_back:
		needed.append(FIELD_CALLBACK_AT)
	if result.action == Action.REDIRECT:
		needed.append(FIELD_REDIRECT_TO)
	if result.record_sale:
		needed.append(FIELD_SALES_ORDER)
	return tuple(dict.fromkeys(needed))


def missing_fields(result: ResultSpec, appeal: AppealState) -> tuple[str, ...]:
	"""The needed fields that are blank, in the order they are needed."""
	return tuple(f for f in fields_needed(result, appeal) if is_blank(appeal.value(f)))


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
		and result.requires(FIELD_BOOKING_TIME)
		and appeal.booking_time < appeal.now
	):
		raise CompletionError("The visit cannot be booked in the past")
	if appeal.now and appeal.callback_at and appeal.callback_at < appeal.now:
		if FIELD_CALLBACK_AT in fields_needed(result, appeal):
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
			create_appointment=bool(result.requires(FIELD_BOOKING_TIME) and appeal.booking_time),
			reserve_stock=result.reserve_stock,
			record_sale=result.record_sale,
			todo_due=appeal.callback_at if result.requires(FIELD_CALLBACK_AT) else None,
		)

	raise CompletionError("Unknown action {0} of the result {1}", str(result.action), result.name)
