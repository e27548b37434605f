app_name = "auto_service_crm"
app_title = "Auto Service CRM"
app_publisher = "auto_service_crm contributors"
app_description = (
	"Client appeals of a car service station: every channel, identification, categories, results, hand-off"
)
app_email = "dev@auto-service-crm.invalid"
app_license = "MIT"
required_apps = ["frappe/erpnext"]  # org/repo: parsed without asking GitHub
export_python_type_annotations = True

# Installation
# ------------
before_install = "auto_service_crm.setup.install.before_install"
after_install = "auto_service_crm.setup.install.after_install"
after_migrate = "auto_service_crm.setup.install.after_migrate"
before_uninstall = "auto_service_crm.setup.install.before_uninstall"
setup_wizard_complete = "auto_service_crm.setup.install.after_setup_wizard"

# Desk
# ----
# the call card and the missed-call card, on every page of the desk (telephony/screen_pop.py)
# and the appeal's short form, titled «New Appeal» (Frappe's «New {0}» reads wrong in Russian)
app_include_js = [
	"/assets/auto_service_crm/js/call_card.js",
	"/assets/auto_service_crm/js/appeal_quick_entry.js",
]
app_include_css = ["/assets/auto_service_crm/css/call_card.css"]

# Reads from the replica
# ----------------------
# the workspace's charts and number cards read on the site's MariaDB replica when its config has
# read_from_replica (Frappe's query reports and lists do already); auto_service_crm/replica.py
override_whitelisted_methods = {
	"frappe.desk.doctype.dashboard_chart.dashboard_chart.get": "auto_service_crm.replica.dashboard_chart_data",
	"frappe.desk.doctype.number_card.number_card.get_result": "auto_service_crm.replica.number_card_result",
	"frappe.desk.doctype.number_card.number_card.get_percentage_difference": (
		"auto_service_crm.replica.number_card_percentage_difference"
	),
	"auto_service_crm.auto_service_crm.dashboard_chart_source.appeals_grouped.appeals_grouped.get": (
		"auto_service_crm.replica.appeals_grouped_chart"
	),
}

# Desk scripts
# ------------
doctype_js = {
	"Appeal": ["public/js/appeal_chat.js", "public/js/appeal_sms.js"],
	# «Add Recommendation» on a Service Request and a repair order (auto_service_crm/recommendations.py)
	"Service Request": "public/js/recommendations.js",
	"Sales Order": "public/js/recommendations.js",
}

# DocType classes
# ---------------
# ERPNext's Call Log, with the caller's Contact found through the indexed normalized phone,
# Frappe's Assignment Rule, stepping aside while a delivery is filed (auto_service_crm/routing.py),
# and ERPNext's Service Level Agreement, loaded from the document cache for every new appeal
override_doctype_class = {
	"Call Log": "auto_service_crm.overrides.call_log.AutoServiceCallLog",
	"Assignment Rule": "auto_service_crm.overrides.assignment_rule.AutoServiceAssignmentRule",
	"Service Level Agreement": (
		"auto_service_crm.overrides.service_level_agreement.AutoServiceServiceLevelAgreement"
	),
}

# Dashboards
# ----------
# the recommendations recorded on a Service Request or a repair order, in its connections
override_doctype_dashboards = {
	"Service Request": "auto_service_crm.recommendations.service_request_dashboard",
	"Sales Order": "auto_service_crm.recommendations.sales_order_dashboard",
}

# Permissions
# -----------
# who sees which appeal and request: a Service Advisor or a Parts Manager only those they take part
# in, while the settings say so (auto_service_crm/permissions.py); lists and documents agree
permission_query_conditions = {
	"Appeal": "auto_service_crm.permissions.appeal_query_conditions",
	"Service Request": "auto_service_crm.permissions.service_request_query_conditions",
}
has_permission = {
	"Appeal": "auto_service_crm.permissions.has_permission",
	"Service Request": "auto_service_crm.permissions.has_permission",
}
# their link search, which Frappe would let a caller run without these rules
standard_queries = {
	"Appeal": "auto_service_crm.permissions.search_link",
	"Service Request": "auto_service_crm.permissions.search_link",
}

# Document events
# ---------------
doc_events = {
	"Contact": {"validate": "auto_service_crm.identification.set_contact_phones_normalized"},
	"ToDo": {"after_insert": "auto_service_crm.alerts.on_todo_insert"},
	# a hand-off books the recommendations the appeal was filled from
	"Appeal": {"on_update": "auto_service_crm.recommendations.on_appeal_update"},
	# the staff by role the call cards and the operators' tasks go to, read again
	"User": {
		"on_update": "auto_service_crm.operator_tasks.forget_staff",
		"after_insert": "auto_service_crm.operator_tasks.forget_staff",
		"on_trash": "auto_service_crm.operator_tasks.forget_staff",
	},
	"Role": {"on_update": "auto_service_crm.operator_tasks.forget_staff"},
}

# Scheduled tasks (rq workers, the scheduler's own queue)
# ---------------
scheduler_events = {
	"daily": ["auto_service_crm.maintenance.invitations.make_invitations"],
	"cron": {
		"*/5 * * * *": [
			"auto_service_crm.alerts.check_overdue_callbacks",
			"auto_service_crm.alerts.check_sla_breaches",
		],
		# the website callbacks' attempts that are due or whose answer time ran out (no worker waits)
		"* * * * *": [
			"auto_service_crm.telephony.callback.check_callbacks",
			# deliveries whose filing job was lost (the queue's Redis restarted, a worker died)
			"auto_service_crm.intake_queue.file_waiting",
		],
	},
}

# Fixtures: only records that must always match the code, filtered to this app's own.
fixtures = []
