from hypothesis import given
from hypothesis import strategies as st

from auto_service_crm.rules.waiting_time import UNKNOWN_WAIT, WAIT_BANDS, band_order, wait_band


def test_bands_at_their_bounds():
	assert wait_band(0) == "Under 30 s"
	assert wait_band(29.9) == "Under 30 s"
	assert wait_band(30) == "30 s to 1 min"
	assert wait_band(60) == "1 to 3 min"
	assert wait_band(180) == "3 min or more"
	assert wait_band(None) == UNKNOWN_WAIT


@given(st.floats(min_value=0, max_value=86400), st.floats(min_value=0, max_value=86400))
def test_a_longer_wait_is_never_in_an_earlier_band(a, b):
	shorter, longer = sorted((a, b))
	assert band_order(wait_band(shorter)) <= band_order(wait_band(longer))


def test_unknown_sorts_last():
	assert band_order(UNKNOWN_WAIT) == len(WAIT_BANDS)
