"""The cached values every delivery reads, read in one round trip when a lingering job starts it.

Frappe keeps what a request reads of its Redis cache in ``frappe.local.cache``, for that request,
and reads each value when it is first used: the filing and routing of a chat read about 45 of them
(the notifications, workflow, naming and assignment rule maps of each DocType it saves, the
defaults, the settings and holiday list documents, ...), one round trip each, the same ones for
every delivery. Beside the cores' other work each round trip is a wait of the job's process (a
niced one, as Frappe starts its workers), about a tenth of a chat's filing in all.

A lingering filing job forgets that cache between deliveries (``intake_queue.fresh_caches``), as
a new request would start without it. Before it forgets, it notes what the delivery read
(``noted``); the values read by two deliveries in a row are read for the next one in one
pipeline, as soon as it starts (``prefetch``), and stored where Frappe's own read would have
stored them, unpickled as Frappe unpickles them. Each is the value Redis holds when the delivery
starts, a moment before Frappe would have read it, as a request reads a value once and keeps it to
its end. A value Redis does not hold is not stored: Frappe reads it, or makes it, as before. What
is learnt is forgotten with the templates of new documents (``intake_queue.TEMPLATES_SECONDS``),
so that a value no longer read stops being read.
"""

import pickle

HASH = "hash"
VALUE = "string"


def noted(cache: dict, kept) -> dict:
	"""What a delivery read: {key: None} for a value, {key: frozenset(its fields)} for a hash;
	the keys in ``kept`` (the schema the job keeps) aside."""
	return {
		key: frozenset(value) if isinstance(value, dict) else None
		for key, value in cache.items()
		if key not in kept
	}


def recurring(before: dict | None, now: dict) -> dict:
	"""What both deliveries read: of a hash, the fields both read (a dict read as a value in one of
	them keeps the other's fields: Redis says which it is, ``prefetch``)."""
	if not before:
		return {}
	common = {}
	for key, fields in now.items():
		if key not in before:
			continue
		if fields is not None and before[key] is not None:
			common[key] = fields & before[key]
		else:
			common[key] = fields if fields is not None else before[key]
	return common


def prefetch(client, cache: dict, reads: dict, types: dict) -> int:
	"""Read ``reads`` from Frappe's Redis cache (``client``: ``frappe.cache``) into ``cache`` (its
	local copy) in one pipeline; the number of values stored. ``types`` keeps each key's kind in
	Redis (a value or a hash: a dict in the local copy is either), asked of Redis once for a key not
	in it yet; a key Redis does not hold is left out."""
	from redis.exceptions import ConnectionError, TimeoutError

	if not reads:
		return 0
	try:
		unknown = [key for key in reads if key not in types]
		if unknown:
			pipe = client.pipeline(transaction=False)
			for key in unknown:
				pipe.type(key)
			for key, kind in zip(unknown, pipe.execute(), strict=True):
				types[key] = kind.decode() if isinstance(kind, bytes) else kind
		asked = [
			(key, sorted(fields) if types[key] == HASH else None)
			for key, fields in reads.items()
			if types[key] == VALUE or (types[key] == HASH and fields)
		]
		if not asked:
			return 0
		pipe = client.pipeline(transaction=False)
		for key, fields in asked:
			if fields is None:
				pipe.get(key)
			else:
				pipe.hmget(key, fields)
		answers = pipe.execute(raise_on_error=False)
	except (ConnectionError, TimeoutError):
		return 0  # Frappe reads each value itself, and finds Redis away as it would
	stored = 0
	for (key, fields), answer in zip(asked, answers, strict=True):
		if isinstance(answer, Exception):
			types.pop(key, None)  # its kind changed: asked again next time
			continue
		if fields is None:
			if answer is not None:
				cache[key] = pickle.loads(answer)
				stored += 1
			continue
		values = {
			field: pickle.loads(value)
			for field, value in zip(fields, answer, strict=True)
			if value is not None
		}
		cache.setdefault(key, {}).update(values)
		stored += len(values)
	return stored
