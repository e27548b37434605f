# Copyright (c) 2026, auto_service_crm contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate, nowdate

from auto_service_crm.rules.vehicles import (
	InvalidVehicleData,
	MileageReading,
	check_mileage_readings,
	check_year,
	normalize_plate,
	normalize_vin,
	vehicle_title,
)


class CustomerVehicle(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from auto_service_crm.auto_service_crm.doctype.vehicle_mileage_reading.vehicle_mileage_reading import (
			VehicleMileageReading,
		)

		color: DF.Data | None
		current_mileage: DF.Int
		customer: DF.Link
		customer_name: DF.Data | None
		license_plate: DF.Data | None
		make: DF.Data | None
		mileage_readings: DF.Table[VehicleMileageReading]
		naming_series: DF.Literal["VEH-.#####"]
		title: DF.Data | None
		vehicle_model: DF.Link | None
		vin: DF.Data | None
		year: DF.Int

	# end: auto-generated types
	def validate(self):
		try:
			self.vin = normalize_vin(self.vin)
			self.license_plate = normalize_plate(self.license_plate)
			check_year(self.year, getdate(nowdate()).year)
			self.current_mileage = check_mileage_readings(
				MileageReading(getdate(row.reading_date), row.mileage) for row in self.mileage_readings
			)
		except InvalidVehicleData as e:
			frappe.throw(str(e), title=_("Invalid Vehicle Data"))
		self.validate_unique_vin()
		self.title = vehicle_title(self.vehicle_model, self.license_plate, self.vin)

	def validate_unique_vin(self):
		if not self.vin:
			return
		other = frappe.db.exists("Customer Vehicle", {"vin": self.vin, "name": ("!=", self.name)})
		if other:
			frappe.throw(
				_("VIN {0} is already recorded on vehicle {1}").format(
					frappe.bold(self.vin), frappe.bold(other)
				),
				title=_("Duplicate VIN"),
			)
