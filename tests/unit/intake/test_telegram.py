from datetime import datetime, timezone

import pytest

from auto_service_crm.intake.errors import PayloadError, SignatureError
from auto_service_crm.messengers import telegram
from tests.unit.intake._samples import sample

UTC = timezone.utc


def test_text_message():
	message = telegram.parse(sample("telegram", "text"))
	assert message.platform == "Telegram"
	assert message.external_id == "111222333:57" and message.conversation_id == "111222333"
	assert message.text == "Добрый день, нужна замена колодок"
	assert message.sender_name == "Дмитрий Смирнов"
	assert message.sender_phone is None and message.sender_email is None
	assert message.sent_at == datetime(2024, 5, 14, 6, 21, 7, tzinfo=UTC)
	assert message.raw["update_id"] == 902137451


def test_a_bot_command_is_text_too():
	assert telegram.parse(sample("telegram", "start_command")).text == "/start"


def test_sharing_ones_own_contact_gives_the_phone():
	message = telegram.parse(sample("telegram", "own_contact"))
	assert message.sender_phone == "79160000006"
	assert message.text == "[contact: Дмитрий Смирнов 79160000006]"


def test_a_contact_of_someone_else_is_not_the_senders_phone():
	update = sample("telegram", "own_contact")
	update["message"]["contact"]["user_id"] = 999
	assert telegram.parse(update).sender_phone is None
	del update["message"]["contact"]["user_id"]
	assert telegram.parse(update).sender_phone is None


def test_photo_with_caption_and_voice():
	assert telegram.parse(sample("telegram", "photo_with_caption")).text == "[photo] Горит чек, вот ошибка"
	assert telegram.parse(sample("telegram", "voice")).text == "[voice message]"


@pytest.mark.parametrize(
	("field", "value", "text"),
	[
		("video", {"file_id": "x", "duration": 3}, "[video]"),
		("video_note", {"file_id": "x"}, "[video message]"),
		("sticker", {"file_id": "x", "emoji": "👍"}, "[sticker]"),
		("document", {"file_id": "x", "file_name": "заказ-наряд.pdf"}, "[document: заказ-наряд.pdf]"),
		("document", {"file_id": "x"}, "[document]"),
		("location", {"latitude": 55.7558, "longitude": 37.6173}, "[location: 55.7558, 37.6173]"),
		("location", {"live_period": 60}, "[location]"),
		("contact", {}, "[contact]"),
		("audio", {"file_id": "x"}, "[audio]"),
	],
)
def test_media_are_described(field, value, text):
	update = sample("telegram", "voice")
	del update["message"]["voice"]
	update["message"][field] = value
	assert telegram.parse(update).text == text


def test_a_caption_alone_is_the_text():
	update = sample("telegram", "voice")
	del update["message"]["voice"]
	update["message"]["caption"] = "Только подпись"
	assert telegram.parse(update).text == "Только подпись"


def test_an_empty_text_stays_empty():
	update = sample("telegram", "text")
	update["message"]["text"] = ""
	assert telegram.parse(update).text == ""


def test_edited_message_gets_its_own_stable_id():
	edited = telegram.parse(sample("telegram", "edited_message"))
	original = telegram.parse(sample("telegram", "text"))
	assert edited.external_id == "111222333:57:edit:1715667690"
	assert edited.external_id != original.external_id
	assert edited.conversation_id == original.conversation_id
	assert edited.text == "Добрый день, нужна замена передних колодок"
	assert telegram.parse(sample("telegram", "edited_message")).external_id == edited.external_id


def test_group_messages_use_the_chat_id_and_the_senders_name():
	message = telegram.parse(sample("telegram", "group_message"))
	assert message.conversation_id == "-1001234567890"
	assert message.external_id == "-1001234567890:12"
	assert message.sender_name == "Анна"


def test_channel_post_takes_the_chat_title_as_sender():
	message = telegram.parse(sample("telegram", "channel_post"))
	assert message.sender_name == "Новости СТО" and message.text == "Тестовый пост"


def test_a_username_is_the_name_when_there_is_no_first_name():
	update = sample("telegram", "text")
	update["message"]["from"] = {"id": 1, "is_bot": False, "first_name": "", "username": "d_s"}
	assert telegram.parse(update).sender_name == "@d_s"


@pytest.mark.parametrize("name", ["callback_query", "new_chat_members"])
def test_updates_without_a_client_message_give_none(name):
	assert telegram.parse(sample("telegram", name)) is None


def test_an_update_with_nothing_gives_none():
	assert telegram.parse({"update_id": 1}) is None


def test_duplicate_deliveries_give_equal_messages():
	assert telegram.parse(sample("telegram", "text")) == telegram.parse(sample("telegram", "text"))


@pytest.mark.parametrize(
	("mutate", "message"),
	[
		(lambda u: u["message"].pop("chat"), r"^missing field 'message\.chat'$"),
		(lambda u: u["message"]["chat"].pop("id"), r"^missing field 'message\.chat\.id'$"),
		(lambda u: u["message"].pop("message_id"), r"^missing field 'message\.message_id'$"),
		(
			lambda u: u["message"].update(message_id="fifty"),
			r"^field 'message\.message_id' must be a whole number",
		),
		(lambda u: u["message"].update(date="today"), r"^field 'message\.date' must be a whole number"),
		(lambda u: u["message"].update(text=["a"]), r"^field 'message\.text' must be a string, got array$"),
		(lambda u: u.update(message="hi"), r"^field 'message' must be an object, got string$"),
		(
			lambda u: u["message"].update({"from": 5}),
			r"^field 'message\.from' must be an object, got number$",
		),
	],
)
def test_malformed_updates_are_refused(mutate, message):
	update = sample("telegram", "text")
	mutate(update)
	with pytest.raises(PayloadError, match=message):
		telegram.parse(update)


def test_secret_token():
	telegram.verify_secret_token("s3cr3t_token-1", "s3cr3t_token-1")
	with pytest.raises(SignatureError, match=r"^wrong X-Telegram-Bot-Api-Secret-Token$"):
		telegram.verify_secret_token("guess", "s3cr3t_token-1")
	with pytest.raises(SignatureError, match=r"^missing X-Telegram-Bot-Api-Secret-Token$"):
		telegram.verify_secret_token(None, "s3cr3t_token-1")
	with pytest.raises(SignatureError, match=r"^X-Telegram-Bot-Api-Secret-Token is not configured$"):
		telegram.verify_secret_token("anything", "")
