"""The providers' own published examples (tests/unit/intake/published/*.json, each with its source and
what was changed, if anything), read by the parsers as the providers send them.

- Telegram: core.telegram.org/bots/webhooks «Testing your bot with updates», and the test dataset of
  aiogram (github aiogram/aiogram tests/types/dataset.py);
- WhatsApp Cloud API: Meta's messages webhook reference, and pywa's webhook fixtures (github
  david-lev/pywa tests/data/updates/);
- Jivo: jivo.ru/docs/webhooks;
- Mango Office: «API MANGO OFFICE» v1.9, §3.1.2 (events/call), §3.1.6 (events/summary) and its
  «Примеры поведения» (routing, blind and consultative transfer: calls of several legs);
- Zadarma publishes field lists only (zadarma.com/en/support/api/#api_webhooks, github
  zadarma/user-api-v1 lib/Webhook/*.php); the one public fixture with values found is a third
  party's (github mihan007/laravel-example tests/Feature/Webhook/ZadarmaTest.php). Sequences of
  Zadarma notifications below are built from the documented fields (samples/zadarma.json), with the
  caller changed where a foreign caller is the point: the change is said at each.
"""

import copy
import json
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path

import pytest

from auto_service_crm.intake.errors import PayloadError
from auto_service_crm.messengers import jivosite, telegram, whatsapp
from auto_service_crm.rules.phone_numbers import normalize_phone_or_none
from auto_service_crm.telephony import mango, zadarma
from tests.unit.intake._samples import sample

PUBLISHED = Path(__file__).parent / "published"
UTC = timezone.utc


@cache
def _load(provider: str) -> dict:
	return json.loads((PUBLISHED / f"{provider}.json").read_text(encoding="utf-8"))


def published(provider: str, name: str) -> dict:
	return copy.deepcopy(_load(provider)[name]["payload"])


def examples(provider: str) -> list[str]:
	return [name for name in _load(provider) if not name.startswith("_")]


@pytest.mark.parametrize("provider", ["telegram", "whatsapp", "jivosite", "mango", "zadarma"])
def test_every_published_example_cites_its_source(provider):
	assert _load(provider)["_about"]
	for name in examples(provider):
		entry = _load(provider)[name]
		assert entry["source"].strip() and entry["note"].strip(), name
		assert isinstance(entry["payload"], dict) and entry["payload"], name


# --- Telegram ------------------------------------------------------------------------------------


TELEGRAM_TEXTS = {
	"webhooks_text_start_no_chat_type": "/start",
	"webhooks_text_start": "/start",
	"webhooks_reply": "/start",
	"webhooks_edited_message": "Edited text",
	"webhooks_audio": "[audio]",
	"webhooks_voice": "[voice message]",
	"webhooks_document_no_photo": "[document: Testfile.pdf]",
	"aiogram_contact_no_plus_no_user_id": "[contact: John Smith 88005553535]",
	"aiogram_photo_with_caption": "[photo] photo description",
	"aiogram_media_group_photo_no_caption": "[photo]",
	"aiogram_document_with_caption": "[document: test.docx] Read my document",
	"aiogram_edited_message": "hi there (edited)",
	"aiogram_location": "[location: 50.693416, 30.624605]",
	"aiogram_channel_post_from_null": "Hi, world!",
}


def test_telegram_every_published_update_is_read():
	assert set(TELEGRAM_TEXTS) | {"webhooks_callback_query", "webhooks_inline_query"} == set(
		examples("telegram")
	)
	for name, text in TELEGRAM_TEXTS.items():
		update = published("telegram", name)
		message = telegram.parse(update)
		assert message.text == text, name
		chat = next(update[k] for k in update if isinstance(update[k], dict) and "chat" in update[k])["chat"]
		assert message.conversation_id == str(chat["id"]), name
	assert telegram.parse(published("telegram", "webhooks_callback_query")) is None
	assert telegram.parse(published("telegram", "webhooks_inline_query")) is None


