"""Every table colbot keeps, imported in one place so that metadata is complete."""

from colbot.storage.models.audit import AuditEntry, OutboxMessage
from colbot.storage.models.badges import IssuedBadge, Journey
from colbot.storage.models.base import Base, UTCDateTime
from colbot.storage.models.codes import CompletionCode, Redemption
from colbot.storage.models.conversations import ConversationState
from colbot.storage.models.dashboard import DashboardLink, DashboardSession, FunnelCount
from colbot.storage.models.opportunities import (
    CardShown,
    Dismissal,
    Feed,
    FeedItem,
    Opportunity,
    OpportunityPassion,
    Reminder,
    SavedItem,
)
from colbot.storage.models.partners import Partner, StaffInvite, StaffMember
from colbot.storage.models.pathways import PathwayFollow
from colbot.storage.models.people import (
    ChannelIdentity,
    Counter,
    YoungPerson,
    YoungPersonPassion,
)
from colbot.storage.models.processes import Lease, TelegramUpdate
from colbot.storage.models.team import CityAdmin, CityAdminInvite
from colbot.storage.models.wallet import WalletExchange
from colbot.storage.models.webchat import (
    WebChatDevice,
    WebChatFile,
    WebChatInbound,
    WebChatMessage,
    WebChatMove,
    WebChatMoveFailure,
    WebPushSubscription,
)

__all__ = [
    "AuditEntry",
    "Base",
    "CardShown",
    "ChannelIdentity",
    "CityAdmin",
    "CityAdminInvite",
    "CompletionCode",
    "ConversationState",
    "Counter",
    "DashboardLink",
    "DashboardSession",
    "Dismissal",
    "Feed",
    "FeedItem",
    "FunnelCount",
    "IssuedBadge",
    "Journey",
    "Lease",
    "Opportunity",
    "OpportunityPassion",
    "OutboxMessage",
    "Partner",
    "PathwayFollow",
    "Redemption",
    "Reminder",
    "SavedItem",
    "StaffInvite",
    "StaffMember",
    "TelegramUpdate",
    "UTCDateTime",
    "WalletExchange",
    "WebChatDevice",
    "WebChatFile",
    "WebChatInbound",
    "WebChatMessage",
    "WebChatMove",
    "WebChatMoveFailure",
    "WebPushSubscription",
    "YoungPerson",
    "YoungPersonPassion",
]
