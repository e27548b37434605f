from auto_service_crm.rules.vehicles import KnownVehicle, matching_vehicle, safe_vin

VIN = "XTA21703080123456"
OTHER_VIN = "Z94CB41AAHR123456"
RIO = KnownVehicle("VEH-1", "Kia Rio", 2017, "A123BC77", None)
VESTA = KnownVehicle("VEH-2", "Lada Vesta", 2019, None, VIN)
CARS = [RIO, VESTA]


def test_the_same_vin_wins_over_everything():
	assert matching_vehicle(CARS, "Kia Rio", 2017, vin=VIN.lower()) == "VEH-2"


def test_the_plate_matches_in_either_layout_without_a_model():
	assert matching_vehicle(CARS, plate="а 123 вс 77") == "VEH-1"
	assert matching_vehicle(CARS, plate="B777BB77") is None
	assert matching_vehicle(CARS) is None


def test_model_and_year_match_a_car_without_conflict():
	assert matching_vehicle(CARS, "Kia Rio", 2017) == "VEH-1"
	assert matching_vehicle(CARS, "Kia Rio", None) == "VEH-1", "a year not told fits"
	assert matching_vehicle([KnownVehicle("VEH-3", "Kia Rio")], "Kia Rio", 2017) == "VEH-3"
	assert matching_vehicle(CARS, "Kia Rio", 2018) is None, "another year is another car"
	assert matching_vehicle(CARS, "Kia Ceed", 2017) is None


def test_a_different_plate_or_vin_on_record_is_another_car():
	assert matching_vehicle(CARS, "Kia Rio", 2017, plate="B777BB77") is None
	assert matching_vehicle(CARS, "Lada Vesta", 2019, vin=OTHER_VIN) is None
	assert matching_vehicle(CARS, "Lada Vesta", 2019, plate="B777BB77") == "VEH-2", "no plate on record"


def test_text_that_is_no_vin_is_ignored():
	assert safe_vin("Kia Rio 2017") is None and safe_vin(None) is None
	assert matching_vehicle(CARS, vin="not a vin", plate="A123BC77") == "VEH-1"
