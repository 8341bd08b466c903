"""2017 EULAR/ACR classification score (docs/clinical-logic.md), against hand working."""

from __future__ import annotations

import pytest

from cds_service.engine.classification_eular_acr import Category, Item, classify


def test_without_biopsy_probable() -> None:
    # Onset at 45 (>= 40: 2.1) + heliotrope rash 3.1 + proximal lower-limb weakness 0.8
    # + CK above ULN 1.3 = 7.3 -> >= 5.5 and < 7.5: probable (no-biopsy column).
    result = classify(
        {Item.HELIOTROPE_RASH, Item.PROXIMAL_WEAKNESS_LOWER, Item.ENZYME_ABOVE_ULN},
        age_at_onset=45,
        with_biopsy=False,
    )
    assert result.score == pytest.approx(7.3)
    assert result.category is Category.PROBABLE


def test_without_biopsy_definite() -> None:
    # As above plus Gottron's sign 3.3: 7.3 + 3.3 = 10.6 -> >= 7.5: definite.
    result = classify(
        {
            Item.HELIOTROPE_RASH,
            Item.PROXIMAL_WEAKNESS_LOWER,
            Item.ENZYME_ABOVE_ULN,
            Item.GOTTRON_SIGN,
        },
        age_at_onset=45,
        with_biopsy=False,
    )
    assert result.score == pytest.approx(10.6)
    assert result.category is Category.DEFINITE


def test_with_biopsy_column_uses_its_own_weights_and_cut_offs() -> None:
    # With biopsy: onset 45 -> 2.2; proximal upper 0.7; proximal lower 0.5; enzyme 1.4;
    # perimysial infiltrate 1.2 = 6.0 -> < 6.5: not IIM by score.
    items = {
        Item.PROXIMAL_WEAKNESS_UPPER,
        Item.PROXIMAL_WEAKNESS_LOWER,
        Item.ENZYME_ABOVE_ULN,
        Item.BIOPSY_PERIMYSIAL_INFILTRATE,
    }
    result = classify(items, age_at_onset=45, with_biopsy=True)
    assert result.score == pytest.approx(6.0)
    assert result.category is Category.NOT_IIM
    # Adding perifascicular atrophy 1.9: 7.9 -> >= 6.7 and < 8.7: probable.
    more = classify(items | {Item.BIOPSY_PERIFASCICULAR_ATROPHY}, age_at_onset=45, with_biopsy=True)
    assert more.score == pytest.approx(7.9)
    assert more.category is Category.PROBABLE


@pytest.mark.parametrize(
    ("items", "score", "category"),
    [
        # 1.3 (onset 30) + 3.1 heliotrope + 0.9 legs proximal > distal = 5.3: possible (edge)
        ({Item.HELIOTROPE_RASH, Item.LEGS_PROXIMAL_WEAKER}, 5.3, Category.POSSIBLE),
        # 1.3 + 3.3 Gottron's sign + 0.9 = 5.5: probable (edge)
        ({Item.GOTTRON_SIGN, Item.LEGS_PROXIMAL_WEAKER}, 5.5, Category.PROBABLE),
        # 1.3 + 3.9 anti-Jo-1 = 5.2: below 5.3, not IIM
        ({Item.ANTI_JO1}, 5.2, Category.NOT_IIM),
    ],
)
def test_category_edges_without_biopsy(items: set[Item], score: float, category: Category) -> None:
    result = classify(items, age_at_onset=30, with_biopsy=False)
    assert result.score == pytest.approx(score)
    assert result.category is category


@pytest.mark.parametrize(
    ("age", "points"), [(17, 0.0), (18, 1.3), (39, 1.3), (40, 2.1), (None, 0.0)]
)
def test_only_one_age_item_applies(age: int | None, points: float) -> None:
    result = classify(set(), age_at_onset=age, with_biopsy=False)
    assert result.score == pytest.approx(points)
    # A caller passing both age items still gets just the one derived from the age.
    both = classify(
        {Item.AGE_ONSET_18_TO_40, Item.AGE_ONSET_40_OR_MORE}, age_at_onset=age, with_biopsy=False
    )
    assert both.score == pytest.approx(points)


def test_biopsy_items_need_the_biopsy_column() -> None:
    with pytest.raises(ValueError, match="biopsy"):
        classify({Item.BIOPSY_RIMMED_VACUOLES}, age_at_onset=50, with_biopsy=False)


def test_no_probability_is_exposed() -> None:
    result = classify({Item.HELIOTROPE_RASH}, age_at_onset=50, with_biopsy=False)
    assert not any("probab" in name for name in dir(result))
