"""Web chat messages kept until the page says it has them, so nothing is lost on a bad line."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from colbot.storage.models.base import Base, UTCDateTime

# The channel name a web chat's young person is known by (ChannelIdentity.channel).
WEB_CHAT_CHANNEL = "webchat"


class WebChatMessage(Base):
    """One message for a web chat device, numbered in order, deleted once acknowledged."""

    __tablename__ = "webchat_messages"
    # Numbers never come back after acknowledged rows are deleted, so pages can skip repeats.
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_id: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebChatInbound(Base):
    """The last message number the server took from each device, so resent messages count once."""

    __tablename__ = "webchat_inbound"

    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class WebChatDevice(Base):
    """Which chat a browser is, once it is no longer the one its own token names (after a move)."""

    __tablename__ = "webchat_devices"

    device: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), index=True)
    # Set when the conversation left for another browser: the old page is told once, then forgets.
    moved_away: Mapped[bool] = mapped_column(Boolean, default=False)


class WebChatMove(Base):
    """A live one-time code that moves a chat to another browser; deleted when used or replaced."""

    __tablename__ = "webchat_moves"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebChatMoveFailure(Base):
    """One wrong move code, counted per device and city-wide to stop guessing."""

    __tablename__ = "webchat_move_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class WebPushSubscription(Base):
    """A browser's permission to be sent Web Push notifications for its chat (RFC 8030, 8291).

    The endpoint is a capability URL at the browser's push service; it is kept to send and
    deleted when the young person turns notifications off, deletes their data, or the push
    service says it has gone.
    """

    __tablename__ = "webpush_subscriptions"

    endpoint_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    endpoint: Mapped[str] = mapped_column(Text)
    device: Mapped[str] = mapped_column(String(64), index=True)
    chat_id: Mapped[str] = mapped_column(String(64), index=True)
    p256dh: Mapped[str] = mapped_column(String(128))
    auth: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebChatFile(Base):
    """A picture or file sent to a web chat, kept so that a reload shows it again."""

    __tablename__ = "webchat_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    mime_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
