// Copyright (c) 2026, auto_service_crm contributors
// For license information, please see license.txt

// The operator's window (seed 002): who calls, the client and the car, the portrait's summary, the
// category and its result beside «Done, close» at the top (a missed call's loss reason, waiting
// time and «Call back» above them); the client portrait, the call script, the search, the tasks
// and the event feed in Frappe's own tabs.

const DESK = "auto_service_crm.desk";
// the app's own result fields, out of sight beside the category unless a result asks for them;
// what else a result requires (any field of the Appeal) comes with the category's results
const REQUIRABLE = ["booking_time", "callback_at", "redirect_to", "result_reason", "items", "sales_order"];

frappe.ui.form.on("Appeal", {
	setup(frm) {
		frm.set_query("category", () => ({ filters: { show_in_list: 1 } }));
		frm.set_query("result", () => ({
			filters: { name: ["in", (frm.allowed_results || []).map((row) => row.result)] },
		}));
		frm.set_query("vehicle", () => ({ filters: frm.doc.customer ? { customer: frm.doc.customer } : {} }));
		frm.set_query("redirect_to", () => ({ filters: { enabled: 1, user_type: "System User" } }));
	},

	refresh(frm) {
		load_results(frm);
		if (frm.is_new()) {
			frm.page.set_title(__("New Appeal")); // Frappe's «New {0}» reads «Новый Обращение»
			return;
		}
		if (!frm.doc.completed_on) {
			frm.add_custom_button(__("Done, Close"), () => complete(frm)).addClass("btn-primary");
		}
		frm.add_custom_button(__("Find Client"), () => find_client(frm), __("Client"));
		if (!frm.doc.customer) {
			frm.add_custom_button(__("New Client with Car"), () => new_client_with_car(frm), __("Client"));
		}
		if (frm.doc.phone) {
			frm.add_custom_button(__("Call Back"), () => call_back(frm), __("Client"));
		}
		if (frm.doc.customer && frm.doc.phone) {
			frm.add_custom_button(
				__("Save Phone to Customer"),
				() =>
					frappe
						.xcall("auto_service_crm.identification.save_phone_to_customer", { appeal: frm.doc.name })
						.then(() => frm.reload_doc()),
				__("Client")
			);
		}
		render_portrait(frm);
		render_search(frm);
		render_tasks(frm);
		render_feed(frm);
	},

	call_back_now(frm) {
		call_back(frm);
	},

	category(frm) {
		frm.set_value("result", null);
		load_results(frm);
		// the chosen category's script at once, before the appeal is saved again
		if (frm.doc.category) {
			frappe
				.xcall(`${DESK}.call_script`, { category: frm.doc.category })
				.then((script) => show_script(frm, script));
		}
	},

	result(frm) {
		apply_requirements(frm);
	},

	work_types(frm) {
		// at once on the form what the server does on save (rules/work_type_comment.py): the chosen
		// work types' comment texts after the operator's words, each once
		const names = (frm.doc.work_types || []).map((row) => row.work_type).filter(Boolean);
		if (!names.length) return;
		frappe.db
			.get_list("Work Type", { filters: { name: ["in", names] }, fields: ["name", "comment_text"] })
			.then((types) => {
				const texts = Object.fromEntries(types.map((t) => [t.name, (t.comment_text || "").trim()]));
				let comment = (frm.doc.client_comment || "").trimEnd();
				for (const name of names) {
					const text = texts[name];
					if (text && !comment.includes(text)) comment = comment ? `${comment}\n${text}` : text;
				}
				if (comment !== (frm.doc.client_comment || "")) frm.set_value("client_comment", comment);
			});
	},
});

// ERPNext writes the SLA's headline in English, whatever the reader's language
// (erpnext/public/js/utils.js: set_time_to_resolve_and_response): on an appeal, the same line
// translated. (The form's dashboard is made before this script's events can wrap it.)
if (!frappe.ui.form.Dashboard.prototype.asc_translates_sla) {
	const set_headline_alert = frappe.ui.form.Dashboard.prototype.set_headline_alert;
	frappe.ui.form.Dashboard.prototype.asc_translates_sla = true;
	frappe.ui.form.Dashboard.prototype.set_headline_alert = function (html, ...rest) {
		const text = this.frm && this.frm.doctype === "Appeal" ? sla_headline(this.frm, html) : html;
		return set_headline_alert.call(this, text, ...rest);
	};
}

