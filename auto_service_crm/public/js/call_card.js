// The call card (screen pop) and the missed-call card, on every page of the desk.
// The server decides who sees what (auto_service_crm/telephony/screen_pop.py); this script draws it.
frappe.provide("auto_service_crm");

auto_service_crm.CallCards = class CallCards {
	constructor() {
		this.cards = {}; // one card per call (or per missed appeal), whatever arrives twice
		this.$stack = $('<div class="asc-call-cards"></div>').appendTo(document.body);
		frappe.realtime.on("auto_service_crm_call", (data) => this.on_call(data));
		frappe.realtime.on("auto_service_crm_missed_call", (data) => this.on_missed(data));
	}

	on_call(data) {
		const key = `call:${data.call}`;
		if (data.state === "closed") return this.close(key);
		const card = this.cards[key] || this.make_card(key, data);
		card.find(".asc-call-state").html(this.state_pill(data.state));
		if (data.state === "answered" && data.open && !card.data("opened")) {
			card.data("opened", true);
			frappe.set_route("Form", "Appeal", data.appeal);
		}
	}

	on_missed(data) {
		const key = `missed:${data.appeal}`;
		if (data.call) this.close(`call:${data.call}`);
		if (this.cards[key]) return;
		const card = this.make_card(key, data, true);
		const facts = [];
		if (data.wait_time) facts.push(__("Waited {0}", [this.duration(data.wait_time)]));
		if (data.loss_reason) facts.push(__("Lost: {0}", [__(data.loss_reason)]));
		card.find(".asc-call-details").html(
			facts.map((fact) => `<div>${frappe.utils.escape_html(fact)}</div>`).join("")
		);
	}

	make_card(key, data, missed = false) {
		const card = $(`
			<div class="asc-call-card frappe-card ${missed ? "asc-missed" : ""}">
				<div class="asc-call-head">
					<span class="asc-call-state"></span>
					<button class="btn btn-xs btn-link asc-call-dismiss" title="${__("Close")}">
						${frappe.utils.icon("close", "sm")}
					</button>
				</div>
				<div class="asc-call-phone"></div>
				<div class="asc-call-client text-muted"></div>
				<div class="asc-call-details"></div>
				<div class="asc-call-actions"></div>
			</div>`);
		card.find(".asc-call-phone").text(data.phone || __("Unknown number"));
		card.find(".asc-call-client").text(data.client_name || "");
		if (missed) card.find(".asc-call-state").html(this.state_pill("missed"));
		const actions = card.find(".asc-call-actions");
		if (missed) {
			$(`<button class="btn btn-primary btn-xs">${__("Call Back")}</button>`)
				.on("click", () => this.call_back(data.appeal, key))
				.appendTo(actions);
		}
		$(`<button class="btn btn-default btn-xs asc-open-appeal">${__("Open Appeal")}</button>`)
			.on("click", () => frappe.set_route("Form", "Appeal", data.appeal))
			.appendTo(actions);
		card.find(".asc-call-dismiss").on("click", () => this.close(key));
		card.attr("data-appeal", data.appeal).appendTo(this.$stack);
		this.cards[key] = card;
		if (!missed) this.fill_portrait(card, data.appeal);
		return card;
	}

	fill_portrait(card, appeal) {
		frappe
			.xcall("auto_service_crm.desk.client_portrait", { appeal })
			.then((portrait) => {
				const lines = [];
				if (portrait.customer) {
					card.find(".asc-call-client").text(
						[portrait.client_name, portrait.client_kind && __(portrait.client_kind)]
							.filter(Boolean)
							.join(" · ")
					);
				} else {
					lines.push(__("Client not found"));
				}
				for (const car of portrait.vehicles || []) {
					lines.push([car.title, car.license_plate].filter(Boolean).join(", "));
				}
				const requests = (portrait.service_requests || []).length;
				if (requests) lines.push(__("Open Service Requests: {0}", [requests]));
				const orders = (portrait.repair_orders || []).length;
				if (orders) lines.push(__("Open repair orders: {0}", [orders]));
				const last = (portrait.recent_appeals || [])[0];
				if (last) {
					lines.push(
						__("Last appeal: {0}", [
							[frappe.datetime.str_to_user(last.appeal_datetime), last.category && __(last.category)]
								.filter(Boolean)
								.join(", "),
						])
					);
				}
				card.find(".asc-call-details").html(
					lines.map((line) => `<div>${frappe.utils.escape_html(line)}</div>`).join("")
				);
			})
			.catch(() => {}); // the card still shows the number
	}

	call_back(appeal, key) {
		frappe.xcall("auto_service_crm.telephony.callback.call_client", { appeal }).then(() => {
			frappe.show_alert({ message: __("Calling: your phone rings first"), indicator: "green" });
			this.close(key);
		});
	}

	state_pill(state) {
		const [label, color] = {
			ringing: [__("Incoming Call"), "orange"],
			answered: [__("Talking"), "green"],
			missed: [__("Missed Call"), "red"],
		}[state] || [state, "gray"];
		return `<span class="indicator-pill ${color}">${label}</span>`;
	}

	duration(seconds) {
		const s = Math.round(seconds);
		return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
	}

	close(key) {
		const card = this.cards[key];
		if (!card) return;
		delete this.cards[key];
		card.remove();
	}
};

$(document).on("app_ready", () => {
	if (frappe.session.user !== "Guest" && !auto_service_crm.call_cards) {
		auto_service_crm.call_cards = new auto_service_crm.CallCards();
	}
});
