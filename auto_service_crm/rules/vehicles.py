"""Clients' cars: VIN and plate checks, mileage readings, the title shown in links."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

# ISO 3779: 17 characters, digits and capital Latin letters except I, O and Q.
VIN_PATTERN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")

# Cyrillic letters used on Russian plates, mapped to the Latin letters of the same look,
# so that «А123ВС77» typed in either layout finds the same car.
_PLATE_LOOKALIKES = str.maketrans("АВЕКМНОРСТУХ", "ABEKMHOPCTYX")


class InvalidVehicleData(ValueError):
	"""A VIN, plate or mileage reading that cannot be right."""


def normalize_vin(vin: str | None) -> str | None:
	"""Upper-case the VIN without spaces; None when empty; raise when it is not a VIN."""
	text = re.sub(r"[\s-]", "", vin or "").upper()
	if not text:
		return None
	if not VIN_PATTERN.match(text):
		raise InvalidVehicleData(f"a VIN has 17 letters and digits without I, O and Q: {vin!r}")
	return text


def normalize_plate(plate: str | None) -> str | None:
	"""Upper-case the plate without spaces or dashes, Cyrillic look-alikes as Latin letters."""
	text = re.sub(r"[\s-]", "", plate or "").upper().translate(_PLATE_LOOKALIKES)
	return text or None


@dataclass(frozen=True)
class MileageReading:
	reading_date: date
	mileage: int


def check_mileage_readings(readings: Iterable[MileageReading]) -> int | None:
	"""Check that mileage never goes down over time; return the latest mileage.

	Raises InvalidVehicleData naming the first reading that is lower than an earlier one.
	"""
	ordered = sorted(readings, key=lambda r: r.reading_date)
	latest: MileageReading | None = None
	for reading in ordered:
		if reading.mileage < 0:
			raise InvalidVehicleData(f"mileage cannot be negative: {reading.mileage}")
		if latest is not None and reading.mileage < latest.mileage:
			raise InvalidVehicleData(
				f"mileage {reading.mileage} km on {reading.reading_date} is lower than "
				f"{latest.mileage} km on {latest.reading_date}"
			)
		latest = reading
	return latest.mileage if latest else None


def check_year(year: int | None, this_year: int) -> None:
	if year and not 1900 <= year <= this_year + 1:
		raise InvalidVehicleData(f"year of manufacture out of range: {year}")


def vehicle_title(make_model: str | None, plate: str | None, vin: str | None) -> str:
	"""«Toyota Camry · A123BC77», falling back to the VIN, then to what is known."""
	parts = [p for p in (make_model, plate or vin) if p]
	return " · ".join(parts) or "?"
