"""What a follow-up leans on, per chat and per answer message, kept in memory and forgotten after a while.

retrieval/ hands back a `Conversation` with every answer and takes it with the next question; the bot
decides whose next question that is. In a private chat it is the chat's next message. In a group the
members talk over each other, so a conversation goes on only through a reply to the bot's answer. Any
reply to an answer, in a private chat too, goes on from that answer, however old (within the expiry).

Privacy: the keys are salted hashes of chat and message ids (the salt is drawn at start and never
stored), the values are the questions as searched and the names their answers gave; nothing is written
to disk, and each entry is forgotten `seconds` after the answer that kept it.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from retrieval import Conversation

MAX_CONVERSATIONS = 20_000  # the oldest go first beyond this, whatever their age
CHAT = 0  # the message id standing for "the chat's latest answer" in a private chat


@dataclass
class Conversations:
    """Conversations by (chat, message), each forgotten `seconds` after it was kept; 0 keeps none."""

    seconds: float
    capacity: int = MAX_CONVERSATIONS
    clock: Callable[[], float] = time.monotonic
    _salt: bytes = field(default_factory=lambda: secrets.token_bytes(16))
    _kept: OrderedDict[str, tuple[float, Conversation]] = field(default_factory=OrderedDict)

    def _key(self, chat_id: int, message_id: int) -> str:
        return hashlib.blake2b(f"{chat_id}:{message_id}".encode(), key=self._salt, digest_size=12).hexdigest()

    def recall(self, chat_id: int, message_id: int = CHAT) -> Conversation | None:
        """Return the conversation kept for a chat (or for one answer message in it), if not expired."""
        key = self._key(chat_id, message_id)
        kept = self._kept.get(key)
        if kept is None:
            return None
        if self.clock() - kept[0] > self.seconds:
            del self._kept[key]
            return None
        return kept[1]

    def keep(self, conversation: Conversation | None, chat_id: int, *message_ids: int) -> None:
        """Keep a conversation under a chat and each of the given message ids (CHAT for the chat itself)."""
        if conversation is None or self.seconds <= 0:
            return
        now = self.clock()
        for message_id in message_ids:
            key = self._key(chat_id, message_id)
            self._kept[key] = (now, conversation)
            self._kept.move_to_end(key)
        self._forget_old(now)

    def _forget_old(self, now: float) -> None:
        """Drop expired entries from the oldest end, and any beyond capacity."""
        while self._kept:
            stamp, _ = next(iter(self._kept.values()))
            if now - stamp <= self.seconds and len(self._kept) <= self.capacity:
                return
            self._kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kept)
