"""What handlers hand to bot/line: plain data, no SDK types."""
from __future__ import annotations

from dataclasses import dataclass, field

MAX_TEXT = 5000          # UTF-16 units per text message
MAX_MESSAGES = 5         # per reply/push request
MAX_QUICK_REPLIES = 13


@dataclass(frozen=True)
class QuickReply:
    label: str                     # ≤ 20 characters
    text: str | None = None        # a message action: sends this text
    data: str | None = None        # a postback action: sends this data


@dataclass(frozen=True)
class Flex:
    alt_text: str                  # ≤ 400 characters, shown in notifications and old clients
    contents: dict                 # a bubble or carousel


@dataclass
class Reply:
    texts: list[str] = field(default_factory=list)
    flex: list[Flex] = field(default_factory=list)
    quick_replies: list[QuickReply] = field(default_factory=list)
    quote_token: str | None = None     # quote the message answered (groups): set by the service
    notices: list[str] = field(default_factory=list)  # carried news for the chat, sent last

    @classmethod
    def text(cls, *texts: str, quick_replies: list[QuickReply] | None = None) -> "Reply":
        return cls(texts=[t for t in texts if t], quick_replies=list(quick_replies or []))

    @property
    def plain(self) -> str:
        """Everything a reader would see, as text (for the terminal chat and logs)."""
        return "\n\n".join(self.texts + [f.alt_text for f in self.flex] + self.notices)


QUOTE_LEAD = "คำตอบครับ 👇"   # a text to carry the quote when the answer is a Flex card only


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """Cut to LINE's limit counted in UTF-16 code units."""
    if len(text.encode("utf-16-le")) // 2 <= limit:
        return text
    out, used = [], 0
    for ch in text:
        w = 2 if ord(ch) > 0xFFFF else 1
        if used + w > limit - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"
