"""What a lingering filing job learns of the cached values its deliveries read (``recurring_reads``)."""

from auto_service_crm.recurring_reads import noted, recurring


def test_a_delivery_read_values_and_fields_of_hashes_the_schema_aside():
	cache = {
		b"site|webhooks": [],
		b"site|notifications": {"Appeal": [], "ToDo": []},
		b"site|doctype_meta": {},
	}
	assert noted(cache, kept={b"site|doctype_meta"}) == {
		b"site|webhooks": None,
		b"site|notifications": frozenset({"Appeal", "ToDo"}),
	}


def test_only_what_two_deliveries_in_a_row_read_is_read_ahead():
	first = {b"k|settings": None, b"k|appeal-1": None, b"k|notifications": frozenset({"Appeal", "ToDo"})}
	second = {b"k|settings": None, b"k|appeal-2": None, b"k|notifications": frozenset({"Appeal", "Comment"})}
	assert recurring(first, second) == {b"k|settings": None, b"k|notifications": frozenset({"Appeal"})}


def test_nothing_is_read_ahead_before_a_delivery_was_noted():
	assert recurring(None, {b"k|settings": None}) == {}
	assert recurring({}, {b"k|settings": None}) == {}


def test_a_dict_read_as_a_value_in_one_delivery_keeps_the_fields_the_other_read():
	"""A key's kind is Redis's to say (``prefetch`` asks it): a hash needs the fields to read."""
	assert recurring({b"k|x": None}, {b"k|x": frozenset({"a"})}) == {b"k|x": frozenset({"a"})}
	assert recurring({b"k|x": frozenset({"a"})}, {b"k|x": None}) == {b"k|x": frozenset({"a"})}
