"""Web chat messages kept until the page says it has them, so nothing is lost on a bad line."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from colbot.storage.models.base import Base, UTCDateTime
from colbot.storage.models.personal_data import (
    NOT_PERSONAL,
    Basis,
    Kept,
    Viewer,
    table_declaration,
)

# The channel name a web chat's young person is known by (ChannelIdentity.channel).
WEB_CHAT_CHANNEL = "webchat"


_TRANSCRIPT = table_declaration(
    Basis.CONSENT, (Viewer.YOUNG_PERSON, Viewer.OPERATORS), Kept.WEB_CHAT
)


class WebChatMessage(Base):
    """One message for a web chat device, numbered in order, deleted once acknowledged."""

    __tablename__ = "webchat_messages"
    # Numbers never come back after acknowledged rows are deleted, so pages can skip repeats.
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012

    id: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=True, info=NOT_PERSONAL
    )
    chat_id: Mapped[str] = mapped_column(
        String(64), index=True, info=_TRANSCRIPT.because("the web chat it is for")
    )
    payload: Mapped[dict[str, Any]] = mapped_column(
        JSON,
        info=_TRANSCRIPT.because(
            "a message colbot said in the web chat, until the page has shown it"
        ),
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, info=_TRANSCRIPT.because("when it was said")
    )


_INBOUND = table_declaration(Basis.CONSENT, (Viewer.YOUNG_PERSON, Viewer.OPERATORS), Kept.WEB_CHAT)


class WebChatInbound(Base):
    """The last message number the server took from each device, so resent messages count once."""

    __tablename__ = "webchat_inbound"

    chat_id: Mapped[str] = mapped_column(
        String(64), primary_key=True, info=_INBOUND.because("the web chat")
    )
    last_seq: Mapped[int] = mapped_column(
        Integer,
        default=0,
        info=_INBOUND.because("the last message taken, so a resent one counts once"),
    )


_DEVICE = table_declaration(Basis.CONSENT, (Viewer.YOUNG_PERSON, Viewer.OPERATORS), Kept.WEB_CHAT)


class WebChatDevice(Base):
    """Which chat a browser is, once it is no longer the one its own token names (after a move)."""

    __tablename__ = "webchat_devices"

    device: Mapped[str] = mapped_column(
        String(64),
        primary_key=True,
        info=_DEVICE.because("a random id for their browser (in a cookie)"),
    )
    chat_id: Mapped[str] = mapped_column(
        String(64), index=True, info=_DEVICE.because("the chat that browser carries on")
    )
    # Set when the conversation left for another browser: the old page is told once, then forgets.
    moved_away: Mapped[bool] = mapped_column(
        Boolean, default=False, info=_DEVICE.because("whether the chat moved to another browser")
    )


_MOVE = table_declaration(Basis.CONSENT, (Viewer.OPERATORS,), Kept.LINKS)


class WebChatMove(Base):
    """A live one-time code that moves a chat to another browser; deleted when used or replaced."""

    __tablename__ = "webchat_moves"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True, info=NOT_PERSONAL)
    chat_id: Mapped[str] = mapped_column(
        String(64),
        index=True,
        info=_MOVE.because("the chat a one-time move code carries to another browser"),
    )
    expires_at: Mapped[datetime] = mapped_column(
        UTCDateTime, info=_MOVE.because("when the code stops working")
    )


_MOVE_FAILURE = table_declaration(Basis.LEGITIMATE_INTERESTS, (Viewer.OPERATORS,), Kept.PROCESSING)


class WebChatMoveFailure(Base):
    """One wrong move code, counted per device and city-wide to stop guessing."""

    __tablename__ = "webchat_move_failures"

    id: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=True, info=NOT_PERSONAL
    )
    device: Mapped[str] = mapped_column(
        String(64),
        index=True,
        info=_MOVE_FAILURE.because("the browser that typed a wrong move code, to stop guessing"),
    )
    at: Mapped[datetime] = mapped_column(
        UTCDateTime, index=True, info=_MOVE_FAILURE.because("when, so old failures stop counting")
    )


_PUSH = table_declaration(Basis.CONSENT, (Viewer.OPERATORS,), Kept.PROFILE)


class WebPushSubscription(Base):
    """A browser's permission to be sent Web Push notifications for its chat (RFC 8030, 8291).

    The endpoint is a capability URL at the browser's push service; it is kept to send and
    deleted when the young person turns notifications off, deletes their data, or the push
    service says it has gone.
    """

    __tablename__ = "webpush_subscriptions"

    endpoint_hash: Mapped[str] = mapped_column(
        String(64), primary_key=True, info=_PUSH.because("to find the subscription again")
    )
    endpoint: Mapped[str] = mapped_column(
        Text,
        info=_PUSH.because(
            "the address at their browser's push service, only after they tap the button"
        ),
    )
    device: Mapped[str] = mapped_column(
        String(64), index=True, info=_PUSH.because("which browser asked")
    )
    chat_id: Mapped[str] = mapped_column(
        String(64), index=True, info=_PUSH.because("which chat it is for")
    )
    p256dh: Mapped[str] = mapped_column(
        String(128), info=_PUSH.because("the browser's key, so only it can read a notification")
    )
    auth: Mapped[str] = mapped_column(
        String(64), info=_PUSH.because("the browser's secret for the same")
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, info=_PUSH.because("when they turned notifications on")
    )


_FILE = table_declaration(Basis.CONSENT, (Viewer.YOUNG_PERSON, Viewer.OPERATORS), Kept.WEB_CHAT)


class WebChatFile(Base):
    """A picture or file sent to a web chat, kept so that a reload shows it again."""

    __tablename__ = "webchat_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info=NOT_PERSONAL)
    chat_id: Mapped[str] = mapped_column(
        String(64), index=True, info=_FILE.because("the web chat it was sent to")
    )
    token: Mapped[str] = mapped_column(
        String(64), unique=True, info=_FILE.because("the secret part of its link")
    )
    filename: Mapped[str] = mapped_column(
        String(200), info=_FILE.because("its name (such as the badge or /mydata file)")
    )
    mime_type: Mapped[str] = mapped_column(
        String(100), info=_FILE.because("what kind of file it is")
    )
    content: Mapped[bytes] = mapped_column(
        LargeBinary,
        info=_FILE.because("the picture or file colbot sent them (badges, QR codes, /mydata)"),
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, info=_FILE.because("when it was sent")
    )
