from auto_service_crm.rules.work_type_comment import comment_with_work_types


def test_the_operators_words_come_first_and_stay():
	assert comment_with_work_types("Стучит справа", ["Диагностика подвески"]) == (
		"Стучит справа\nДиагностика подвески"
	)


def test_an_empty_comment_takes_the_texts_one_a_line():
	assert comment_with_work_types(None, ["ТО", " ", None, "Развал"]) == "ТО\nРазвал"
	assert comment_with_work_types("", []) == ""


def test_a_text_already_in_the_comment_is_not_repeated():
	assert comment_with_work_types("ТО\nещё масло", ["ТО", "ТО"]) == "ТО\nещё масло"
	assert comment_with_work_types("x", ["y", "y"]) == "x\ny"