function sla_headline(frm, html) {
	if (typeof html !== "string") return html;
	if (html.includes("Time to Respond:")) {
		let shown;
		if (frm.doc.first_responded_on) {
			shown = frm.doc.first_responded_on <= frm.doc.response_by ? __("Fulfilled") : __("Failed");
		} else {
			const seconds = moment(frm.doc.response_by).diff(frappe.datetime.system_datetime(true)) / 1000;
			shown =
				seconds >= 44.5
					? frappe.utils.get_formatted_duration(Math.round(seconds / 60) * 60)
					: __("Failed");
		}
		html = html.replace(/Time to Respond: [^<]*/, frappe.utils.escape_html(__("Time to Respond: {0}", [shown])));
	}
	return html
		.replace("Service Level Agreement has been fulfilled", __("Service Level Agreement has been fulfilled"))
		.replace("Service Level Agreement Failed", __("Service Level Agreement Failed"));
}

function load_results(frm) {
	if (!frm.doc.category) {
		frm.allowed_results = [];
		apply_requirements(frm);
		return;
	}
	frappe.xcall(`${DESK}.category_results`, { category: frm.doc.category }).then((results) => {
		frm.allowed_results = results;
		apply_requirements(frm);
	});
}

function apply_requirements(frm) {
	const results = frm.allowed_results || [];
	const chosen = results.find((row) => row.result === frm.doc.result);
	const needed = chosen ? chosen.requires : [];
	// shown or hidden: every field a result of the category can require
	const toggled = [...new Set([...REQUIRABLE, ...results.flatMap((row) => row.requires)])];
	// beside the category, only what the chosen result asks for (or what is already filled in)
	toggled.forEach((field) => {
		if (!frm.fields_dict[field]) return;
		frm.toggle_reqd(field, needed.includes(field));
		const value = frm.doc[field];
		frm.toggle_display(field, needed.includes(field) || (Array.isArray(value) ? value.length : !!value));
	});
	frm.toggle_display("result", results.length > 0);
}

function call_back(frm) {
	// the PBX rings the operator's own line first, then the client; the outcome comes back as a call
	frappe.xcall("auto_service_crm.telephony.callback.call_client", { appeal: frm.doc.name }).then(() => {
		frappe.show_alert({ message: __("Calling: your phone rings first"), indicator: "green" });
		frm.reload_doc();
	});
}

function complete(frm) {
	const save = frm.is_dirty() ? frm.save() : Promise.resolve();
	save.then(() => frm.call("complete")).then(() => {
		frappe.show_alert({ message: __("The appeal is done"), indicator: "green" });
		frm.reload_doc();
	});
}

function search_clients(text, $found, pick) {
	return frappe.xcall("auto_service_crm.identification.search_clients", { text }).then((rows) => {
		$found.empty();
		if (!rows.length) $found.append(`<p class="text-muted">${__("Nobody found")}</p>`);
		rows.forEach((row) => {
			$(`<button class="btn btn-default btn-sm" style="margin: 2px"></button>`)
				.text(`${row.customer_name} (${row.matched_by.map((how) => __(how)).join(", ")})`)
				.on("click", () => pick(row))
				.appendTo($found);
		});
	});
}

function find_client(frm) {
	const dialog = new frappe.ui.Dialog({
		title: __("Find Client"),
		fields: [
			{ fieldname: "text", fieldtype: "Data", label: __("Name, Phone, License Plate or VIN"), reqd: 1 },
			{ fieldname: "found", fieldtype: "HTML" },
		],
		primary_action_label: __("Search"),
		primary_action({ text }) {
			search_clients(text, dialog.fields_dict.found.$wrapper, (row) => {
				frm.set_value("customer", row.customer);
				dialog.hide();
			});
		},
	});
	dialog.show();
}

function render_search(frm) {
	// the Search tab: the same search as «Find Client», without leaving the appeal
	const $wrapper = frm.get_field("search_html").$wrapper.empty();
	const $form = $(`<form class="form-inline" style="display: flex; gap: 8px; margin-bottom: 8px">
		<input type="text" class="form-control input-sm" style="max-width: 420px">
		<button type="submit" class="btn btn-default btn-sm"></button></form>`).appendTo($wrapper);
	$form.find("input").attr("placeholder", __("Name, Phone, License Plate or VIN"));
	$form.find("button").text(__("Search"));
	const $found = $("<div></div>").appendTo($wrapper);
	$form.on("submit", (event) => {
		event.preventDefault();
		const text = $form.find("input").val();
		if (text) search_clients(text, $found, (row) => frm.set_value("customer", row.customer));
	});
}

