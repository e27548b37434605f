"""The records a new site starts with (seed 000_fb252e4d6812e62f.txt), as plain data.

They are created once, on install and on every migrate, only when missing: a consultant
may edit, hide, reorder or extend them in the desk and keeps those changes.
"""

ROLES = (
	"Auto Service Operator",
	"Service Advisor",
	"Parts Manager",
	"Auto Service Manager",
)

CHANNELS = (
	{"channel_name": "Incoming Call", "is_call": 1},
	{"channel_name": "Missed Call", "is_call": 1},
	{"channel_name": "Website Form"},
	{"channel_name": "Chat"},
	{"channel_name": "Mobile App"},
	{"channel_name": "Visit"},
	{"channel_name": "Email"},
)

# Auto Service Settings values that link to the records seeded here: not field defaults, which
# Frappe would validate when it first saves the Single, before these records exist.
SETTINGS = {"callback_appeal_status": "Callback Scheduled"}

# category: Open (being worked on), Paused (waits for a date), Completed, Refused.
APPEAL_STATUSES = (
	{"status_name": "New", "category": "Open", "is_default": 1, "color": "#2490EF"},
	{"status_name": "In Progress", "category": "Open", "color": "#ECAD4B"},
	{"status_name": "Callback Scheduled", "category": "Paused", "color": "#8D99A6"},
	{"status_name": "Handed Off", "category": "Completed", "color": "#29CD42"},
	{"status_name": "Closed", "category": "Completed", "color": "#5E64FF"},
	{"status_name": "Refused", "category": "Refused", "color": "#E24C4C"},
)

SERVICE_REQUEST_STATUSES = (
	{"status_name": "Open", "category": "Open", "is_default": 1, "color": "#2490EF"},
	{"status_name": "Booked", "category": "Open", "color": "#29CD42"},
	{"status_name": "Postponed", "category": "Paused", "color": "#8D99A6"},
	{"status_name": "Awaiting Client", "category": "Open", "color": "#ECAD4B"},
	{"status_name": "Completed", "category": "Completed", "color": "#5E64FF"},
	{"status_name": "Refused", "category": "Refused", "color": "#E24C4C"},
)

HAND_OFF = "Hand Off to Service Request"

# required_fields: the Appeal fields «Done, close» asks for (rows of the result's Required Fields)
RESULTS = (
	{
		"result_name": "Client Booked",
		"action": HAND_OFF,
		"service_request_kind": "Repair",
		"service_request_status": "Booked",
		"appeal_status": "Handed Off",
		"required_fields": ("booking_time",),
		"description": "The client booked a visit and plans to come to the station.",
	},
	{
		"result_name": "Postpone",
		"action": HAND_OFF,
		"service_request_kind": "Repair",
		"service_request_status": "Postponed",
		"appeal_status": "Handed Off",
		"required_fields": ("callback_at",),
		"description": "The client is interested in the station's services but has not booked yet.",
	},
	{
		"result_name": "Await Client with Reservation",
		"action": HAND_OFF,
		"service_request_kind": "Parts",
		"service_request_status": "Awaiting Client",
		"appeal_status": "Handed Off",
		"reserve_stock": 1,
		"required_fields": ("items",),
		"description": "The client will come for the parts; they are reserved in stock.",
	},
	{
		"result_name": "Await Client without Reservation",
		"action": HAND_OFF,
		"service_request_kind": "Parts",
		"service_request_status": "Awaiting Client",
		"appeal_status": "Handed Off",
		"description": "The client will come for the parts; nothing is reserved.",
	},
	{
		"result_name": "Sale Made",
		"action": HAND_OFF,
		"service_request_kind": "Parts",
		"service_request_status": "Completed",
		"appeal_status": "Handed Off",
		"record_sale": 1,
		"required_fields": ("sales_order",),
		"description": "The parts were sold.",
	},
	{
		"result_name": "Redirect",
		"action": "Redirect",
		"appeal_status": "In Progress",
		"required_fields": ("redirect_to",),
		"description": "Another specialist takes the client, now or by calling back at a set time.",
	},
	{
		"result_name": "Refused",
		"action": "Close Appeal",
		"appeal_status": "Refused",
		"required_fields": ("result_reason",),
		"description": "The client refused.",
	},
)

