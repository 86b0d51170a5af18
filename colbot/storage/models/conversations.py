"""Where each conversation is up to, kept in the database so any process can continue it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from colbot.storage.models.base import Base, UTCDateTime
from colbot.storage.models.personal_data import (
    Basis,
    Kept,
    Viewer,
    table_declaration,
)

_STATE = table_declaration(
    Basis.CONSENT, (Viewer.YOUNG_PERSON, Viewer.OPERATORS), Kept.CONVERSATION
)


class ConversationState(Base):
    """The flow and step a chat is in, plus the answers gathered so far."""

    __tablename__ = "conversation_states"

    channel: Mapped[str] = mapped_column(
        String(16), primary_key=True, info=_STATE.because("which app the chat is on")
    )
    chat_id: Mapped[str] = mapped_column(
        String(64), primary_key=True, info=_STATE.because("the chat to answer")
    )
    young_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("young_people.id", ondelete="CASCADE"),
        index=True,
        info=_STATE.because("whose chat this is"),
    )
    flow: Mapped[str | None] = mapped_column(
        String(64),
        info=_STATE.because("which questions they are answering, to carry on after a restart"),
    )
    step: Mapped[str | None] = mapped_column(
        String(64), info=_STATE.because("which question they are on")
    )
    answers: Mapped[dict[str, Any]] = mapped_column(
        JSON,
        default=dict,
        info=_STATE.because("answers given so far, kept until the questions are done"),
    )
    turn: Mapped[int] = mapped_column(
        Integer, default=0, info=_STATE.because("to ignore taps on old buttons")
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, info=_STATE.because("when the chat last moved on")
    )
