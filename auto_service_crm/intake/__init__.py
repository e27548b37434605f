"""Incoming appeals: what every channel shares, and the parsers of the app's own contracts.

Nothing here imports frappe.

- ``events``: the neutral events every parser returns (a call event, a chat message, a form, an app
  request); ``errors``: what a parser raises for bad input, and the guarded readers of raw bodies;
  ``_common``: the readers of loosely typed JSON and form values.
- ``website_form``, ``mobile_app``: our own contracts for the site's forms and the mobile app.

The PBX parsers live in ``auto_service_crm.telephony``, the messengers' in
``auto_service_crm.messengers``; the HTTP endpoints in ``auto_service_crm.api``.
"""
