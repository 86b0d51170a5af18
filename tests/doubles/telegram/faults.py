"""Faults a test injects into the double: failed calls, slow calls, people who blocked the bot."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from http import HTTPStatus

from tests.doubles.telegram.people import Person
from tests.doubles.telegram.wire import ApiCall, ApiError

log = logging.getLogger(__name__)


@dataclass
class _Fault:
    method: str
    status: int
    description: str
    retry_after: int | None
    remaining: int
    chat_id: int | str | None

    def matches(self, method: str, chat_id: int | str | None) -> bool:
        if self.method not in ("*", method.lower()):
            return False
        return self.chat_id is None or self.chat_id == chat_id


@dataclass
class _Delay:
    seconds: float
    remaining: int | None


class FaultInjection:
    """The double's fault controls; state lives on the double (its _faults, _delays, _blocked)."""

    def fail_next(
        self,
        method: str,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        *,
        chat_id: int | str | None = None,
    ) -> None:
        """Makes the next `times` calls of a method ('*' for any) fail with this error."""
        if status == HTTPStatus.TOO_MANY_REQUESTS and retry_after is None:
            retry_after = 1
        if description is None:
            description = {
                400: "Bad Request",
                403: "Forbidden",
                429: f"Too Many Requests: retry after {retry_after}",
            }.get(status) or HTTPStatus(status).phrase
        self._faults.append(
            _Fault(method.lower(), status, description, retry_after, times, chat_id)
        )

    def delay(self, method: str, seconds: float, *, times: int | None = None) -> None:
        """Makes a method ('*' for any) answer `seconds` late; 0 seconds ends the delay."""
        if seconds <= 0:
            self._delays.pop(method.lower(), None)
        else:
            self._delays[method.lower()] = _Delay(seconds, times)

    def clear_faults(self) -> None:
        """Forgets every pending failure and delay."""
        self._faults.clear()
        self._delays.clear()

    def block(self, who: Person | int, *, notify: bool = False) -> None:
        """The person blocks the bot: sends to them now get 403; notify adds my_chat_member."""
        user_id = who.id if isinstance(who, Person) else who
        self._blocked.add(user_id)
        person = self._people.get(user_id)
        if notify and person is not None:
            self._membership_update(person, "member", {"status": "kicked", "until_date": 0})

    def unblock(self, who: Person | int, *, notify: bool = False) -> None:
        """The person unblocks (restarts) the bot."""
        user_id = who.id if isinstance(who, Person) else who
        self._blocked.discard(user_id)
        person = self._people.get(user_id)
        if notify and person is not None:
            self._membership_update(person, "kicked", {"status": "member"})

    @property
    def blocked(self) -> frozenset[int]:
        return frozenset(self._blocked)

    async def _slow_down(self, method: str) -> None:
        slow = self._delays.get(method.lower()) or self._delays.get("*")
        if slow is None:
            return
        if slow.remaining is not None:
            slow.remaining -= 1
            if slow.remaining <= 0:
                self._delays = {k: v for k, v in self._delays.items() if v is not slow}
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), slow.seconds)

    def _maybe_fail(self, method: str, call: ApiCall) -> None:
        for fault in self._faults:
            if fault.matches(method, call.chat_id):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                raise ApiError(fault.status, fault.description, retry_after=fault.retry_after)
