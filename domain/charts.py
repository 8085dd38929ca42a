"""Charts as data: what a spending picture shows, in the reader's words, and the port that draws it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, TypeVar

MAX_BARS = 8
"""Most bars a category chart shows; the rest is folded into one bar ("Other"), so each stays readable."""

Length = Decimal | float
"""A bar's length: only its size relative to the others matters, never shown as money."""


@dataclass(frozen=True, slots=True)
class CategoryChart:
    """Spending by category in one period: one horizontal bar per category, largest first."""

    title: str
    """In the reader's language ("Spending in December 2026")."""
    subtitle: str
    """A second, smaller line ("Total: $1,234.56")."""
    labels: tuple[str, ...]
    """Category names in the reader's language, one per bar."""
    values: tuple[Length, ...]
    """Bar lengths, in the same order as `labels`."""
    value_labels: tuple[str, ...]
    """Each bar's amount already formatted for the reader's locale ("R$ 1.234,56")."""

    def __post_init__(self) -> None:
        if not len(self.labels) == len(self.values) == len(self.value_labels):
            raise ValueError("labels, values and value_labels must have one entry per bar")
        if not self.labels or len(self.labels) > MAX_BARS:
            raise ValueError(
                f"a category chart has 1 to {MAX_BARS} bars (fold the rest with largest_with_rest)"
            )


@dataclass(frozen=True, slots=True)
class MonthlyChart:
    """Spending per month, oldest first, with the monthly budget as a reference line when there is one."""

    title: str
    subtitle: str
    months: tuple[str, ...]
    """Month names in the reader's language ("jul.", "ago."), one per bar, oldest first."""
    values: tuple[Length, ...]
    value_labels: tuple[str, ...]
    """Each month's amount formatted for the reader's locale."""
    budget: Length | None = None
    """The monthly budget in the same unit as `values`; None draws no line."""
    budget_label: str = ""
    """The line's label, formatted ("Budget $1,500.00")."""

    def __post_init__(self) -> None:
        if not self.months or not len(self.months) == len(self.values) == len(self.value_labels):
            raise ValueError("months, values and value_labels must have one entry per bar")


Chart = CategoryChart | MonthlyChart


class ChartRenderer(Protocol):
    """Draws a chart to a PNG without blocking the caller's event loop (adapters.charts.ChartRenderer)."""

    async def render(self, chart: Chart) -> bytes: ...


T = TypeVar("T")
L = TypeVar("L")


def largest_with_rest(
    rows: Sequence[tuple[L, T]],
    rest: L,
    add: Callable[[T, T], T],
    size: Callable[[T], Decimal],
    limit: int = MAX_BARS,
) -> list[tuple[L, T]]:
    """`rows` largest first (a stable sort: equal sizes keep their order); past `limit`, the smallest are
    added into one last row named `rest`. The caller folds before formatting, as only it knows the locale."""
    ordered = sorted(rows, key=lambda row: -size(row[1]))
    if len(ordered) <= limit:
        return ordered
    kept, folded = ordered[: limit - 1], ordered[limit - 1 :]
    total = folded[0][1]
    for _, value in folded[1:]:
        total = add(total, value)
    return [*kept, (rest, total)]


__all__ = ["MAX_BARS", "CategoryChart", "Chart", "ChartRenderer", "MonthlyChart", "largest_with_rest"]
