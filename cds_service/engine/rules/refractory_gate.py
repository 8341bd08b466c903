"""Rule refractory-gate (no card of its own: ``NOT_REFRACTORY_YET`` means no card).

When: the patient has had a glucocorticoid together with methotrexate or azathioprine — or,
      started directly on a later line, together with any second- or third-line agent — for at
      least ``refractory_weeks`` (overlapping periods; a tapering course is one exposure),
      symptoms persist (MMT-8/CMAS below the scale maximum, FI-2 below the patient's best, or
      active skin/lung disease), no line agent was started within ``stable_dose_weeks``, the
      last interval of complete core sets does not show at least minimal improvement on the
      2016 ACR/EULAR TIS, and the disease is not responding (MMT-8/CMAS up by at least
      ``responding_strength_percent`` of the scale maximum over the last
      ``responding_window_weeks`` on the current line).
Then: the disease is refractory to first line; ``escalate-*`` cards may follow (Step C).
      Refractory to second line likewise, with an agent of line 2 or later — or methotrexate
      together with azathioprine — given for ``refractory_second_line_weeks``
      (``refractory_second_line_weeks_imnm`` in IMNM); time on an agent the patient was
      started on directly counts towards that agent's trial.
Reference: docs/clinical-logic.md, "refractory-gate".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from cds_service.engine.activity import ActivityAssessment
from cds_service.engine.concepts import STRENGTH_SCALE_MAXIMUM
from cds_service.engine.date_arithmetic import longest, weeks_between
from cds_service.engine.evidence import (
    derived_evidence,
    measure_evidence,
    medication_evidence,
    number_text,
    span_evidence,
)
from cds_service.engine.findings import Evidence
from cds_service.engine.response_tis import TisResult
from cds_service.engine.therapy import FIRST_LINE_GLUCOCORTICOIDS, TherapyHistory, span_sources
from cds_service.engine.thresholds import Thresholds

RULE_ID = "refractory-gate"
RULE_VERSION = "1.2.0"
SECTION = "refractory-gate"


@dataclass(frozen=True, slots=True)
class RefractoryGate:
    first_line_long_enough: bool
    symptoms_persist: bool
    improving: bool
    recently_started: tuple[str, ...]
    refractory_to_first_line: bool
    refractory_to_second_line: bool
    first_line_evidence: tuple[Evidence, ...]
    second_line_evidence: tuple[Evidence, ...]
    response_evidence: tuple[Evidence, ...]
    not_refractory_reason: str

    @property
    def refractory(self) -> bool:
        """Refractory to first line, or to an agent of a later line."""
        return self.refractory_to_first_line or self.refractory_to_second_line


def evaluate_gate(
    therapy: TherapyHistory,
    activity: ActivityAssessment,
    response: TisResult | None,
    thresholds: Thresholds,
    today: date,
) -> RefractoryGate:
    long_enough = therapy.first_line_weeks >= thresholds.refractory_weeks
    first_line_evidence: tuple[Evidence, ...] = ()
    if therapy.first_line_period is not None:
        exposures = therapy.first_line_exposures
        first_span = therapy.first_line_period
        first_line_evidence = (
            span_evidence(
                _first_line_label(therapy),
                f"{number_text(round(therapy.first_line_weeks, 1))} weeks "
                f"(refractory from {thresholds.refractory_weeks})",
                first_span,
                span_sources(first_span, exposures, today),
            ),
            *(medication_evidence(e) for e in exposures),
        )

    recently_started = tuple(
        sorted(
            c.agent.value
            for c in therapy.courses
            if c.current
            and c.line is not None
            and c.current_period is not None
            and weeks_between(c.current_period.start, today) < thresholds.stable_dose_weeks
        )
    )
    responding = strength_response(therapy, activity, thresholds, today)
    improving = (response is not None and response.improved) or bool(responding)
    response_evidence = (
        *(() if response is None else (tis_evidence(response, activity),)),
        *responding,
    )

    second_line_evidence = tuple(
        e
        for course in therapy.later_line_failures
        if (span := longest(course.periods)) is not None
        for e in (
            span_evidence(
                f"Time on {course.label}",
                f"{number_text(round(course.longest_weeks, 1))} weeks "
                f"(refractory from {therapy.second_line_weeks_needed})",
                span,
                span_sources(span, course.exposures, today),
            ),
            *(medication_evidence(x) for x in course.exposures),
        )
    )
    judged = activity.symptoms_persist and not improving and not recently_started
    refractory_first = long_enough and judged
    refractory_second = bool(therapy.later_line_failures) and judged

    if not activity.symptoms_persist:
        reason = "no persistent symptom"
    elif responding:
        reason = "strength is improving on the current line"
    elif improving:
        reason = "at least minimal improvement on the TIS"
    elif recently_started:
        reason = "a line agent was started less than the stable-dose window ago"
    elif not long_enough:
        reason = "first-line therapy not yet given long enough"
    else:
        reason = ""
    return RefractoryGate(
        first_line_long_enough=long_enough,
        symptoms_persist=activity.symptoms_persist,
        improving=improving,
        recently_started=recently_started,
        refractory_to_first_line=refractory_first,
        refractory_to_second_line=refractory_second,
        first_line_evidence=first_line_evidence,
        second_line_evidence=second_line_evidence,
        response_evidence=response_evidence,
        not_refractory_reason=reason,
    )


def _first_line_label(therapy: TherapyHistory) -> str:
    partners = sorted(
        {e.agent.value for e in therapy.first_line_exposures}
        - {a.value for a in FIRST_LINE_GLUCOCORTICOIDS}
    )
    if not partners or set(partners) <= {"methotrexate", "azathioprine"}:
        return "Time on GC + MTX/AZA"
    return f"Time on GC + {' / '.join(partners)}"


def strength_response(
    therapy: TherapyHistory, activity: ActivityAssessment, thresholds: Thresholds, today: date
) -> tuple[Evidence, ...]:
    """Responding disease: the latest current MMT-8/CMAS is at least
    ``responding_strength_percent`` of the scale maximum above a reading of the last
    ``responding_window_weeks`` taken on the current line. Evidence rows when so, else ()."""
    scale = activity.strength_scale
    readings = [r for r in activity.strength_readings if r.number is not None]
    if scale is None or len(readings) < 2:
        return ()
    latest = readings[-1]
    since = today - timedelta(weeks=thresholds.responding_window_weeks)
    if latest.effective < today - timedelta(weeks=thresholds.fresh_labs_weeks):
        return ()
    line_start = therapy.current_line_start
    if line_start is not None:
        since = max(since, line_start)
    earlier = [r for r in readings[:-1] if since <= r.effective < latest.effective]
    if not earlier:
        return ()
    lowest = min(earlier, key=lambda r: (r.number or 0.0, r.effective))
    gain = (latest.number or 0.0) - (lowest.number or 0.0)
    maximum = STRENGTH_SCALE_MAXIMUM[scale]
    if gain < maximum * thresholds.responding_strength_percent / 100.0:
        return ()
    return (
        derived_evidence(
            "Strength improving on the current line",
            f"{number_text(lowest.number or 0.0)} to {number_text(latest.number or 0.0)} "
            f"of {number_text(maximum)} (+{number_text(round(gain / maximum * 100, 1))}% of "
            f"the scale)",
            latest.source.reference,
            latest.effective,
        ),
        measure_evidence(lowest),
        measure_evidence(latest),
    )


def tis_evidence(response: TisResult, activity: ActivityAssessment) -> Evidence:
    when = response.follow_up_day
    reference = (
        activity.strength_readings[-1].source.reference if activity.strength_readings else ""
    )
    span = ""
    if response.baseline_day is not None and response.follow_up_day is not None:
        span = f" ({response.baseline_day.isoformat()} to {response.follow_up_day.isoformat()})"
    return derived_evidence(
        "Total Improvement Score (2016 ACR/EULAR)",
        f"{number_text(response.total)}: {response.response.value}, "
        f"{response.population.value} thresholds{span}",
        reference,
        when,
    )