def test_telegram_a_document_with_an_empty_photo_list_is_a_document():
	# Telegram's own document update, with the "photo": [] some clients add beside a document
	update = published("telegram", "webhooks_document_no_photo")
	update["message"]["photo"] = []
	assert telegram.parse(update).text == "[document: Testfile.pdf]"


def test_telegram_a_contact_card_of_no_telegram_user_is_no_phone_of_the_sender():
	message = telegram.parse(published("telegram", "aiogram_contact_no_plus_no_user_id"))
	assert message.sender_phone is None


def test_telegram_the_client_sharing_their_own_contact_gives_their_phone_written_without_plus():
	# aiogram's contact, shared by its own sender (the «share my number» button sets user_id)
	update = published("telegram", "aiogram_contact_no_plus_no_user_id")
	update["message"]["contact"]["user_id"] = update["message"]["from"]["id"]
	message = telegram.parse(update)
	assert message.sender_phone == "88005553535"
	assert normalize_phone_or_none(message.sender_phone, "RU") == "+78005553535"


# --- WhatsApp ------------------------------------------------------------------------------------


WHATSAPP_MESSAGES = {
	"meta_text_sheena_nelson": "Does it come in another color?",
	"pywa_message_text": "Body Text",
	"pywa_message_image": "[photo]",
	"pywa_message_document": "[document: filename.pdf] caption",
	"pywa_message_voice": "[voice message]",
	"pywa_message_audio": "[audio]",
	"pywa_message_static_sticker": "[sticker]",
	"pywa_message_current_location": "[location: 12.25089, 43.90539]",
	"pywa_message_unsupported": "[unsupported message]",
	"pywa_message_order": "[order]",
	"pywa_message_reply": "replied text",
	"pywa_button_quick_reply": "title",
	"pywa_button_quick_reply_with_from_user_id": "title",
}
WHATSAPP_NOTHING = [name for name in ("pywa_message_reaction", "pywa_system_phone_number_change")] + [
	f"pywa_status_{s}" for s in ("sent", "delivered", "read", "failed", "played", "group")
]


@pytest.mark.parametrize("name", sorted(WHATSAPP_MESSAGES))
def test_whatsapp_published_messages_keep_the_foreign_clients_phone(name):
	(message,) = whatsapp.parse(published("whatsapp", name))
	assert message.text == WHATSAPP_MESSAGES[name]
	# wa_id / from: the country code and the number, without «+»: an American or an Israeli client
	assert message.sender_phone in ("16505551234", "972987654321")
	assert message.conversation_id == message.sender_phone
	# +1 650 555-1234 is a valid number once «+» is put before it; pywa's «972987654321» is a number of
	# no plan (+972 98… is no Israeli range), so it is kept as sent and identifies nobody
	expected = {"16505551234": "+16505551234", "972987654321": None}[message.sender_phone]
	assert normalize_phone_or_none(message.sender_phone, "RU") == expected


@pytest.mark.parametrize("name", WHATSAPP_NOTHING)
def test_whatsapp_statuses_reactions_and_system_notices_are_not_client_messages(name):
	assert whatsapp.parse(published("whatsapp", name)) == []


def test_whatsapp_every_published_example_is_covered():
	covered = set(WHATSAPP_MESSAGES) | set(WHATSAPP_NOTHING)
	rest = set(examples("whatsapp")) - covered
	assert rest == {
		"pywa_message_chosen_location",
		"pywa_message_contacts",
		"pywa_message_interactive_message_with_err",
	}
	for name in rest:
		(message,) = whatsapp.parse(published("whatsapp", name))
		assert message.text.startswith(
			("[location: 37.4611978, -122.2164385", "[contact: Chandler Bing", "[interactive")
		)


# --- Jivo ----------------------------------------------------------------------------------------


