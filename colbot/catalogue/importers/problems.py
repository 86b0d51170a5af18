"""What is wrong with a file being imported, said precisely enough to go and fix it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in a file: a row (or item) and a column (or field).

    `where` names the row, like "line 3", "item 1234" or "event abc@example.org"; `column` names
    the column or field at fault, or is empty when the problem is with the row as a whole.
    """

    where: str
    column: str
    message: str

    def __str__(self) -> str:
        if not self.column:
            return f"{self.where}: {self.message}"
        return f"{self.where}, column {self.column}: {self.message}"


class ImportRefused(Exception):
    """A file was refused whole; `problems` lists everything wrong with it, in file order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        heading = f"{count} problem{'s' if count != 1 else ''}"
        super().__init__("\n".join([heading, *(str(p) for p in self.problems)]))
