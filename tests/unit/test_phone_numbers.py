import pytest

from auto_service_crm.rules.phone_numbers import (
	InvalidPhoneNumber,
	is_valid_region,
	normalize_phone,
	normalize_phone_or_none,
)


@pytest.mark.parametrize(
	"raw",
	["+7 916 123-45-67", "8 (916) 123-45-67", "89161234567", "79161234567", "9161234567", "007 916 1234567"],
)
def test_russian_ways_of_writing_one_number(raw):
	assert normalize_phone(raw, "RU") == "+79161234567"


def test_international_number_keeps_its_country():
	assert normalize_phone("+49 30 123456", "RU") == "+4930123456"


def test_region_decides_numbers_without_country_code():
	assert normalize_phone("030 123456", "DE") == "+4930123456"


@pytest.mark.parametrize("raw", ["", "   ", None, "abc", "12", "+7 916 123", "1" * 80])
def test_bad_numbers_are_refused_clearly(raw):
	with pytest.raises(InvalidPhoneNumber):
		normalize_phone(raw, "RU")
	assert normalize_phone_or_none(raw, "RU") is None


def test_regions():
	assert is_valid_region("RU") and is_valid_region("kz")
	assert not is_valid_region("XX") and not is_valid_region("") and not is_valid_region(None)