CATEGORIES = (
	{
		"category_name": "Repair Services",
		"display_order": 1,
		"is_targeted": 1,
		"on_selection": "Ask for Result",
		"results": ("Client Booked", "Postpone", "Redirect", "Refused"),
		"description": "The client is interested in the station's services. Booking the client "
		"hands the appeal off into a Service Request.",
		"call_script": "<p>Ask what is wrong with the car and when the client can come. "
		"Check the car, its year and the mileage. Offer the nearest free time.</p>",
	},
	{
		"category_name": "Spare Parts",
		"display_order": 2,
		"is_targeted": 1,
		"on_selection": "Ask for Result",
		"results": (
			"Await Client with Reservation",
			"Await Client without Reservation",
			"Sale Made",
			"Redirect",
			"Refused",
		),
		"description": "The client wants to buy parts. Confirming the purchase hands the appeal "
		"off into a Service Request.",
		"call_script": "<p>Ask for the car (VIN if possible) and the parts wanted. "
		"Tell the price and availability; offer to reserve them.</p>",
	},
	{
		"category_name": "Call Continuation",
		"display_order": 3,
		"on_selection": "Close Appeal",
		"closing_status": "Closed",
		"description": "The client called two or more times in one day, or has an open "
		"Service Request. The appeal ends here.",
	},
	{
		"category_name": "Repair Order Status",
		"display_order": 4,
		"on_selection": "Close Appeal",
		"closing_status": "Closed",
		"description": "The client asks how the repair is going: there is an open repair order. "
		"The appeal ends here.",
	},
	{
		"category_name": "Repeat Appeal",
		"display_order": 5,
		"on_selection": "Continue Service Request",
		"closing_status": "Closed",
		"description": "The client comes back to a Service Request refused within the last month. "
		"The appeal ends and that Service Request continues.",
	},
	{
		"category_name": "Other",
		"display_order": 6,
		"on_selection": "Close Appeal",
		"closing_status": "Closed",
		"description": "Any other appeal that is not targeted. The appeal ends here.",
	},
)

# The automatic categories of the first round as Automatic Category Rule records, in today's
# precedence (lower Order first). Call continuation ("two or more appeals in a day, or an open
# Service Request") is two rules, as a rule's conditions must all hold.
AUTOMATIC_CATEGORY_RULES = (
	{
		"rule_name": "Open Repair Order",
		"rule_order": 10,
		"category": "Repair Order Status",
		"conditions": [{"fact": "Open Repair Orders", "operator": ">=", "value": "1"}],
		"reason": "open repair order {open_repair_order}",
	},
	{
		"rule_name": "Call Continuation: Appeals Today",
		"rule_order": 20,
		"category": "Call Continuation",
		"conditions": [{"fact": "Appeals Today", "operator": ">=", "value": "2"}],
		"reason": "appeal no. {appeals_today} of the client today",
	},
	{
		"rule_name": "Call Continuation: Open Service Request",
		"rule_order": 30,
		"category": "Call Continuation",
		"conditions": [{"fact": "Open Service Requests", "operator": ">=", "value": "1"}],
		"link_request": "Open Service Request",
		"reason": "open service request {open_service_request}",
	},
	{
		"rule_name": "Recently Refused Service Request",
		"rule_order": 40,
		"category": "Repeat Appeal",
		"conditions": [{"fact": "Days Since a Service Request Was Refused", "operator": "<=", "value": "30"}],
		"link_request": "Refused Service Request",
		"reason": "service request {refused_service_request} refused on {refused_on}",
	},
)
# The shipped rules whose value Auto Service Settings also shows (and edits): setting → (rule, fact).
SETTINGS_OF_RULES = {
	"same_day_appeal_threshold": ("Call Continuation: Appeals Today", "Appeals Today"),
	"refused_request_lookback_days": (
		"Recently Refused Service Request",
		"Days Since a Service Request Was Refused",
	),
}

