"""The published-format payloads of tests/unit/intake/samples, fresh copies for each test."""

import copy
import json
from functools import cache
from pathlib import Path

SAMPLES = Path(__file__).parent / "samples"


@cache
def _load(provider: str) -> dict:
	return json.loads((SAMPLES / f"{provider}.json").read_text(encoding="utf-8"))


def sample(provider: str, name: str) -> dict:
	"""A deep copy of the sample ``name`` of ``samples/<provider>.json``."""
	return copy.deepcopy(_load(provider)[name])


def names(provider: str) -> list[str]:
	return [name for name in _load(provider) if not name.startswith("_")]
