"""Telephony, in and out: what the station's PBX sends and what the app asks of it.

- ``generic_call``, ``zadarma``, ``mango``: pure parsers (no frappe) of each PBX's call events into
  ``intake.events.CallEvent``, with their signatures;
- ``filing``: a call event filed as an ERPNext Call Log and the client's Appeal; missed-call tasks;
- ``callback``: the website form's callback (the manager, then the group) and «Call back».

The public webhook paths stay in ``auto_service_crm.api``: stations configured them in their PBX.
"""
