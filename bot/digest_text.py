"""A weekly digest as text: reply keys (locales/<lang>/replies.yaml, digest_*) filled from domain.digest."""

from __future__ import annotations

from bot.conversation.reply import CategoryName, Line, render_line
from domain.digest import BillAhead, Digest, goal_share
from domain.goals import GoalStatus
from domain.results import BudgetStatus


def digest_lines(digest: Digest) -> tuple[Line, ...]:
    """The digest's lines in order; a part with nothing to say (no budget at risk, no goal) is left out."""
    week = digest.week
    lines = [Line("digest_title", {"start": week.start, "end": week.end}), _spent(digest)]
    if digest.top:
        lines.append(Line("digest_top_title"))
        lines += [
            Line("digest_category", {"category": CategoryName(row.category or "other"), "amount": row.total})
            for row in digest.top
        ]
    if digest.at_risk:
        lines.append(Line("digest_budgets_title"))
        lines += [_budget(status) for status in digest.at_risk]
    if digest.goals:
        lines.append(Line("digest_goals_title"))
        lines += [_goal(status) for status in digest.goals]
    if digest.bills:
        lines.append(Line("digest_bills_title"))
        lines += [_bill(bill) for bill in digest.bills]
    return tuple(lines)


def digest_text(digest: Digest, lang: str, locale: str) -> str:
    """The digest in `lang`, amounts and days formatted for `locale`."""
    return "\n".join(render_line(line, lang, locale) for line in digest_lines(digest))


def _spent(digest: Digest) -> Line:
    summary = digest.spending
    total, previous = summary.total, summary.previous_total
    if total.amount == 0:
        return Line("digest_spent_none", {"previous": previous})
    if summary.change is None:
        return Line("digest_spent_new", {"total": total})
    if summary.change == 0:
        return Line("digest_spent_same", {"total": total})
    key = "digest_spent_more" if summary.change > 0 else "digest_spent_less"
    return Line(key, {"total": total, "percent": abs(summary.change), "previous": previous})


def _budget(status: BudgetStatus) -> Line:
    values = {
        "category": CategoryName(status.budget.category),
        "spent": status.spent,
        "budget": status.budget.amount,
        "end": status.period.end,
    }
    if status.left.amount < 0:
        return Line("digest_budget_over", {**values, "over": -status.left})
    return Line("digest_budget_risk", {**values, "left": status.left_per_day})


def _goal(status: GoalStatus) -> Line:
    goal = status.goal
    if status.pace == "achieved":
        return Line("digest_goal_done", {"name": goal.name, "target": goal.target})
    values = {"name": goal.name, "saved": status.saved, "target": goal.target, "percent": goal_share(status)}
    return Line("digest_goal", values)


def _bill(bill: BillAhead) -> Line:
    name = bill.name if bill.name else CategoryName(bill.category) if bill.category else None
    if name is None:
        return Line("digest_bill_unnamed", {"day": bill.due, "amount": bill.amount})
    return Line("digest_bill", {"day": bill.due, "name": name, "amount": bill.amount})


__all__ = ["digest_lines", "digest_text"]
