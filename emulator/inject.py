"""What people do on the test's Telegram, delivered to the bot as updates: messages, files, edits,
button presses, inline queries, adding the bot to a group and removing it.
"""

from __future__ import annotations

import copy
import mimetypes
import time
from typing import Any

from emulator.api import JSON, TelegramState
from emulator.wire import entities

BOT_USER_FIELDS = ("id", "is_bot", "first_name", "username")  # the bot as others see it (not getMe's extras)


class UpdateInjector:
    """The test's hands on Telegram; BotApiEmulator mixes this in."""

    telegram: TelegramState

    # --- users and chats ---------------------------------------------------------------------

    @staticmethod
    def user(user_id: int, first_name: str = "Reader", language_code: str = "zh-hans") -> JSON:
        """Return a User object for a person talking to the bot."""
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language_code}

    @staticmethod
    def private_chat(user: JSON) -> JSON:
        """Return the private Chat of a user with the bot."""
        return {"id": user["id"], "type": "private", "first_name": user["first_name"]}

    @staticmethod
    def group_chat(chat_id: int, title: str = "许昌商会群") -> JSON:
        """Return a supergroup Chat (ids of groups are negative)."""
        return {"id": chat_id, "type": "supergroup", "title": title}

    def open_private(self, user: JSON) -> JSON:
        """Let the bot write to a user as if they had started it earlier, delivering no update; return
        the private chat. (Any message a user sends in private does this too.)"""
        chat = self.private_chat(user)
        with self.telegram.cond:
            self.telegram.users[user["id"]] = user
            self.telegram.started.add(user["id"])
            self.telegram.chats.setdefault(chat["id"], chat)
        return chat

    # --- messages ----------------------------------------------------------------------------

    def send(self, chat: JSON, user: JSON, reply_to: JSON | None = None, **content: Any) -> JSON:
        """Deliver a new message with the given content (text=…, sticker=…, photo=…) as an update."""
        message: JSON = {"chat": chat, "from": user, **content}
        if "text" in content and (found := entities(content["text"])):
            message["entities"] = found
        if "caption" in content and (found := entities(content["caption"])):
            message["caption_entities"] = found
        if reply_to is not None:
            message["reply_to_message"] = {k: v for k, v in reply_to.items() if k != "reply_to_message"}
        return self.telegram.deliver("message", self.telegram.store(message))

    def send_text(self, chat: JSON, user: JSON, text: str, reply_to: JSON | None = None) -> JSON:
        """Deliver a text message."""
        return self.send(chat, user, reply_to=reply_to, text=text)

    def send_sticker(self, chat: JSON, user: JSON) -> JSON:
        """Deliver a sticker."""
        sticker = {
            "file_id": "STK1",
            "file_unique_id": "stk1",
            "type": "regular",
            "width": 512,
            "height": 512,
        }
        return self.send(chat, user, sticker={**sticker, "is_animated": False, "is_video": False})

    def send_photo(self, chat: JSON, user: JSON, caption: str | None = None) -> JSON:
        """Deliver a photo (with an optional caption)."""
        sizes = [{"file_id": "PH1", "file_unique_id": "ph1", "width": 90, "height": 60}]
        return self.send(chat, user, photo=sizes, **({"caption": caption} if caption else {}))

    def send_voice(self, chat: JSON, user: JSON) -> JSON:
        """Deliver a voice message."""
        return self.send(chat, user, voice={"file_id": "VO1", "file_unique_id": "vo1", "duration": 3})

    def send_document(
        self,
        chat: JSON,
        user: JSON,
        file_name: str = "a.pdf",
        content: bytes = b"%PDF-1.4\n%%EOF\n",
        caption: str | None = None,
        mime_type: str | None = None,
    ) -> JSON:
        """Deliver a file; its bytes are kept under a new file_id that getFile and the download serve.
        The MIME type is guessed from the name unless given."""
        stored = self.telegram.files.add(content, "documents", file_name)
        mime = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        document = {"file_name": file_name, "mime_type": mime, **stored.as_json(with_path=False)}
        return self.send(chat, user, document=document, **({"caption": caption} if caption else {}))

    def edit_text(self, message: JSON, text: str) -> JSON:
        """Deliver an edit of a user's earlier message as an edited_message update."""
        edited = {**message, "text": text, "edit_date": message["date"] + 5, "entities": entities(text)}
        with self.telegram.cond:
            self.telegram.messages[message["chat"]["id"], message["message_id"]] = edited
        return self.telegram.deliver("edited_message", edited)

    # --- queries -----------------------------------------------------------------------------

    def press_button(self, message: JSON, data: str, user: JSON) -> JSON:
        """Deliver a press on an inline button of a bot message: the message as it is now (edits,
        entities, the reply_to_message it answers), copied as Telegram sends it at that moment."""
        with self.telegram.cond:
            current = copy.deepcopy(self.telegram.messages[message["chat"]["id"], message["message_id"]])
        query_id = self.telegram.new_query_id(self.telegram.callback_queries)
        query = {"id": query_id, "from": user, "chat_instance": str(current["chat"]["id"]), "data": data}
        return self.telegram.deliver("callback_query", {**query, "message": current})

    def inline_query(self, user: JSON, query: str) -> JSON:
        """Deliver an inline query (`@bot query` typed in any chat)."""
        query_id = self.telegram.new_query_id(self.telegram.inline_queries)
        return self.telegram.deliver(
            "inline_query", {"id": query_id, "from": user, "query": query, "offset": ""}
        )

    # --- the bot's membership of groups -------------------------------------------------------

    def add_to_group(self, chat: JSON, by_user: JSON) -> list[JSON]:
        """Deliver what Telegram sends when a user adds the bot to a group: a my_chat_member update
        (left -> member), then the service message with new_chat_members. Return both updates."""
        bot = {key: self.telegram.bot_user[key] for key in BOT_USER_FIELDS}
        return self._membership(chat, by_user, {"status": "member"}, {"new_chat_members": [bot]})

    def remove_from_group(self, chat: JSON, by_user: JSON) -> list[JSON]:
        """Deliver what Telegram sends when a user removes the bot from a group: a my_chat_member update
        (member -> kicked: a removed member is banned, until_date 0 = for ever), then the service
        message with left_chat_member. From then on, sending there fails with 403."""
        bot = {key: self.telegram.bot_user[key] for key in BOT_USER_FIELDS}
        removed = {"status": "kicked", "until_date": 0}
        return self._membership(chat, by_user, removed, {"left_chat_member": bot})

    def _membership(self, chat: JSON, by_user: JSON, new: JSON, service: JSON) -> list[JSON]:
        bot = {key: self.telegram.bot_user[key] for key in BOT_USER_FIELDS}
        with self.telegram.cond:
            old_status = self.telegram.bot_status.get(chat["id"], "left")
            self.telegram.bot_status[chat["id"]] = new["status"]
        old = {"status": old_status} | ({"until_date": 0} if old_status == "kicked" else {})
        change = {
            "chat": chat,
            "from": by_user,
            "date": int(time.time()),
            "old_chat_member": {"user": bot, **old},
            "new_chat_member": {"user": bot, **new},
        }
        return [self.telegram.deliver("my_chat_member", change), self.send(chat, by_user, **service)]
