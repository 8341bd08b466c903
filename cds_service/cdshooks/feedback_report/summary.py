"""Counting issued cards by what became of them; rates with Wilson intervals; small cells.

Each issued card has one disposition: the last feedback item on it (by ``outcomeTimestamp``)
says ``accepted`` or ``overridden``; a card with no matched feedback is ``no feedback``. So
shown = accepted + overridden + no feedback, and the rates are shares of the cards shown.
Unmatched feedback never reaches these counts.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

MIN_CELL = 5  # counts of 1 to MIN_CELL - 1 cards are shown as "<5"
SUPPRESSED = f"<{MIN_CELL}"
Z_95 = 1.959963984540054  # two-sided 95 % normal quantile
ACCEPTED = "accepted"
OVERRIDDEN = "overridden"
NO_FEEDBACK = "no-feedback"
NO_REASON = "no reason given"

JsonObject = dict[str, Any]


@dataclass(frozen=True, slots=True)
class CardOutcome:
    """One issued card and what became of it."""

    finding_code: str
    rule_id: str
    rule_version: str
    issued_at: datetime
    disposition: str  # accepted, overridden or no-feedback
    accepted_labels: tuple[str, ...] = ()
    override_reason: str | None = None  # the reason's code (or display), NO_REASON if none
    commented: bool = False


@dataclass(frozen=True, slots=True)
class Rate:
    count: int
    total: int

    @property
    def value(self) -> float | None:
        return self.count / self.total if self.total else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.count, self.total) if self.total else None

    @property
    def suppressed(self) -> bool:
        """A rate would reveal a small count: shown only when both counts are 0 or >= 5."""
        return any(0 < n < MIN_CELL for n in (self.count, self.total))


@dataclass(frozen=True, slots=True)
class ReportRow:
    finding_code: str
    rule_version: str
    rule_ids: tuple[str, ...]
    shown: int
    accepted: int
    overridden: int
    no_feedback: int
    accepted_by_suggestion: Mapping[str, int]
    overridden_by_reason: Mapping[str, int]
    comments: int

    @property
    def acceptance(self) -> Rate:
        return Rate(self.accepted, self.shown)

    @property
    def override(self) -> Rate:
        return Rate(self.overridden, self.shown)


@dataclass(frozen=True, slots=True)
class WeekPoint:
    week: date  # the Monday the week starts on
    shown: int
    accepted: int
    overridden: int
    rule_versions: tuple[str, ...]

    @property
    def acceptance(self) -> Rate:
        return Rate(self.accepted, self.shown)

    @property
    def override(self) -> Rate:
        return Rate(self.overridden, self.shown)


@dataclass(frozen=True, slots=True)
class FeedbackReport:
    since: date | None
    until: date | None
    generated_at: datetime
    rows: tuple[ReportRow, ...]
    weekly: Mapping[str, tuple[WeekPoint, ...]]  # by finding code
    version_changes: Mapping[str, tuple[tuple[date, str], ...]]  # (week, new version)
    unmatched: Mapping[str, int] = field(default_factory=dict)  # by reason


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (95 % by default)."""
    if trials <= 0 or not 0 <= successes <= trials:
        raise ValueError("need 0 <= successes <= trials and trials > 0")
    p = successes / trials
    z2 = z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


def week_of(moment: datetime) -> date:
    day = moment.date()
    return day - timedelta(days=day.weekday())


def summarise(
    outcomes: Iterable[CardOutcome],
    *,
    since: date | None,
    until: date | None,
    generated_at: datetime,
    unmatched: Mapping[str, int],
) -> FeedbackReport:
    by_row: dict[tuple[str, str], list[CardOutcome]] = defaultdict(list)
    by_week: dict[str, dict[date, list[CardOutcome]]] = defaultdict(lambda: defaultdict(list))
    for outcome in outcomes:
        by_row[(outcome.finding_code, outcome.rule_version)].append(outcome)
        by_week[outcome.finding_code][week_of(outcome.issued_at)].append(outcome)
    rows = tuple(_row(code, version, cards) for (code, version), cards in sorted(by_row.items()))
    weekly = {code: _weeks(weeks) for code, weeks in sorted(by_week.items())}
    return FeedbackReport(
        since=since,
        until=until,
        generated_at=generated_at,
        rows=rows,
        weekly=weekly,
        version_changes={code: _version_changes(points) for code, points in weekly.items()},
        unmatched=dict(unmatched),
    )


