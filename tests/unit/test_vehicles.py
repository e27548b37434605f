from datetime import date

import pytest

from auto_service_crm.rules.vehicles import (
	InvalidVehicleData,
	MileageReading,
	check_mileage_readings,
	check_year,
	normalize_plate,
	normalize_vin,
	vehicle_title,
)


def test_vin_is_cleaned_and_checked():
	assert normalize_vin(" xta21703080123456 ") == "XTA21703080123456"
	assert normalize_vin("XTA-2170-3080-123456") == "XTA21703080123456"
	assert normalize_vin("") is None and normalize_vin(None) is None


@pytest.mark.parametrize(
	"vin", ["XTA2170308012345", "XTA217030801234567", "XTA2170308012345O", "XTA21703080I23456"]
)
def test_wrong_vins_are_refused(vin):
	with pytest.raises(InvalidVehicleData):
		normalize_vin(vin)


def test_plate_in_cyrillic_and_latin_is_the_same_plate():
	assert normalize_plate("А 123 ВС 77") == normalize_plate("a123bc77") == "A123BC77"
	assert normalize_plate("  ") is None


def test_latest_mileage_and_no_going_back():
	readings = [MileageReading(date(2026, 5, 1), 52000), MileageReading(date(2025, 5, 1), 40000)]
	assert check_mileage_readings(readings) == 52000
	assert check_mileage_readings([]) is None
	with pytest.raises(InvalidVehicleData, match="lower than"):
		check_mileage_readings([*readings, MileageReading(date(2026, 6, 1), 51000)])
	with pytest.raises(InvalidVehicleData):
		check_mileage_readings([MileageReading(date(2026, 6, 1), -1)])


def test_year_of_manufacture():
	check_year(2020, 2026)
	check_year(2027, 2026)  # next model year is sold already
	check_year(None, 2026)
	for year in (1800, 2030):
		with pytest.raises(InvalidVehicleData):
			check_year(year, 2026)


def test_title():
	assert vehicle_title("Lada Vesta", "A123BC77", "XTA21703080123456") == "Lada Vesta · A123BC77"
	assert vehicle_title("Lada Vesta", None, "XTA21703080123456") == "Lada Vesta · XTA21703080123456"
	assert vehicle_title(None, None, None) == "?"
