"""The report's arithmetic: Wilson intervals, small cells, weeks and rule version changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cds_service.cdshooks.feedback_report import cell, report_document, wilson_interval
from cds_service.cdshooks.feedback_report.chart_svg import weekly_chart
from cds_service.cdshooks.feedback_report.summary import CardOutcome, Rate, summarise

MONDAY = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [  # Newcombe (1998), Statistics in Medicine 17:857-872, table I, method 3 (Wilson score)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_published_values(
    successes: int, trials: int, low: float, high: float
) -> None:
    found = wilson_interval(successes, trials)
    assert found == pytest.approx((low, high), abs=5e-5)


def test_wilson_interval_refuses_impossible_counts() -> None:
    for successes, trials in ((1, 0), (-1, 5), (6, 5)):
        with pytest.raises(ValueError, match="successes"):
            wilson_interval(successes, trials)


def test_counts_of_one_to_four_are_shown_as_less_than_five() -> None:
    assert [cell(n) for n in (0, 1, 4, 5, 17)] == [0, "<5", "<5", 5, 17]
    assert Rate(3, 20).suppressed and Rate(5, 4).suppressed
    assert not Rate(0, 20).suppressed and not Rate(5, 20).suppressed


def outcome(week: int, disposition: str, version: str = "1.0.0") -> CardOutcome:
    return CardOutcome(
        finding_code="statin-and-hmgcr",
        rule_id="statin-and-hmgcr",
        rule_version=version,
        issued_at=MONDAY + timedelta(weeks=week, days=week % 3),
        disposition=disposition,
        accepted_labels=("Stop the statin",) if disposition == "accepted" else (),
        override_reason="data-outdated" if disposition == "overridden" else None,
    )


def test_weeks_in_between_are_kept_and_a_new_version_is_marked() -> None:
    outcomes = [outcome(0, "accepted")] * 6 + [outcome(3, "overridden", "1.1.0")] * 5
    report = summarise(
        outcomes, since=None, until=None, generated_at=MONDAY, unmatched={"unknown-card": 2}
    )
    points = report.weekly["statin-and-hmgcr"]
    assert [p.week for p in points] == [date(2026, 10, 5) + timedelta(weeks=i) for i in range(4)]
    assert [p.shown for p in points] == [6, 0, 0, 5]
    assert report.version_changes["statin-and-hmgcr"] == ((date(2026, 10, 26), "1.1.0"),)
    document = report_document(report)
    assert [(r["ruleVersion"], r["shown"]) for r in document["rows"]] == [
        ("1.0.0", 6),
        ("1.1.0", 5),
    ]
    assert document["unmatchedFeedback"] == {"unknown-card": 2}
    svg = weekly_chart("Statin", points, report.version_changes["statin-and-hmgcr"])
    assert svg.count('class="version-marker"') == 1 and "rule 1.1.0" in svg
    assert svg.count('class="acceptance-point"') == 2  # weeks 1 and 4; no point for empty weeks
    assert 'class="acceptance-line"' not in svg  # the empty weeks break the line


def test_every_card_counts_once() -> None:
    outcomes = (
        [outcome(0, "accepted")] * 7
        + [outcome(0, "overridden")] * 5
        + [outcome(0, "no-feedback")] * 9
    )
    (row,) = summarise(outcomes, since=None, until=None, generated_at=MONDAY, unmatched={}).rows
    assert (row.shown, row.accepted, row.overridden, row.no_feedback) == (21, 7, 5, 9)
    assert row.accepted_by_suggestion == {"Stop the statin": 7}
    assert row.overridden_by_reason == {"data-outdated": 5}