function new_client_with_car(frm) {
	frappe.prompt(
		[
			{ fieldname: "client_name", fieldtype: "Data", label: __("Client Name"), reqd: 1, default: frm.doc.client_name },
			{ fieldname: "vehicle_model", fieldtype: "Link", options: "Vehicle Model", label: __("Vehicle Model") },
			{ fieldname: "year", fieldtype: "Int", label: __("Year of Manufacture") },
			{ fieldname: "license_plate", fieldtype: "Data", label: __("License Plate") },
			{ fieldname: "vin", fieldtype: "Data", label: __("VIN") },
		],
		(values) =>
			frm.save().then(() =>
				frappe
					.xcall("auto_service_crm.identification.create_client_with_car", { appeal: frm.doc.name, ...values })
					.then(() => frm.reload_doc())
			),
		__("New Client with Car"),
		__("Create")
	);
}

function render_tasks(frm) {
	frappe.xcall(`${DESK}.task_tree`, { appeal: frm.doc.name }).then((tree) => {
		const task = (t) => `<li class="text-muted">${frappe.utils.escape_html(strip(t.description))} → ${t.allocated_to || ""}</li>`;
		const node = (n) =>
			`<li>${link(n.doctype, n.name, n.title || n.name)} · ${__(n.status || "")}` +
			`<ul>${(n.tasks || []).map(task).join("")}${(n.children || []).map(node).join("")}</ul></li>`;
		frm.get_field("task_tree_html").$wrapper.html(
			tree.length ? `<p class="text-muted">${__("Tasks and Processes")}</p><ul>${tree.map(node).join("")}</ul>` : ""
		);
	});
}

function strip(html) {
	return $("<div>").html(html || "").text();
}

function list_block(title, rows, render) {
	if (!rows || !rows.length) return "";
	const items = rows.map((row) => `<li>${render(row)}</li>`).join("");
	return `<p class="text-muted" style="margin: 8px 0 2px">${__(title)}</p><ul>${items}</ul>`;
}

function link(doctype, name, label) {
	const route = `/app/${frappe.router.slug(doctype)}/${encodeURIComponent(name)}`;
	return `<a href="${route}">${frappe.utils.escape_html(label || name)}</a>`;
}

function render_portrait(frm) {
	frappe.xcall(`${DESK}.client_portrait`, { appeal: frm.doc.name }).then((p) => {
		const esc = frappe.utils.escape_html;
		const who = p.customer ? link("Customer", p.customer, p.client_name) : esc(p.client_name || p.phone || "");
		const html =
			`<p><b>${who}</b> · ${__(p.client_kind || "Primary")}` +
			(p.identification ? ` · ${__(p.identification)}` : "") +
			`</p>` +
			list_block("Cars", p.vehicles, (v) =>
				[link("Customer Vehicle", v.name, v.title), v.year, v.current_mileage && __("{0} km", [v.current_mileage])]
					.filter(Boolean)
					.join(", ")
			) +
			list_block("Open Service Requests", p.service_requests, (r) =>
				`${link("Service Request", r.name)} ${__(r.kind)} · ${__(r.status)}`
			) +
			list_block("Repair Orders", p.repair_orders, (o) => `${link("Sales Order", o.name)} · ${__(o.status)}`) +
			list_block("Recommendations", p.recommendations, (r) => recommendation_line(frm, r)) +
			list_block("Recent Appeals", p.recent_appeals, (a) =>
				`${link("Appeal", a.name)} ${frappe.datetime.str_to_user(a.appeal_datetime)} · ${__(a.channel)}` +
				(a.category ? ` · ${__(a.category)}` : "")
			);
		const $portrait = frm.get_field("client_portrait").$wrapper.html(html);
		$portrait.find(".asc-book").on("click", (event) => book_recommendation(frm, $(event.currentTarget).data("name")));
		render_caller(frm, p);
		show_script(frm, p.call_script);
	});
}

