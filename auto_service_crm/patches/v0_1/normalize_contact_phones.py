from auto_service_crm.identification import backfill_contact_phones


def execute():
	backfill_contact_phones()