# What the app's roles need on ERPNext's own DocTypes to take a call: find and create clients,
# see their orders and calls. Added as Custom DocPerm rows (only when missing) and removed on
# uninstall, together with the roles.
ERPNEXT_PERMISSIONS = {
	"Customer": {
		"Auto Service Operator": ("read", "write", "create", "report"),
		"Service Advisor": ("read", "write", "create", "report"),
		"Parts Manager": ("read", "write", "create", "report"),
		"Auto Service Manager": ("read", "write", "create", "report", "export"),
	},
	"Contact": {
		"Auto Service Operator": ("read", "write", "create"),
		"Service Advisor": ("read", "write", "create"),
		"Parts Manager": ("read", "write", "create"),
		"Auto Service Manager": ("read", "write", "create", "report"),
	},
	"Sales Order": {
		"Auto Service Operator": ("read", "write", "create", "submit"),
		"Service Advisor": ("read", "write", "create", "submit", "report"),
		"Parts Manager": ("read", "write", "create", "submit", "report"),
		"Auto Service Manager": ("read", "report", "export"),
	},
	"Call Log": {
		"Auto Service Operator": ("read", "write"),
		"Service Advisor": ("read",),
		"Parts Manager": ("read",),
		"Auto Service Manager": ("read", "report"),
	},
	"Appointment": {
		"Auto Service Operator": ("read", "write", "create"),
		"Service Advisor": ("read", "write", "create"),
		"Auto Service Manager": ("read", "write", "create", "report"),
	},
	# «Await the client, reserve the parts»: ERPNext checks these rights on the user who reserves.
	"Stock Reservation Entry": {
		"Auto Service Operator": ("read", "write", "create", "submit", "cancel"),
		"Parts Manager": ("read", "write", "create", "submit", "cancel", "report"),
		"Auto Service Manager": ("read", "write", "create", "submit", "cancel", "report"),
	},
	"Item": {
		"Auto Service Operator": ("read",),
		"Service Advisor": ("read",),
		"Parts Manager": ("read",),
		"Auto Service Manager": ("read",),
	},
}

# The Service Request process as a Frappe Workflow on its status field. A consultant changes
# states and transitions in the desk; the app moves requests only through allowed transitions.
SERVICE_REQUEST_WORKFLOW = {
	"workflow_name": "Service Request Process",
	"states": (
		("Open", "Primary"),
		("Booked", "Success"),
		("Postponed", "Warning"),
		("Awaiting Client", "Info"),
		("Completed", "Success"),
		("Refused", "Danger"),
	),
	# (from, action, to)
	"transitions": (
		("Open", "Book", "Booked"),
		("Open", "Postpone", "Postponed"),
		("Open", "Await Client", "Awaiting Client"),
		("Open", "Complete", "Completed"),
		("Open", "Refuse", "Refused"),
		("Booked", "Complete", "Completed"),
		("Booked", "Postpone", "Postponed"),
		("Booked", "Refuse", "Refused"),
		("Postponed", "Book", "Booked"),
		("Postponed", "Await Client", "Awaiting Client"),
		("Postponed", "Refuse", "Refused"),
		("Awaiting Client", "Complete", "Completed"),
		("Awaiting Client", "Refuse", "Refused"),
		("Refused", "Reopen", "Open"),
		("Completed", "Reopen", "Open"),
	),
	"roles": ROLES,
}

# Routing new appeals among operators (Frappe's Assignment Rule); a consultant adds the users.
APPEAL_ASSIGNMENT_RULE = {
	"name": "Appeals to Operators",
	"document_type": "Appeal",
	"description": "New appeals go to the operators in turn.",
	"rule": "Round Robin",
	"assign_condition": 'status == "New" and not completed_on',
	"close_condition": "completed_on",
	"priority": 1,
}

# «Answer within 2 hours» as ERPNext's Service Level Agreement on Appeal: first response due
# 2 working hours after the appeal; completing or pausing the appeal is the response.
APPEAL_SLA = {
	"service_level": "Appeal Response in 2 Hours",
	"response_time_seconds": 2 * 60 * 60,
	"priority": "Medium",
	"workdays": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"),
}

