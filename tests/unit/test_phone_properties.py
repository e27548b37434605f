"""Property-based tests of the phone rules: whatever text and region come in (from any webhook, form
or operator), the answer is one number in E.164 or InvalidPhoneNumber, nothing else; normalizing is
idempotent, and how a number is written does not change it."""

import re

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st

from auto_service_crm.rules.phone_numbers import InvalidPhoneNumber, normalize_phone, normalize_phone_or_none

SETTINGS = settings(max_examples=300, deadline=None, database=None)
E164 = re.compile(r"^\+[1-9]\d{1,14}$")
REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
regions = (
	st.sampled_from(REGIONS) | st.sampled_from(["ru", "Ru", "", None, "XX", "001"]) | st.text(max_size=4)
)
phone_like = st.text(alphabet="+0123456789 ()-./#*xext", max_size=30)
numbers = st.from_regex(r"(\+|00|8)?[1-9][0-9 ().-]{6,18}", fullmatch=True)  # often a real number
texts = numbers | phone_like | st.text(max_size=80) | st.none()


@SETTINGS
@given(texts, regions)
def test_any_text_in_any_region_is_one_e164_number_or_refused(raw, region):
	try:
		number = normalize_phone(raw, region)
	except InvalidPhoneNumber as e:
		assert str(e)
		assert normalize_phone_or_none(raw, region) is None
		return
	assert E164.match(number), number
	assert normalize_phone_or_none(raw, region) == number
	assert normalize_phone(number, region) == number, "normalizing again changes nothing"


@SETTINGS
@given(numbers | phone_like, st.sampled_from(REGIONS), st.sampled_from(REGIONS))
def test_a_number_with_its_country_code_does_not_depend_on_the_region(raw, first, second):
	number = normalize_phone_or_none(raw, first)
	if number is not None:
		assert normalize_phone(number, second) == number


separators = st.sampled_from(["", "", " ", "-", " - ", ".", "  "])


@SETTINGS
@given(
	st.from_regex(r"9[0-9]{9}", fullmatch=True),
	st.sampled_from(["+7", "+7 ", "8", "8 ", "", "007", "+7-"]),
	st.booleans(),
	st.data(),
)
def test_every_way_of_writing_a_russian_mobile_is_one_number(digits, prefix, brackets, data):
	code, rest = digits[:3], digits[3:]
	written = prefix + (f"({code})" if brackets else code)
	written += "".join(data.draw(separators) + digit for digit in rest)
	assert normalize_phone(written, "RU") == "+7" + digits
	assert normalize_phone(f"  {written}\t", "RU") == "+7" + digits
