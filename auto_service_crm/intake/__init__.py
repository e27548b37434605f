"""Incoming appeals: pure parsers of what telephony, messengers, the website and the mobile app send.

Nothing here imports frappe. Each module turns one provider's payload into the neutral events of
``intake.events`` (or raises ``intake.errors.PayloadError`` saying what is wrong); the HTTP
endpoints that receive the payloads and the code that files them as Appeals live elsewhere.

- ``generic_call``: our provider-neutral call-event contract for any PBX integrator.
- ``zadarma``, ``mango``: the call notifications of Zadarma and Mango Office, with their signatures.
- ``whatsapp``, ``telegram``, ``jivosite``: chat messages, with each platform's authentication.
- ``website_form``, ``mobile_app``: our own contracts for the site's forms and the mobile app.
"""