// an open recommendation: the work, the car, when it is due (auto_service_crm/rules/recommendations.py)
// and «Book», which fills the appeal for the hand-off that creates the Service Request
function recommendation_line(frm, r) {
	const esc = frappe.utils.escape_html;
	const due = [
		r.due_mileage && __("at {0} km", [r.due_mileage]),
		r.due_date && __("by {0}", [frappe.datetime.str_to_user(r.due_date)]),
	].filter(Boolean);
	const indicator = { Overdue: "red", "Due Soon": "orange", Later: "blue" }[r.due] || "gray";
	const booking = r.appeal === frm.doc.name;
	return (
		`<span class="asc-recommendation" data-name="${esc(r.name)}">` +
		`${link("Service Recommendation", r.name, r.description)}` +
		(r.vehicle_title ? ` · ${esc(r.vehicle_title)}` : "") +
		(due.length ? ` · ${esc(due.join(", "))}` : "") +
		` <span class="indicator-pill ${indicator}">${esc(__(r.due))}</span>` +
		(frm.doc.completed_on
			? ""
			: booking
			? ` <span class="text-muted">${esc(__("Being booked by this appeal"))}</span>`
			: ` <button class="btn btn-xs btn-default asc-book" data-name="${esc(r.name)}">${__("Book")}</button>`) +
		`</span>`
	);
}

function book_recommendation(frm, name) {
	const book = () =>
		frappe
			.xcall("auto_service_crm.recommendations.book_from_appeal", { appeal: frm.doc.name, recommendation: name })
			.then(() => frm.reload_doc())
			.then(() =>
				frappe.show_alert({
					message: __("Set the visit time and press «Done, Close» to book the recommendation"),
					indicator: "blue",
				})
			);
	if (frm.is_dirty()) frm.save().then(book);
	else book();
}

function render_caller(frm, p) {
	// above the fold: the number as people write it, the client and the car, the portrait's summary
	const esc = frappe.utils.escape_html;
	const car = (p.vehicles || []).find((v) => v.name === frm.doc.vehicle) || (p.vehicles || [])[0];
	const model = frm.doc.vehicle_model && [frm.doc.vehicle_model, frm.doc.vehicle_year].filter(Boolean).join(", ");
	const summary = [
		p.customer ? __(p.client_kind || "Primary") : __(p.identification || "Not Found"),
		(p.service_requests || []).length && __("Open Service Requests: {0}", [p.service_requests.length]),
		(p.repair_orders || []).length && __("Open repair orders: {0}", [p.repair_orders.length]),
		(p.recent_appeals || []).length && __("Appeals before: {0}", [p.recent_appeals.length]),
	].filter(Boolean);
	frm.get_field("caller_html").$wrapper.html(`
		<div class="asc-caller">
			<div class="asc-caller-phone">${esc(frm.doc.phone_display || frm.doc.phone || __("Unknown number"))}</div>
			<div class="asc-caller-client">${
				p.customer ? link("Customer", p.customer, p.client_name) : esc(frm.doc.client_name || __("Client not found"))
			}</div>
			<div class="asc-caller-car text-muted">${
				car ? link("Customer Vehicle", car.name, [car.title, car.license_plate].filter(Boolean).join(", ")) : esc(model || "")
			}</div>
			<div class="asc-caller-summary text-muted">${summary.map(esc).join(" · ")}</div>
		</div>`);
}

function show_script(frm, script) {
	frm.get_field("call_script_html").$wrapper.html(
		script ? `<p class="text-muted">${__("Call Script")}</p>${script}` : ""
	);
}

function render_feed(frm) {
	frappe.xcall(`${DESK}.event_feed`, { appeal: frm.doc.name }).then((rows) => {
		const html = list_block("Every contact with the client, newest first", rows, (row) =>
			`${frappe.datetime.str_to_user(row.when)} · ${__(row.kind)} · ${__(row.channel || "")} · ` +
			`${link(row.doctype, row.name, row.name)} ${frappe.utils.escape_html(row.text || "")}` +
			(row.recording
				? ` <button class="btn btn-xs btn-default asc-play" data-call="${frappe.utils.escape_html(row.name)}">` +
				  `${__("Listen")}</button>`
				: "")
		);
		const $feed = frm.get_field("event_feed_html").$wrapper.html(html);
		$feed.find(".asc-play").on("click", (event) => play_recording($(event.currentTarget)));
	});
}

function play_recording($button) {
	// the link is asked for when played: the PBX's links expire
	frappe
		.xcall("auto_service_crm.telephony.recordings.recording_url", { call_log: $button.data("call") })
		.then((url) => {
			if (!url) return frappe.show_alert({ message: __("The call has no recording"), indicator: "orange" });
			const $audio = $('<audio controls autoplay style="display: block; margin-top: 4px"></audio>');
			$audio.attr("src", url);
			$button.replaceWith($audio);
		});
}

// for public/js/appeal_chat.js: a new message of the conversation redraws only the feed
frappe.provide("auto_service_crm.appeal");
auto_service_crm.appeal.render_feed = render_feed;
