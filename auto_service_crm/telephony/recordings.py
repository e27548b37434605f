"""Recordings of calls: what the PBX gives is kept on the Call Log's ``recording_url``, and
``recording_url(call_log)`` gives the playable link to those allowed to hear it.

- The neutral contract gives a link (``recording_url`` of its events): kept and given as it is.
- Zadarma gives ``call_id_with_rec`` (NOTIFY_END / NOTIFY_OUT_END with ``is_recorded``, and
  NOTIFY_RECORD); Mango gives ``recording_id`` (events/recording). Their links expire (Zadarma's
  after ``lifetime``, Mango's must not be kept), so the Call Log keeps ``zadarma:<id>`` /
  ``mango:<id>`` and the link is asked for when someone plays it: Zadarma's API
  ``/v1/pbx/record/request/``, Mango's signed ``queries/recording/link/...`` (see the parsers'
  modules for the sources).

Who may hear a recording: the System Manager, the Auto Service Manager and the Auto Service
Operator; anyone else gets frappe.PermissionError.
"""

import time

import frappe
from frappe import _

from auto_service_crm.settings import get_settings
from auto_service_crm.telephony import mango, outbound, zadarma
from auto_service_crm.telephony.calls_out import (
	DialRefused,
	RecordingEvent,
	recording_reference,
	split_recording_reference,
)

LISTENERS = ("System Manager", "Auto Service Manager", "Auto Service Operator")
LINK_LIFETIME_SECONDS = 1800


def reference_of(event) -> str | None:
	"""What a call event says of its recording, as the Call Log keeps it."""
	if event.recording_url:
		return event.recording_url
	if event.provider == "zadarma":
		return zadarma.recording_of(event.raw)
	return None


def file_recording(event: RecordingEvent) -> str | None:
	"""The PBX says which recording a call has: kept on the call's Call Log. Returns its appeal."""
	name = frappe.db.exists("Call Log", event.external_id) or outbound.call_of_recording(event)
	if not name:
		raise frappe.DoesNotExistError(
			_("No Call Log of the call {0} for its recording yet: replay this payload later").format(
				event.external_id
			)
		)
	frappe.db.set_value(
		"Call Log", name, "recording_url", recording_reference(event.provider, event.reference)
	)
	return outbound.appeal_of(name) or frappe.db.get_value("Appeal", {"call_log": name})


@frappe.whitelist()
def recording_url(call_log: str) -> str | None:
	"""The link that plays the call's recording now, for the roles allowed to hear it; None when
	the call has no recording."""
	if not set(LISTENERS) & set(frappe.get_roles()):
		raise frappe.PermissionError(_("Only managers and operators may hear call recordings"))
	kept = frappe.db.get_value("Call Log", call_log, "recording_url")
	if kept is None and not frappe.db.exists("Call Log", call_log):
		raise frappe.DoesNotExistError(_("Call Log {0} not found").format(call_log))
	provider, reference = split_recording_reference(kept)
	if not reference:
		return None
	if provider is None:
		return reference
	settings = get_settings()
	try:
		if provider == "zadarma":
			request = zadarma.record_request(
				settings.zadarma_api_url or "https://api.zadarma.com",
				outbound.password("zadarma_api_key"),
				outbound.password("zadarma_secret"),
				call_id=reference,
				lifetime=LINK_LIFETIME_SECONDS,
			)
			return zadarma.read_record_reply(*outbound.send(request))
		expires = int(time.time()) + LINK_LIFETIME_SECONDS
		return mango.recording_link(
			settings.mango_api_url or "https://app.mango-office.ru/vpbx",
			outbound.password("mango_api_key"),
			outbound.password("mango_api_salt"),
			reference,
			expires,
		)
	except DialRefused as e:
		frappe.throw(_("The telephony gave no link to the recording: {0}").format(e), title=_("No Recording"))
