"""Property-based tests of the token checks not covered with the parsers (Telegram's secret token,
Jivo's URL token): whatever a request carries, only the configured secret passes, and nothing but
SignatureError is raised (a guest's bad request is a 403, never a 500)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from auto_service_crm.intake.errors import SignatureError
from auto_service_crm.messengers import jivosite, telegram

SETTINGS = settings(max_examples=200, deadline=None, database=None)
sent = (
	st.none()
	| st.text(max_size=40)
	| st.integers()
	| st.binary(max_size=10)
	| st.lists(st.text(), max_size=2)
)
secrets = st.text(max_size=40) | st.none()


@SETTINGS
@given(sent, secrets)
def test_only_the_configured_secret_passes(given_value, secret):
	for check in (telegram.verify_secret_token, jivosite.verify_token):
		try:
			check(given_value, secret)
		except SignatureError as e:
			assert str(e)
			accepted = False
		else:
			accepted = True
		assert accepted == (bool(secret) and given_value == secret), (check.__module__, given_value, secret)


@SETTINGS
@given(st.text(min_size=1, max_size=40), st.text(max_size=3))
def test_a_secret_with_anything_added_or_cut_is_refused(secret, extra):
	for wrong in (secret + extra, extra + secret, secret[:-1]):
		if wrong != secret:
			for check in (telegram.verify_secret_token, jivosite.verify_token):
				try:
					check(wrong, secret)
				except SignatureError:
					continue
				raise AssertionError(f"{check.__module__} accepted {wrong!r} for {secret!r}")