# Email Templates per event and language: (event, recipient, language, name, subject, body).
EMAIL_TEMPLATES = (
	(
		"Appeal Registered",
		"Client",
		"en",
		"Appeal Registered",
		"Your appeal {{ doc.name }} is registered",
		"<p>Hello{% if doc.client_name %}, {{ doc.client_name }}{% endif %}!</p>"
		"<p>We have registered your appeal {{ doc.name }} and will answer within 2 hours.</p>",
	),
	(
		"Appeal Registered",
		"Client",
		"ru",
		"Обращение зарегистрировано",
		"Ваше обращение {{ doc.name }} зарегистрировано",
		"<p>Здравствуйте{% if doc.client_name %}, {{ doc.client_name }}{% endif %}!</p>"
		"<p>Мы зарегистрировали ваше обращение {{ doc.name }} и ответим в течение 2 часов.</p>",
	),
	(
		"Appeal Closed",
		"Client",
		"en",
		"Appeal Closed",
		"Your appeal {{ doc.name }} is closed",
		"<p>Hello{% if doc.client_name %}, {{ doc.client_name }}{% endif %}!</p>"
		"<p>Your appeal {{ doc.name }} is closed.{% if doc.service_request %} Your request "
		"{{ doc.service_request }} continues with our service advisors.{% endif %}</p>",
	),
	(
		"Appeal Closed",
		"Client",
		"ru",
		"Обращение закрыто",
		"Ваше обращение {{ doc.name }} закрыто",
		"<p>Здравствуйте{% if doc.client_name %}, {{ doc.client_name }}{% endif %}!</p>"
		"<p>Ваше обращение {{ doc.name }} закрыто.{% if doc.service_request %} Заявкой "
		"{{ doc.service_request }} дальше занимаются наши мастера-приёмщики.{% endif %}</p>",
	),
	(
		"Appeal Assigned",
		"Assignee",
		"en",
		"Appeal Assigned",
		"Appeal {{ doc.name }} is assigned to you",
		"<p>{{ doc.client_name or doc.phone or '' }}: {{ doc.category or '' }}</p>"
		"<p>{{ doc.client_comment or '' }}</p>{% if doc.callback_at %}<p>Call back at "
		"{{ frappe.utils.format_datetime(doc.callback_at) }}</p>{% endif %}",
	),
	(
		"Appeal Assigned",
		"Assignee",
		"ru",
		"Вам назначено обращение",
		"Вам назначено обращение {{ doc.name }}",
		"<p>{{ doc.client_name or doc.phone or '' }}: {{ _(doc.category, 'ru') if doc.category else '' }}</p>"
		"<p>{{ doc.client_comment or '' }}</p>{% if doc.callback_at %}<p>Перезвонить "
		"{{ frappe.utils.format_datetime(doc.callback_at) }}</p>{% endif %}",
	),
	(
		"Callback Overdue",
		"Supervisor",
		"en",
		"Callback Overdue",
		"Callback overdue: appeal {{ doc.name }}",
		"<p>The client {{ doc.client_name or doc.phone or '' }} was to be called back at "
		"{{ frappe.utils.format_datetime(doc.callback_at) }}; the appeal {{ doc.name }} is still open.</p>",
	),
	(
		"Callback Overdue",
		"Supervisor",
		"ru",
		"Просрочен звонок клиенту",
		"Просрочен звонок: обращение {{ doc.name }}",
		"<p>Клиенту {{ doc.client_name or doc.phone or '' }} нужно было перезвонить "
		"{{ frappe.utils.format_datetime(doc.callback_at) }}; обращение {{ doc.name }} всё ещё открыто.</p>",
	),
	(
		"SLA Breached",
		"Supervisor",
		"en",
		"Appeal SLA Breached",
		"No answer in time: appeal {{ doc.name }}",
		"<p>The appeal {{ doc.name }} of {{ doc.client_name or doc.phone or '' }} was to be answered by "
		"{{ frappe.utils.format_datetime(doc.response_by) }}.</p>",
	),
	(
		"SLA Breached",
		"Supervisor",
		"ru",
		"Нарушен срок ответа на обращение",
		"Нет ответа в срок: обращение {{ doc.name }}",
		"<p>На обращение {{ doc.name }} клиента {{ doc.client_name or doc.phone or '' }} нужно было "
		"ответить до {{ frappe.utils.format_datetime(doc.response_by) }}.</p>",
	),
)

