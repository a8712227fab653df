"""The Bot API methods a bot calls, over an in-memory Telegram: chats, messages, queries, updates.

State is guarded by one Condition, shared with the HTTP server's threads; long polling waits on it.
"""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

from emulator.files import FileStore
from emulator.rules import (
    CHAT_ACTIONS,
    ApiError,
    bad_request,
    check_callback_answer,
    check_commands,
    check_inline_button,
    check_inline_results,
    check_reply_markup,
    check_text_entities,
)

JSON = dict[str, Any]
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
CANT_INITIATE = "Forbidden: bot can't initiate conversation with a user"
NOT_A_MEMBER = ("left", "kicked")  # the bot's statuses in a group it cannot write to


class TelegramState:
    """What Telegram knows: the bot, its chats and their messages, the people it has seen and who of them
    opened a private chat, the bot's status in groups, files, pending updates and queries."""

    def __init__(self, bot_id: int, username: str) -> None:
        self.bot_user: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Chamber QA",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }
        self.cond = threading.Condition()
        self.closing = False
        self.chats: dict[int, JSON] = {}
        self.messages: dict[tuple[int, int], JSON] = {}
        self.html: dict[tuple[int, int], str | None] = {}  # the marked-up text a bot message was sent with
        self.message_ids: dict[int, itertools.count[int]] = {}
        self.pending: list[JSON] = []  # updates not yet confirmed by getUpdates' offset
        self.update_ids = itertools.count(1)
        self.callback_queries: dict[str, bool] = {}  # id -> answered
        self.callback_answers: dict[str, JSON] = {}  # id -> what answerCallbackQuery said
        self.users: dict[int, JSON] = {}  # every person seen in an update
        self.started: set[int] = set()  # users who have written to the bot in private
        self.bot_status: dict[int, str] = {}  # group id -> the bot's status there, once it changed
        self.files = FileStore()
        self.inline_queries: dict[str, bool] = {}
        self.commands: dict[str, list[JSON]] = {}  # language code ("" = default) -> menu
        self.webhook: JSON = {"url": "", "secret_token": None}

    # --- updates -------------------------------------------------------------------------------

    def deliver(self, kind: str, payload: JSON) -> JSON:
        """Make an update; queue it for getUpdates unless a webhook is set (the test posts it then).

        Its sender becomes known; a message in a private chat opens that chat for the bot to write in."""
        with self.cond:
            sender = payload.get("from") or {}
            if sender and not sender.get("is_bot"):
                self.users[sender["id"]] = sender
                if kind == "message" and payload["chat"]["type"] == "private":
                    self.started.add(sender["id"])
            update = {"update_id": next(self.update_ids), kind: payload}
            if not self.webhook["url"]:
                self.pending.append(update)
                self.cond.notify_all()
            return update

    def store(self, message: JSON) -> JSON:
        """Give a message the next id of its chat and keep it."""
        chat_id = message["chat"]["id"]
        with self.cond:
            self.chats.setdefault(chat_id, message["chat"])
            ids = self.message_ids.setdefault(chat_id, itertools.count(1))
            message = {"message_id": next(ids), "date": int(time.time()), **message}
            self.messages[chat_id, message["message_id"]] = message
            return message

    def new_query_id(self, table: dict[str, bool]) -> str:
        """Register a callback or inline query and return its id."""
        with self.cond:
            query_id = str(10_000 + len(self.callback_queries) + len(self.inline_queries))
            table[query_id] = False
            return query_id

    def close(self) -> None:
        """Wake every long poll so the server can stop."""
        with self.cond:
            self.closing = True
            self.cond.notify_all()

    # --- methods: getting updates ------------------------------------------------------------------

    def getme(self, params: JSON) -> JSON:
        return self.bot_user

    def getupdates(self, params: JSON) -> list[JSON]:
        offset, limit = int(params.get("offset") or 0), int(params.get("limit") or 100)
        with self.cond:
            if self.webhook["url"]:
                raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
            if offset > 0:  # confirm everything before offset
                self.pending = [u for u in self.pending if u["update_id"] >= offset]
            self.cond.wait_for(
                lambda: self.pending or self.closing, timeout=float(params.get("timeout") or 0)
            )
            return self.pending[:limit]

    def setwebhook(self, params: JSON) -> bool:
        if not params.get("url"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        with self.cond:
            self.webhook = {"url": params["url"], "secret_token": params.get("secret_token")}
        return True

    def deletewebhook(self, params: JSON) -> bool:
        with self.cond:
            self.webhook = {"url": "", "secret_token": None}
            if params.get("drop_pending_updates") in (True, "true", "True"):
                self.pending.clear()
        return True

    def getwebhookinfo(self, params: JSON) -> JSON:
        with self.cond:
            return {"url": self.webhook["url"], "has_custom_certificate": False, "pending_update_count": 0}

    # --- methods: sending ----------------------------------------------------------------------

    def _chat(self, chat_id: Any) -> JSON:
        try:
            return self.chats[int(chat_id)]
        except (KeyError, TypeError, ValueError):
            raise bad_request("chat not found") from None

    def _writable_chat(self, chat_id: Any) -> JSON:
        """Return a chat the bot may send to, or refuse as Telegram does: a person who never wrote to
        the bot in private cannot be written to first, nor a group the bot was removed from."""
        try:
            key = int(chat_id)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        with self.cond:
            chat = self.chats.get(key)
            private = chat["type"] == "private" if chat else key > 0
            if private and key not in self.started:
                if chat is None and key not in self.users:
                    raise bad_request("chat not found")
                raise ApiError(403, CANT_INITIATE)
            if chat is None:
                raise bad_request("chat not found")
            if self.bot_status.get(key) in NOT_A_MEMBER:
                raise ApiError(403, f"Forbidden: bot was kicked from the {chat['type']} chat")
            return chat

    def _reply_target(self, chat: JSON, reply: JSON | None) -> JSON | None:
        """Return the message replied to as a reply shows it: without its own reply_to_message."""
        if not reply:
            return None
        target = self.messages.get((chat["id"], int(reply["message_id"])))
        if target is None and not reply.get("allow_sending_without_reply"):
            raise bad_request("message to be replied not found")
        return None if target is None else {k: v for k, v in target.items() if k != "reply_to_message"}

    def sendmessage(self, params: JSON) -> JSON:
        chat = self._writable_chat(params.get("chat_id"))
        text = check_text_entities(params.get("text"), params.get("parse_mode"), params.get("entities"))
        check_reply_markup(params.get("reply_markup"))
        message: JSON = {"chat": chat, "from": self.bot_user, "text": text[0]}
        if text[1]:
            message["entities"] = text[1]
        if target := self._reply_target(chat, params.get("reply_parameters")):
            message["reply_to_message"] = target
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        message = self.store(message)
        self.html[chat["id"], message["message_id"]] = params.get("text")
        return dict(message)  # the message as sent: later edits must not rewrite this reply

    def editmessagetext(self, params: JSON) -> JSON | bool:
        plain, entities = check_text_entities(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        check_reply_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        key = (int(self._chat(params.get("chat_id"))["id"]), int(params.get("message_id") or 0))
        with self.cond:
            message = self.messages.get(key)
            if message is None:
                raise bad_request("message to edit not found")
            if message["from"]["id"] != self.bot_user["id"]:
                raise bad_request("message can't be edited")
            same = (self.html.get(key), message.get("reply_markup")) == (
                params["text"],
                params.get("reply_markup"),
            )
            if same:
                raise bad_request(NOT_MODIFIED)
            message.update(text=plain, edit_date=int(time.time()), reply_markup=params.get("reply_markup"))
            message.pop("entities", None)
            message.update({"entities": entities} if entities else {})
            self.html[key] = params["text"]
            return dict(message)  # the message as edited now: later edits must not rewrite this reply

    def sendchataction(self, params: JSON) -> bool:
        self._writable_chat(params.get("chat_id"))
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def setmycommands(self, params: JSON) -> bool:
        commands = params.get("commands") or []
        check_commands(commands)
        with self.cond:
            self.commands[params.get("language_code") or ""] = commands
        return True

    def getmycommands(self, params: JSON) -> list[JSON]:
        with self.cond:
            return self.commands.get(params.get("language_code") or "", [])

    def _answer_query(self, table: dict[str, bool], query_id: Any) -> None:
        with self.cond:
            if table.get(str(query_id)) is not False:
                raise bad_request("query is too old and response timeout expired or query ID is invalid")
            table[str(query_id)] = True

    def answercallbackquery(self, params: JSON) -> bool:
        check_callback_answer(params.get("text"), params.get("url"), self.bot_user["username"])
        self._answer_query(self.callback_queries, params.get("callback_query_id"))
        answer = {key: params[key] for key in ("text", "url") if key in params}
        if "show_alert" in params:  # form fields arrive as text, JSON bodies as values
            answer["show_alert"] = str(params["show_alert"]).lower() == "true"
        if "cache_time" in params:  # telegram-bot-api reads a malformed number as 0
            answer["cache_time"] = int(cache) if (cache := str(params["cache_time"])).isdigit() else 0
        with self.cond:
            self.callback_answers[str(params.get("callback_query_id"))] = answer
        return True

    def answerinlinequery(self, params: JSON) -> bool:
        check_inline_results(params.get("results") or [])
        check_inline_button(params.get("button"))
        self._answer_query(self.inline_queries, params.get("inline_query_id"))
        return True

    def logout(self, params: JSON) -> bool:
        return True

    def methods(self) -> dict[str, Any]:
        """Return the Bot API methods by lower-case name (Telegram's method names ignore case)."""
        names = ["getme", "getupdates", "setwebhook", "deletewebhook", "getwebhookinfo", "sendmessage"]
        names += ["editmessagetext", "sendchataction", "setmycommands", "getmycommands"]
        names += ["answercallbackquery", "answerinlinequery", "logout"]
        methods = {name: getattr(self, name) for name in names}
        return methods | {"close": self.logout, "getfile": self.files.getfile}