def test_jivo_a_finished_chat_and_an_offline_message_keep_the_visitors_phone():
	(chat,) = jivosite.parse(published("jivosite", "chat_finished"))
	assert chat.conversation_id == "7607" and chat.sender_name == "John Smith"
	assert normalize_phone_or_none(chat.sender_phone, "RU") == "+14084987855"
	(offline,) = jivosite.parse(published("jivosite", "offline_message"))
	assert offline.conversation_id == "2026" and offline.text == "Message text"
	assert offline.sender_phone == "+14084987855"


@pytest.mark.parametrize("name", ["chat_accepted", "chat_updated", "client_updated", "call_event"])
def test_jivo_events_without_a_client_message_file_nothing(name):
	assert jivosite.parse(published("jivosite", name)) == []


# --- Mango Office --------------------------------------------------------------------------------


def replay_call(names: list[str]) -> list:
	"""The events/call of one entry read in order, each with the ones received before it."""
	history, events = [], []
	for name in names:
		payload = published("mango", name)
		events.append(mango.parse(payload, "events/call", history=history))
		history.append(payload)
	return events


ROUTING = [
	"events_call_appeared_ivr",
	"events_call_disconnected_ivr_after_route",
	"events_call_appeared_abonent_second_leg",
	"events_call_connected_abonent_second_leg",
	"events_call_disconnected_abonent_second_leg",
]
BLIND = [
	"events_call_blind_leg1_appeared",
	"events_call_blind_leg1_connected",
	"events_call_blind_leg1_onhold",
	"events_call_blind_leg2_appeared_internal",
	"events_call_blind_leg1_disconnected",
	"events_call_blind_leg2_appeared_replaced",
	"events_call_blind_leg2_connected",
	"events_call_blind_leg2_disconnected",
]
CONSULT = [
	"events_call_consult_leg1_appeared",
	"events_call_consult_leg2_appeared_internal",
	"events_call_consult_leg1_disconnected",
	"events_call_consult_leg2_connected_replaced",
	"events_call_consult_leg2_disconnected",
]


def test_mango_a_call_routed_from_the_voice_menu_to_a_manager_is_one_call_of_two_legs():
	events = replay_call(ROUTING)
	assert [e.event for e in events] == ["ringing", "ringing", "ringing", "answered", "answered"]
	assert {e.external_id for e in events} == {"232wc3e3w3s222"}
	# the menu's leg ends before the manager's leg appears: the call did not end with it
	assert [e.event_id for e in events] == [
		"100:500:256:1:Appeared",
		"100:500:256:2:Disconnected",
		"100:500:257:1:Appeared",
		"100:500:257:2:Connected",
		"100:500:257:3:Disconnected",
	]
	assert events[2].agent == "123" and events[3].agent == "123"
	history = [published("mango", name) for name in ROUTING[:3]]
	assert mango.last_location_of(history) == "abonent"


def test_mango_lost_while_the_manager_rang_is_ringing_manager_not_ivr():
	history = [published("mango", name) for name in ROUTING[:3]]  # the manager's phone rings, nobody answers
	summary = published("mango", "events_summary_incoming_ended_in_ivr")
	event = mango.parse(summary, "events/summary", history=history)
	assert event.event == "missed" and event.loss_reason == "Ringing Manager"
	alone = mango.parse(summary, "events/summary", history=[published("mango", ROUTING[0])])
	assert alone.loss_reason == "IVR"


@pytest.mark.parametrize("sequence", [BLIND, CONSULT], ids=["blind transfer", "consultative transfer"])
def test_mango_transfers_keep_every_event_of_every_leg_and_never_end_the_call(sequence):
	events = [e for e in replay_call(sequence) if e is not None]  # the managers' internal leg: None
	ids = [e.event_id for e in events]
	assert len(ids) == len(set(ids)) == len([n for n in sequence if "internal" not in n])
	assert "ended" not in {e.event for e in events} and events[-1].event == "answered"
	assert {e.external_id for e in events} == {published("mango", sequence[0])["entry_id"]}


