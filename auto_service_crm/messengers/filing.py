"""A chat message filed: a Communication on the conversation's open Appeal, or on a new one; the screens
showing that appeal are told at once (the realtime event ``auto_service_crm_appeal_message``, which
public/js/appeal_chat.js listens to on the Appeal form)."""

import frappe

from auto_service_crm.intake.events import ChatMessage
from auto_service_crm.intake_filing import local_time, new_appeal
from auto_service_crm.intake_queue import holds_conversation
from auto_service_crm.locks import lock_client


def file_chat(message: ChatMessage) -> str:
	"""A chat message: to the conversation's open appeal, or a new one; always a Communication."""
	message_id = f"{message.platform}:{message.external_id}"
	existing = frappe.db.get_value("Communication", {"message_id": message_id}, "reference_name")
	if existing:
		return existing
	open_appeal = {
		"channel": "Chat",
		"chat_platform": message.platform,
		"conversation_id": message.conversation_id,
		"completed_on": ["is", "not set"],
	}
	appeal_name = frappe.db.get_value("Appeal", open_appeal, "name", order_by="creation desc")
	appeal = None  # the appeal's document, when this filing has it in hand
	if appeal_name and message.sender_phone:
		appeal = phone_shared(appeal_name, message.sender_phone)
	if not appeal_name and not holds_conversation(message.conversation_id):
		# A new conversation filed outside its thread's lock (a delivery of several conversations,
		# or filed in the request): its first messages arriving at once make one appeal (the second
		# waits for the first to commit, then its locking read sees the appeal the first made). One
		# new conversation at a time: two at once would lock the same gap of the conversation index
		# and deadlock on their inserts. Under the thread's lock (a filing job, or the webhook with
		# the queue's Redis down) the plain read above is the truth, and new chats are filed side
		# by side.
		lock_client("new chat conversation")
		appeal_name = frappe.db.get_value(
			"Appeal", open_appeal, "name", order_by="creation desc", for_update=True
		)
	if not appeal_name:
		appeal = new_appeal(
			channel="Chat",
			chat_platform=message.platform,
			conversation_id=message.conversation_id,
			appeal_datetime=local_time(message.sent_at),
			client_name=message.sender_name,
			phone=message.sender_phone,
			email=message.sender_email,
			client_comment=message.text,
		)
		appeal_name = appeal.name
	communication = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Chat",
			"sent_or_received": "Received",
			"subject": f"{message.platform}: {message.sender_name or message.conversation_id}",
			"content": frappe.utils.escape_html(message.text or ""),
			"sender_full_name": message.sender_name,
			"phone_no": message.sender_phone,
			"communication_date": local_time(message.sent_at),
			"reference_doctype": "Appeal",
			"reference_name": appeal_name,
			"message_id": message_id,
		}
	)
	if appeal:
		in_hand_for_communication(communication, appeal)
	communication.insert(ignore_permissions=True)
	announce(appeal_name, communication.name, "Received")
	return appeal_name


def in_hand_for_communication(communication, appeal) -> None:
	"""The appeal's document, current in this transaction, for Frappe's hooks of its new
	Communication, which would load it twice more: its parent (``frappe.core.utils.get_parent_doc``
	reads ``parent_doc``) and, for the comment count of the list, the document cache
	(``update_comments_in_parent`` reads its route through ``frappe.get_cached_value``). The
	document is put in this process's copy of the cache (``frappe.local.cache``), where that lookup
	keeps what it read, not in Redis, where another process would see an appeal not yet committed;
	it leaves it as Frappe's copy does: at the next write of the appeal, or when the transaction of
	its insert ends."""
	communication.parent_doc = appeal
	frappe.local.cache[frappe.cache.make_key(frappe.get_document_cache_key("Appeal", appeal.name))] = appeal


def announce(appeal: str, communication: str, sent_or_received: str) -> None:
	"""Tell the screens showing the appeal (its document room) that its conversation has a new message,
	received or sent, once the transaction that keeps it is committed."""
	frappe.publish_realtime(
		"auto_service_crm_appeal_message",
		{
			"appeal": appeal,
			"communication": communication,
			"sent_or_received": sent_or_received,
			"user": frappe.session.user,
		},
		doctype="Appeal",
		docname=appeal,
		after_commit=True,
	)


def phone_shared(appeal_name: str, phone: str):
	"""The client shared a phone later in the conversation: it identifies the client of the open
	appeal, unless the appeal already has a client, or this phone. The appeal's document."""
	appeal = frappe.get_doc("Appeal", appeal_name)
	if appeal.customer or appeal.phone == phone:
		return appeal
	appeal.phone = phone
	appeal.flags.phone_as_sent = True
	appeal.save(ignore_permissions=True)
	return appeal
