"""Messengers and site chats, in and out: Telegram, WhatsApp Cloud API, Jivo.

- ``telegram``, ``whatsapp``, ``jivosite``: pure parsers (no frappe) of each platform's webhooks into
  ``intake.events.ChatMessage``, with their authentication;
- ``filing``: a message filed as a Communication on the conversation's open Appeal.

The public webhook paths stay in ``auto_service_crm.api``.
"""
