"""Filing what the intake parsers read as Appeals: what every channel shares (the appeal of what a
channel sent, the site's time), and the website's forms and the mobile app's requests. Calls are
filed by ``telephony.filing``, chat messages by ``messengers.filing``."""

from datetime import datetime

import frappe
from frappe import _
from frappe.utils import convert_utc_to_system_timezone, now_datetime

from auto_service_crm import routing
from auto_service_crm.hand_off import client_vehicles
from auto_service_crm.intake.events import FormSubmission, MobileAppRequest
from auto_service_crm.rules.vehicles import matching_vehicle


def local_time(value: datetime | None) -> datetime:
	"""The site's wall-clock time: aware times are converted, naive ones are taken as local."""
	if value is None:
		return now_datetime()
	if value.tzinfo is not None:
		return convert_utc_to_system_timezone(value).replace(tzinfo=None)
	return value


def new_appeal(**fields):
	"""An Appeal of what a channel sent: a phone that is no number (a SIP address, digits of no known
	plan) is kept as sent, the client «Not Found», and the appeal is filed all the same."""
	appeal = frappe.get_doc({"doctype": "Appeal", **{k: v for k, v in fields.items() if v not in (None, "")}})
	appeal.flags.phone_as_sent = True
	appeal.insert(ignore_permissions=True)
	routing.filed(appeal)
	return appeal


def file_form(form: FormSubmission) -> str:
	appeal = new_appeal(
		channel="Website Form",
		client_name=form.name,
		phone=form.phone,
		email=form.email,
		client_comment=form.comment,
		utm_source=form.utm_source,
		utm_medium=form.utm_medium,
		utm_campaign=form.utm_campaign,
		form_name=form.form_name,
	)
	if form.mode == "callback":
		from auto_service_crm.telephony.callback import enqueue_callback

		enqueue_callback(appeal.name)
	return appeal.name


def file_mobile_request(request: MobileAppRequest) -> str:
	vehicle = ", ".join(filter(None, (request.vehicle, request.plate, request.vin)))
	preferred = request.preferred_time and frappe.utils.format_datetime(local_time(request.preferred_time))
	comment = "\n".join(
		filter(
			None,
			(
				request.text,
				vehicle and _("Car: {0}").format(vehicle),
				preferred and _("Preferred time: {0}").format(preferred),
			),
		)
	)
	appeal = new_appeal(
		channel="Mobile App",
		client_name=request.name,
		phone=request.phone,
		email=request.email,
		client_comment=comment,
	)
	match_vehicle(appeal, request)
	return appeal.name


def match_vehicle(appeal, request: MobileAppRequest) -> None:
	"""The identified client's car whose plate or VIN is the one the app sent becomes the appeal's
	vehicle; the text stays in the comment either way."""
	if not appeal.customer or not (request.plate or request.vin):
		return
	vehicle = matching_vehicle(client_vehicles(appeal.customer), plate=request.plate, vin=request.vin)
	if vehicle:
		appeal.vehicle = vehicle
		appeal.save(ignore_permissions=True)