# The default records' descriptions and call scripts for a site whose language is Russian (the
# names are translated by the app's translation file; these texts are data and seeded as such).
TEXTS_RU = {
	"The client booked a visit and plans to come to the station.": "Клиент записался и планирует приехать в СТО.",
	"The client is interested in the station's services but has not booked yet.": "Клиент заинтересован в услугах СТО, но ещё не записался.",
	"The client will come for the parts; they are reserved in stock.": "Клиент приедет за запчастями; они зарезервированы на складе.",
	"The client will come for the parts; nothing is reserved.": "Клиент приедет за запчастями; резерв не установлен.",
	"The parts were sold.": "Запчасти проданы.",
	"Another specialist takes the client, now or by calling back at a set time.": "Клиента берёт другой специалист — сейчас или перезвонив в назначенное время.",
	"The client refused.": "Клиент отказался.",
	"The client is interested in the station's services. Booking the client hands the appeal off into a Service Request.": "Клиент интересуется услугами автосервиса. Запись клиента передаёт обращение в «Обращение в СТО».",
	"The client wants to buy parts. Confirming the purchase hands the appeal off into a Service Request.": "Клиент хочет купить запчасти. Подтверждение покупки передаёт обращение в «Обращение в СТО».",
	"The client called two or more times in one day, or has an open Service Request. The appeal ends here.": "Клиент звонил два и более раз за день или по нему есть открытое обращение в СТО. Обращение на этом завершается.",
	"The client asks how the repair is going: there is an open repair order. The appeal ends here.": "Клиент уточняет статус ремонта: по нему есть открытый заказ-наряд. Обращение на этом завершается.",
	"The client comes back to a Service Request refused within the last month. The appeal ends and that Service Request continues.": "Клиент вернулся к обращению в СТО, завершённому отказом за последний месяц. Обращение завершается, а то обращение в СТО продолжается.",
	"Any other appeal that is not targeted. The appeal ends here.": "Прочие нецелевые обращения. Обращение на этом завершается.",
	"<p>Ask what is wrong with the car and when the client can come. Check the car, its year and the mileage. Offer the nearest free time.</p>": "<p>Спросите, что случилось с автомобилем и когда клиенту удобно приехать. Уточните автомобиль, год выпуска и пробег. Предложите ближайшее свободное время.</p>",
	"<p>Ask for the car (VIN if possible) and the parts wanted. Tell the price and availability; offer to reserve them.</p>": "<p>Уточните автомобиль (по возможности VIN) и нужные запчасти. Назовите цену и наличие; предложите резерв.</p>",
}
TEXTS_RU.update(
	{
		"open repair order {open_repair_order}": "открыт заказ-наряд {open_repair_order}",
		"appeal no. {appeals_today} of the client today": "обращение № {appeals_today} клиента за день",
		"open service request {open_service_request}": "открыто обращение в СТО {open_service_request}",
		"service request {refused_service_request} refused on {refused_on}": "обращение в СТО "
		"{refused_service_request} завершено отказом {refused_on}",
	}
)  # the reasons of the shipped automatic category rules
LOCALIZED_TEXTS = {"ru": TEXTS_RU}
LOCALIZED_FIELDS = ("description", "call_script")


def localized(record: dict, language: str | None) -> dict:
	"""The record with its descriptive texts in ``language`` when the app has them."""
	return {
		key: localized_text(value, language) if key in LOCALIZED_FIELDS else value
		for key, value in record.items()
	}


def localized_text(text, language: str | None):
	"""A shipped description or call script in ``language`` when the app has it; any other text
	(a consultant's own) as it is."""
	return LOCALIZED_TEXTS.get((language or "").split("-")[0], {}).get(text, text)