def _row(code: str, version: str, cards: Sequence[CardOutcome]) -> ReportRow:
    dispositions = Counter(card.disposition for card in cards)
    labels: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for card in cards:
        if card.disposition == ACCEPTED:
            labels.update(card.accepted_labels)
        elif card.disposition == OVERRIDDEN:
            reasons[card.override_reason or NO_REASON] += 1
    return ReportRow(
        finding_code=code,
        rule_version=version,
        rule_ids=tuple(sorted({card.rule_id for card in cards})),
        shown=len(cards),
        accepted=dispositions[ACCEPTED],
        overridden=dispositions[OVERRIDDEN],
        no_feedback=dispositions[NO_FEEDBACK],
        accepted_by_suggestion=dict(sorted(labels.items())),
        overridden_by_reason=dict(sorted(reasons.items())),
        comments=sum(card.commented for card in cards),
    )


def _weeks(weeks: Mapping[date, Sequence[CardOutcome]]) -> tuple[WeekPoint, ...]:
    first, last = min(weeks), max(weeks)
    points = []
    week = first
    while week <= last:  # every week in between, empty ones too (gaps in the chart)
        cards = weeks.get(week, ())
        dispositions = Counter(card.disposition for card in cards)
        points.append(
            WeekPoint(
                week=week,
                shown=len(cards),
                accepted=dispositions[ACCEPTED],
                overridden=dispositions[OVERRIDDEN],
                rule_versions=tuple(sorted({card.rule_version for card in cards})),
            )
        )
        week += timedelta(days=7)
    return tuple(points)


def _version_changes(points: Sequence[WeekPoint]) -> tuple[tuple[date, str], ...]:
    """The weeks where a rule version is seen for the first time, after the first week."""
    seen: set[str] = set()
    changes: list[tuple[date, str]] = []
    for point in points:
        new = [version for version in point.rule_versions if version not in seen]
        if seen and new:
            changes.extend((point.week, version) for version in new)
        seen.update(point.rule_versions)
    return tuple(changes)


def cell(count: int) -> int | str:
    """A count as the report shows it: ``<5`` for 1 to 4 cards."""
    return SUPPRESSED if 0 < count < MIN_CELL else count


def rate_document(rate: Rate) -> JsonObject | str | None:
    if rate.total == 0:
        return None
    if rate.suppressed:
        return SUPPRESSED
    low, high = rate.interval or (0.0, 0.0)
    return {"rate": round(rate.value or 0.0, 4), "ci95": [round(low, 4), round(high, 4)]}


def report_document(report: FeedbackReport) -> JsonObject:
    """The report as JSON, small cells already shown as ``<5``."""
    return {
        "since": report.since.isoformat() if report.since else None,
        "until": report.until.isoformat() if report.until else None,
        "generatedAt": report.generated_at.isoformat(),
        "minimumCell": MIN_CELL,
        "rows": [
            {
                "findingCode": row.finding_code,
                "ruleVersion": row.rule_version,
                "ruleIds": list(row.rule_ids),
                "shown": cell(row.shown),
                "accepted": cell(row.accepted),
                "acceptedBySuggestion": {k: cell(v) for k, v in row.accepted_by_suggestion.items()},
                "overridden": cell(row.overridden),
                "overriddenByReason": {k: cell(v) for k, v in row.overridden_by_reason.items()},
                "comments": cell(row.comments),
                "noFeedback": cell(row.no_feedback),
                "acceptanceRate": rate_document(row.acceptance),
                "overrideRate": rate_document(row.override),
            }
            for row in report.rows
        ],
        "weekly": {
            code: [
                {
                    "week": point.week.isoformat(),
                    "shown": cell(point.shown),
                    "acceptanceRate": rate_document(point.acceptance),
                    "overrideRate": rate_document(point.override),
                    "ruleVersions": list(point.rule_versions),
                }
                for point in points
            ]
            for code, points in report.weekly.items()
        },
        "ruleVersionChanges": {
            code: [{"week": week.isoformat(), "ruleVersion": version} for week, version in changes]
            for code, changes in report.version_changes.items()
            if changes
        },
        # Unmatched items name no issued card, so no patient: their counts are exact.
        "unmatchedFeedback": dict(sorted(report.unmatched.items())),
    }
