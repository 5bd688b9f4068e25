"""Every instrument's score against hand-computed cases, every flag at its boundary (R18)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assessments.scoring import ItemsInvalid, chair_stand_norm_low, compute, responder

DN4_KEYS = [
    "burning",
    "painful_cold",
    "electric_shocks",
    "tingling",
    "pins_and_needles",
    "numbness",
    "itching",
    "hypoesthesia_touch",
    "hypoesthesia_pinprick",
    "brushing",
]


def dn4(yes: int) -> dict:
    return {key: index < yes for index, key in enumerate(DN4_KEYS)}


def mono(left=(True, True, True), right=(True, True, True)) -> dict:
    return {
        "left": dict(zip(("hallux", "met1", "met5"), left, strict=True)),
        "right": dict(zip(("hallux", "met1", "met5"), right, strict=True)),
    }


def test_nprs_score_is_the_pain_rating():
    result = compute("nprs", {"pain": 7})
    assert result.score == 7 and result.flags == {}


def test_psfs_score_is_the_mean_to_one_decimal():
    # (3 + 4 + 4) / 3 = 3.666... -> 3.7
    items = {
        "activities": [
            {"activity": "Walk to the mailbox", "rating": 3},
            {"activity": "Climb stairs", "rating": 4},
            {"activity": "Button a shirt", "rating": 4},
        ]
    }
    result = compute("psfs", items)
    assert result.score == Decimal("3.7") and result.flags == {}


def test_dn4_counts_yes_and_neuropathic_from_4():
    assert compute("dn4", dn4(3)).score == 3
    assert compute("dn4", dn4(3)).flags == {"neuropathic": False}
    assert compute("dn4", dn4(4)).flags == {"neuropathic": True}
    assert compute("dn4", dn4(10)).score == 10


@pytest.mark.parametrize(("seconds", "risk"), [(13.4, False), (13.5, True), ("13.45", True)])
def test_tug_fall_risk_from_13_5_seconds(seconds, risk):
    result = compute("tug", {"seconds": seconds})
    assert result.flags == {"fall_risk": risk}


def test_tug_keeps_one_decimal():
    assert compute("tug", {"seconds": 12.34}).score == Decimal("12.3")


def test_berg_sums_14_items_and_fall_risk_below_45():
    # 4 x 11 + 1 = 45; 4 x 11 + 0 = 44
    at_45 = [4] * 11 + [1, 0, 0]
    at_44 = [4] * 11 + [0, 0, 0]
    assert compute("berg", {"scores": at_45}).score == 45
    assert compute("berg", {"scores": at_45}).flags == {"fall_risk": False}
    assert compute("berg", {"scores": at_44}).flags == {"fall_risk": True}
    assert compute("berg", {"scores": [4] * 14}).score == 56


def test_chair_stand_below_the_rikli_jones_25th_percentile():
    # A 72-year-old woman: norm 10-15 (70-74 band).
    assert chair_stand_norm_low(age=72, sex="female") == 10
    assert compute("chair_stand_30s", {"stands": 9}, age=72, sex="female").flags == {
        "below_norm": True
    }
    assert compute("chair_stand_30s", {"stands": 10}, age=72, sex="female").flags == {
        "below_norm": False
    }
    # A 62-year-old man: norm 14-19.
    assert compute("chair_stand_30s", {"stands": 13}, age=62, sex="male").flags["below_norm"]
    assert not compute("chair_stand_30s", {"stands": 14}, age=62, sex="male").flags["below_norm"]


def test_chair_stand_without_a_norm_is_not_flagged():
    assert chair_stand_norm_low(age=45, sex="female") is None
    assert chair_stand_norm_low(age=70, sex="unknown") is None
    assert compute("chair_stand_30s", {"stands": 2}, age=70, sex="unknown").flags == {
        "below_norm": False
    }
    assert chair_stand_norm_low(age=99, sex="male") == 7  # the 90-94 band


def test_ten_metre_walk_score_is_speed_in_metres_per_second():
    # 10 / 8.0 = 1.25 m/s; 10 / 12.0 = 0.8333 -> 0.83
    assert compute("ten_metre_walk", {"seconds": 8}).score == Decimal("1.25")
    assert compute("ten_metre_walk", {"seconds": 12}).score == Decimal("0.83")
    assert compute("ten_metre_walk", {"seconds": 12}).flags == {}


def test_monofilament_counts_sites_felt_and_flags_each_foot():
    all_felt = compute("monofilament", mono())
    assert all_felt.score == 6
    assert all_felt.flags == {
        "loss_of_protective_sensation_left": False,
        "loss_of_protective_sensation_right": False,
    }
    left_hallux = compute("monofilament", mono(left=(False, True, True)))
    assert left_hallux.score == 5
    assert left_hallux.flags == {
        "loss_of_protective_sensation_left": True,
        "loss_of_protective_sensation_right": False,
    }
    right_met5 = compute("monofilament", mono(right=(True, True, False)))
    assert right_met5.flags["loss_of_protective_sensation_right"]
    assert not right_met5.flags["loss_of_protective_sensation_left"]


@pytest.mark.parametrize(("rating", "improved"), [(1, True), (2, True), (3, False), (7, False)])
def test_pgic_improved_at_2_or_less(rating, improved):
    assert compute("pgic", {"rating": rating}).flags == {"improved": improved}


@pytest.mark.parametrize(
    ("instrument", "items", "path"),
    [
        ("nprs", {"pain": 11}, "pain"),
        ("nprs", {"pain": 5, "mood": 3}, "mood"),
        ("nprs", {}, "pain"),
        ("tug", {"seconds": 0}, "seconds"),
        ("tug", {"seconds": 301}, "seconds"),
        ("tug", {"seconds": "fast"}, "seconds"),
        ("berg", {"scores": [4] * 13}, "scores"),
        ("berg", {"scores": [4] * 13 + [5]}, "scores"),
        ("dn4", {**dn4(2), "itching": "yes"}, "itching"),
        ("dn4", {k: v for k, v in dn4(2).items() if k != "brushing"}, "brushing"),
        ("chair_stand_30s", {"stands": 61}, "stands"),
        ("ten_metre_walk", {"seconds": 0.5}, "seconds"),
        ("pgic", {"rating": 0}, "rating"),
        ("psfs", {"activities": []}, "activities"),
        ("psfs", {"activities": [{"activity": "Walk", "rating": 11}]}, "activities"),
    ],
)
def test_bad_items_name_the_item(instrument, items, path):
    with pytest.raises(ItemsInvalid) as exc:
        compute(instrument, items)
    assert path in exc.value.item_errors


def test_bad_monofilament_site_is_named_under_its_foot():
    items = mono()
    items["left"]["met1"] = "no"
    del items["right"]["met5"]
    with pytest.raises(ItemsInvalid) as exc:
        compute("monofilament", items)
    assert set(exc.value.item_errors) == {"left", "right"}
    assert "met1" in exc.value.item_errors["left"]
    assert "met5" in exc.value.item_errors["right"]


def test_berg_names_the_bad_item_in_its_message():
    with pytest.raises(ItemsInvalid) as exc:
        compute("berg", {"scores": [4, 4, 4, 7, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4]})
    assert "Item 4 (Standing to sitting)" in exc.value.item_errors["scores"][0]


def test_responders_where_a_minimal_important_change_is_cited():
    d = Decimal
    assert responder("nprs", d(6), d(4)) is True  # 2 points
    assert responder("nprs", d(3), d(2)) is True  # 33 %
    assert responder("nprs", d(6), d(5)) is False
    assert responder("psfs", d("3.0"), d("5.0")) is True
    assert responder("psfs", d("3.0"), d("4.9")) is False
    assert responder("ten_metre_walk", d("0.80"), d("0.90")) is True
    assert responder("ten_metre_walk", d("0.80"), d("0.89")) is False
    assert responder("berg", d(40), d(50)) is None
    assert responder("tug", d("15.0"), d("11.0")) is None
