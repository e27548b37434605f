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


@dataclass(frozen=True)
class KnownVehicle:
	"""One of the client's cars as recorded: plate and VIN as the Customer Vehicle keeps them."""

	name: str
	vehicle_model: str | None = None
	year: int | None = None
	license_plate: str | None = None
	vin: str | None = None


def safe_vin(vin: str | None) -> str | None:
	"""The normalized VIN, or None when the text is empty or is no VIN (free text from a channel)."""
	try:
		return normalize_vin(vin)
	except InvalidVehicleData:
		return None


def matching_vehicle(
	vehicles: Iterable[KnownVehicle],
	vehicle_model: str | None = None,
	year: int | None = None,
	plate: str | None = None,
	vin: str | None = None,
) -> str | None:
	"""The client's car that is the one they named, or None when none is.

	The same VIN wins; then the same plate (normalized); then the first car of the same model
	whose year is the same (a year unknown on either side fits any) and whose recorded plate and
	VIN do not differ from the ones named. Without a model only the VIN and the plate match.
	"""
	cars = list(vehicles)
	vin, plate = safe_vin(vin), normalize_plate(plate)
	if vin:
		for car in cars:
			if safe_vin(car.vin) == vin:
				return car.name
	if plate:
		for car in cars:
			if normalize_plate(car.license_plate) == plate:
				return car.name
	if not vehicle_model:
		return None
	for car in cars:
		if car.vehicle_model != vehicle_model:
			continue
		if year and car.year and year != car.year:
			continue
		if vin and car.vin and safe_vin(car.vin) != vin:
			continue
		if plate and car.license_plate and normalize_plate(car.license_plate) != plate:
			continue
		return car.name
	return None
