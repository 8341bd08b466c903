"""2017 EULAR/ACR classification criteria for IIM: score and category (docs/clinical-logic.md,
"eular-acr-2017-classification-score").

Pure calculator. The weights come from the RMD Open rendering of Table 1 (the "no biopsy" and
"with biopsy" columns; one secondary page has them swapped and is not used). Only one age item
applies. Categories use the published score cut-offs only: the score-to-probability constants
are NOT VERIFIED (§3.6), so no probability is computed or shown.

The criteria classify patients for research; the engine uses the score only as supporting
evidence of diagnostic plausibility on ``reassess-diagnosis`` (§2.2), never to fire a card.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

REFERENCE_SECTION = "eular-acr-2017-classification-score"


class Item(StrEnum):
    AGE_ONSET_18_TO_40 = "age at onset >= 18 and < 40 years"
    AGE_ONSET_40_OR_MORE = "age at onset >= 40 years"
    PROXIMAL_WEAKNESS_UPPER = "symmetric proximal weakness, upper limbs"
    PROXIMAL_WEAKNESS_LOWER = "symmetric proximal weakness, lower limbs"
    NECK_FLEXORS_WEAKER = "neck flexors weaker than neck extensors"
    LEGS_PROXIMAL_WEAKER = "legs: proximal weaker than distal"
    HELIOTROPE_RASH = "heliotrope rash"
    GOTTRON_PAPULES = "Gottron's papules"
    GOTTRON_SIGN = "Gottron's sign"
    DYSPHAGIA = "dysphagia or oesophageal dysmotility"
    ANTI_JO1 = "anti-Jo-1 positive"
    ENZYME_ABOVE_ULN = "CK, LDH, AST or ALT above ULN"
    BIOPSY_ENDOMYSIAL_INFILTRATE = "biopsy: endomysial infiltrate around, not invading, fibres"
    BIOPSY_PERIMYSIAL_INFILTRATE = "biopsy: perimysial and/or perivascular infiltrate"
    BIOPSY_PERIFASCICULAR_ATROPHY = "biopsy: perifascicular atrophy"
    BIOPSY_RIMMED_VACUOLES = "biopsy: rimmed vacuoles"


# §3.6 Table: (points without biopsy, points with biopsy); None: not scored without biopsy.
WEIGHTS: dict[Item, tuple[float | None, float]] = {
    Item.AGE_ONSET_18_TO_40: (1.3, 1.5),
    Item.AGE_ONSET_40_OR_MORE: (2.1, 2.2),
    Item.PROXIMAL_WEAKNESS_UPPER: (0.7, 0.7),
    Item.PROXIMAL_WEAKNESS_LOWER: (0.8, 0.5),
    Item.NECK_FLEXORS_WEAKER: (1.9, 1.6),
    Item.LEGS_PROXIMAL_WEAKER: (0.9, 1.2),
    Item.HELIOTROPE_RASH: (3.1, 3.2),
    Item.GOTTRON_PAPULES: (2.1, 2.7),
    Item.GOTTRON_SIGN: (3.3, 3.7),
    Item.DYSPHAGIA: (0.7, 0.6),
    Item.ANTI_JO1: (3.9, 3.8),
    Item.ENZYME_ABOVE_ULN: (1.3, 1.4),
    Item.BIOPSY_ENDOMYSIAL_INFILTRATE: (None, 1.7),
    Item.BIOPSY_PERIMYSIAL_INFILTRATE: (None, 1.2),
    Item.BIOPSY_PERIFASCICULAR_ATROPHY: (None, 1.9),
    Item.BIOPSY_RIMMED_VACUOLES: (None, 3.1),
}

BIOPSY_ITEMS: frozenset[Item] = frozenset(
    {
        Item.BIOPSY_ENDOMYSIAL_INFILTRATE,
        Item.BIOPSY_PERIMYSIAL_INFILTRATE,
        Item.BIOPSY_PERIFASCICULAR_ATROPHY,
        Item.BIOPSY_RIMMED_VACUOLES,
    }
)


class Category(StrEnum):
    NOT_IIM = "not IIM by score"
    POSSIBLE = "possible IIM"
    PROBABLE = "probable IIM"
    DEFINITE = "definite IIM"


# §3.6 [S22c]: lower score bounds (inclusive) of possible, probable, definite.
CUT_OFFS: dict[bool, tuple[float, float, float]] = {
    False: (5.3, 5.5, 7.5),
    True: (6.5, 6.7, 8.7),
}


@dataclass(frozen=True, slots=True)
class ClassificationResult:
    score: float
    with_biopsy: bool
    category: Category
    items: tuple[Item, ...]

    @property
    def column(self) -> str:
        return "with biopsy" if self.with_biopsy else "without biopsy"


def age_item(age_at_onset: int | None) -> Item | None:
    """The one age item that applies (none below 18 or when onset age is unknown)."""
    if age_at_onset is None or age_at_onset < 18:
        return None
    return Item.AGE_ONSET_40_OR_MORE if age_at_onset >= 40 else Item.AGE_ONSET_18_TO_40


def category_for(score: float, with_biopsy: bool) -> Category:
    possible, probable, definite = CUT_OFFS[with_biopsy]
    value = round(score, 6)
    if value >= definite:
        return Category.DEFINITE
    if value >= probable:
        return Category.PROBABLE
    if value >= possible:
        return Category.POSSIBLE
    return Category.NOT_IIM


def classify(
    present: frozenset[Item] | set[Item],
    *,
    age_at_onset: int | None,
    with_biopsy: bool,
) -> ClassificationResult:
    """Score the present items; the age item is derived from ``age_at_onset`` only.

    Biopsy items count only in the with-biopsy column; passing one without a biopsy raises.
    """
    if not with_biopsy and present & BIOPSY_ITEMS:
        raise ValueError("biopsy items need the with-biopsy column")
    age_items = {Item.AGE_ONSET_18_TO_40, Item.AGE_ONSET_40_OR_MORE}
    items = set(present) - age_items
    age = age_item(age_at_onset)
    if age is not None:
        items.add(age)
    column = 1 if with_biopsy else 0
    score = 0.0
    for item in items:
        weight = WEIGHTS[item][column]
        if weight is not None:
            score += weight
    score = round(score, 6)
    ordered = tuple(i for i in Item if i in items)
    return ClassificationResult(
        score=score,
        with_biopsy=with_biopsy,
        category=category_for(score, with_biopsy),
        items=ordered,
    )