def test_mango_a_sip_line_gives_way_to_the_call_tracking_number():
	event = mango.parse(published("mango", "events_call_disconnected_sip_line_dct"), "events/call")
	assert event.called == "74001234567" and event.caller == "79001234567"
	assert event.event_id == "MIxEyNTzTo6NDxkzNMMOzNQ==:2:Disconnected"


def test_mango_summaries_carry_the_calls_own_start_and_end():
	for name in examples("mango"):
		if not name.startswith("events_summary"):
			continue
		payload = published("mango", name)
		event = mango.parse(payload, "events/summary")
		assert event.started_at == datetime.fromtimestamp(int(payload["create_time"]), UTC), name
		assert event.occurred_at == datetime.fromtimestamp(int(payload["end_time"]), UTC), name
		assert event.started_at < event.occurred_at


def test_mango_an_outgoing_call_from_a_sip_address_keeps_the_clients_number():
	payload = published("mango", "events_summary_outgoing_unanswered")
	assert payload["from"]["number"].startswith("sip:")
	event = mango.parse(payload, "events/summary")
	assert event.direction == "outgoing" and event.event == "missed" and event.caller == "7800123456789"


# --- Zadarma -------------------------------------------------------------------------------------


def test_zadarma_the_third_party_fixture_start_is_read_and_its_end_gets_a_clear_error():
	start = zadarma.parse(published("zadarma", "thirdparty_NOTIFY_START"))
	assert start.event == "ringing" and start.direction == "incoming"
	# that project's NOTIFY_END has no disposition, which every Zadarma NOTIFY_END carries
	with pytest.raises(PayloadError, match=r"^missing field 'disposition'$"):
		zadarma.parse(published("zadarma", "thirdparty_NOTIFY_END_same_call"))


def polish_call() -> list[dict]:
	"""A call from Poland, as Zadarma writes it (caller_id: digits, no «+»): the documented
	notifications of samples/zadarma.json with caller_id changed; the manager does not answer."""
	caller = "48601234567"
	start = sample("zadarma", "NOTIFY_START") | {"caller_id": caller}
	ring_101 = sample("zadarma", "NOTIFY_INTERNAL") | {"caller_id": caller}
	ring_102 = ring_101 | {"internal": "102"}
	end = sample("zadarma", "NOTIFY_END_missed") | {
		"caller_id": caller,
		"pbx_call_id": start["pbx_call_id"],
		"call_start": start["call_start"],
		"duration": "41",
	}
	return [start, ring_101, ring_102, end]


def test_zadarma_every_notification_of_a_call_is_its_own_event_and_the_end_is_ringing_manager():
	notifications = polish_call()
	events = [zadarma.parse(n, history=notifications[:i]) for i, n in enumerate(notifications)]
	ids = [e.event_id for e in events]
	assert len(set(ids)) == 4 and ids[1].startswith("NOTIFY_INTERNAL:") and ids[0].startswith("NOTIFY_START:")
	assert {e.external_id for e in events} == {notifications[0]["pbx_call_id"]}
	end = events[-1]
	assert end.event == "missed" and end.loss_reason == "Ringing Manager" and end.wait_seconds == 41
	assert normalize_phone_or_none(end.caller, "RU") == "+48601234567"
	# without the notifications before it, the same end was lost in the voice menu
	assert zadarma.parse(notifications[-1]).loss_reason == "IVR"


def test_zadarma_a_repeat_of_the_same_notification_has_the_same_event_id():
	first, again = sample("zadarma", "NOTIFY_INTERNAL"), sample("zadarma", "NOTIFY_INTERNAL")
	assert zadarma.parse(first).event_id == zadarma.parse(again).event_id


def test_zadarma_a_call_ends_when_it_started_plus_its_duration():
	fields = sample("zadarma", "NOTIFY_END")
	event = zadarma.parse(fields)
	started = datetime(2024, 5, 14, 9, 21, 7)
	assert event.started_at == started
	assert event.occurred_at == started + timedelta(seconds=int(fields["duration"]))
