"""Scoring and flags of every instrument (R18): the one place the server computes them.

`compute(instrument, items, age=, sex=)` checks the items against the exact
shapes of the contract, and returns the normalised items, the score and the
flags. Bad items raise `ItemsInvalid`, whose `item_errors` name each item
(the API answers `{"items": {"<item>": ["..."]}}`; pages show them per item).
Thresholds and their sources live in `clinic.clinical`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from clinic import clinical


class Instrument(models.TextChoices):
    NPRS = "nprs", "Numeric pain rating (NPRS)"
    PSFS = "psfs", "Patient-specific functional scale (PSFS)"
    DN4 = "dn4", "DN4 neuropathic pain questionnaire"
    TUG = "tug", "Timed Up and Go (TUG)"
    BERG = "berg", "Berg Balance Scale"
    CHAIR_STAND_30S = "chair_stand_30s", "30-second chair stand"
    TEN_METRE_WALK = "ten_metre_walk", "10-metre walk"
    MONOFILAMENT = "monofilament", "10 g monofilament"
    PGIC = "pgic", "Patient global impression of change (PGIC)"


DN4_ITEMS: tuple[tuple[str, str], ...] = (
    # Interview (the patient answers)
    ("burning", "Burning"),
    ("painful_cold", "Painful cold"),
    ("electric_shocks", "Electric shocks"),
    ("tingling", "Tingling"),
    ("pins_and_needles", "Pins and needles"),
    ("numbness", "Numbness"),
    ("itching", "Itching"),
    # Examination (the therapist tests the painful area)
    ("hypoesthesia_touch", "Hypoesthesia to touch"),
    ("hypoesthesia_pinprick", "Hypoesthesia to pinprick"),
    ("brushing", "Pain caused or increased by brushing"),
)
DN4_INTERVIEW_KEYS = tuple(k for k, _ in DN4_ITEMS[:7])
DN4_EXAM_KEYS = tuple(k for k, _ in DN4_ITEMS[7:])

BERG_ITEMS: tuple[str, ...] = (
    "Sitting to standing",
    "Standing unsupported",
    "Sitting unsupported",
    "Standing to sitting",
    "Transfers",
    "Standing with eyes closed",
    "Standing with feet together",
    "Reaching forward with outstretched arm",
    "Retrieving an object from the floor",
    "Turning to look behind",
    "Turning 360 degrees",
    "Placing alternate foot on a stool",
    "Standing with one foot in front",
    "Standing on one leg",
)

MONOFILAMENT_SITES: tuple[tuple[str, str], ...] = (
    ("hallux", "Hallux (big toe)"),
    ("met1", "1st metatarsal head"),
    ("met5", "5th metatarsal head"),
)
FEET = ("left", "right")

PGIC_CHOICES: tuple[tuple[int, str], ...] = (
    (1, "Very much improved"),
    (2, "Much improved"),
    (3, "Minimally improved"),
    (4, "No change"),
    (5, "Minimally worse"),
    (6, "Much worse"),
    (7, "Very much worse"),
)

# The flags each instrument holds, exactly (SPEC "Exact shapes").
FLAG_KEYS: dict[str, tuple[str, ...]] = {
    Instrument.NPRS: (),
    Instrument.PSFS: (),
    Instrument.DN4: ("neuropathic",),
    Instrument.TUG: ("fall_risk",),
    Instrument.BERG: ("fall_risk",),
    Instrument.CHAIR_STAND_30S: ("below_norm",),
    Instrument.TEN_METRE_WALK: (),
    Instrument.MONOFILAMENT: (
        "loss_of_protective_sensation_left",
        "loss_of_protective_sensation_right",
    ),
    Instrument.PGIC: ("improved",),
}
# Scores with decimals (JSON numbers either way; integral ones stay integers).
DECIMAL_SCORES = frozenset({Instrument.PSFS, Instrument.TUG, Instrument.TEN_METRE_WALK})


class ItemsInvalid(ValidationError):
    """Bad assessment items: `item_errors` maps each item's path to its messages."""

    def __init__(self, item_errors: dict[str, Any]):
        self.item_errors = item_errors
        super().__init__({"items": _flatten(item_errors)})

    @property
    def api_detail(self) -> dict[str, Any]:
        return {"items": self.item_errors}


def _flatten(errors: dict[str, Any], prefix: str = "") -> list[str]:
    out = []
    for key, value in errors.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.extend(_flatten(value, prefix=f"{path}."))
        else:
            out.extend(f"{path}: {message}" for message in value)
    return out


@dataclass
class Result:
    items: dict[str, Any]
    score: Decimal
    flags: dict[str, bool] = field(default_factory=dict)


class _Errors:
    def __init__(self) -> None:
        self.errors: dict[str, Any] = {}

    def add(self, path: tuple[str, ...], message: str) -> None:
        node = self.errors
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node.setdefault(path[-1], []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ItemsInvalid(self.errors)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int_in(errors: _Errors, path, value, low: int, high: int) -> int | None:
    if not _is_int(value) or not low <= value <= high:
        errors.add(path, f"Must be a whole number from {low} to {high}.")
        return None
    return value


def _decimal_in(errors: _Errors, path, value, low: Decimal, high: Decimal, places: str):
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        errors.add(path, f"Must be a number from {low} to {high}.")
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        errors.add(path, f"Must be a number from {low} to {high}.")
        return None
    if not number.is_finite() or not low <= number <= high:
        errors.add(path, f"Must be a number from {low} to {high}.")
        return None
    return number


def _keys(errors: _Errors, items, expected: tuple[str, ...], prefix: tuple[str, ...] = ()):
    """Unknown keys and missing keys, each named."""
    if not isinstance(items, dict):
        errors.add(prefix or ("non_field_errors",), "Must be an object.")
        return False
    for key in items:
        if key not in expected:
            errors.add((*prefix, str(key)), "Unknown item.")
    for key in expected:
        if key not in items:
            errors.add((*prefix, key), "This item is missing.")
    return True


def _one_decimal(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def chair_stand_norm_low(*, age: int | None, sex: str | None) -> int | None:
    """Rikli & Jones 25th percentile for this age and sex, or None without a norm."""
    bands = clinical.CHAIR_STAND_NORM_LOW.get(sex or "")
    if bands is None or age is None or age < clinical.CHAIR_STAND_NORM_MIN_AGE:
        return None
    low = bands[0][1]
    for band_age, value in bands:
        if age >= band_age:
            low = value
    return low


def compute(instrument: str, items, *, age: int | None = None, sex: str | None = None) -> Result:
    """Check `items` for `instrument`; return normalised items, score and flags."""
    errors = _Errors()
    if instrument not in Instrument.values:
        raise ValidationError(
            {"instrument": f"Unknown instrument. Choose from {', '.join(Instrument.values)}."}
        )
    scorer = _SCORERS[instrument]
    result = scorer(errors, items, age=age, sex=sex)
    errors.raise_if_any()
    assert result is not None
    assert tuple(result.flags) == FLAG_KEYS[instrument]
    return result


def _nprs(errors, items, **_):
    if not _keys(errors, items, ("pain",)):
        return None
    pain = _int_in(errors, ("pain",), items.get("pain"), clinical.PAIN_MIN, clinical.PAIN_MAX)
    if pain is None:
        return None
    return Result({"pain": pain}, Decimal(pain))


def _psfs(errors, items, **_):
    if not _keys(errors, items, ("activities",)):
        return None
    activities = items.get("activities")
    limit = clinical.PSFS_MAX_ACTIVITIES
    if not isinstance(activities, list) or not 1 <= len(activities) <= limit:
        errors.add(("activities",), f"Give 1 to {limit} activities.")
        return None
    clean = []
    for index, entry in enumerate(activities):
        label = f"Activity {index + 1}"
        if not isinstance(entry, dict):
            errors.add(("activities",), f"{label}: must be an object with activity and rating.")
            continue
        unknown = set(entry) - {"activity", "rating"}
        if unknown:
            errors.add(("activities",), f"{label}: unknown key(s) {', '.join(sorted(unknown))}.")
        name = entry.get("activity")
        if not isinstance(name, str) or not name.strip():
            errors.add(("activities",), f"{label}: name the activity.")
        elif len(name.strip()) > clinical.NAME_MAX_LENGTH * 2:
            errors.add(("activities",), f"{label}: at most 200 characters.")
        rating = entry.get("rating")
        if not _is_int(rating) or not 0 <= rating <= 10:
            errors.add(("activities",), f"{label}: rating must be a whole number from 0 to 10.")
            continue
        if isinstance(name, str):
            clean.append({"activity": name.strip(), "rating": rating})
    if errors.errors or not clean:
        return None
    mean = _one_decimal(Decimal(sum(a["rating"] for a in clean)) / len(clean))
    return Result({"activities": clean}, mean)


def _dn4(errors, items, **_):
    keys = tuple(k for k, _ in DN4_ITEMS)
    if not _keys(errors, items, keys):
        return None
    for key in keys:
        if key in items and not isinstance(items[key], bool):
            errors.add((key,), "Must be true (yes) or false (no).")
    if errors.errors:
        return None
    clean = {key: items[key] for key in keys}
    score = sum(clean.values())
    return Result(
        clean,
        Decimal(score),
        {"neuropathic": score >= clinical.DN4_NEUROPATHIC_AT_LEAST},
    )


def _tug(errors, items, **_):
    if not _keys(errors, items, ("seconds",)):
        return None
    seconds = _decimal_in(
        errors,
        ("seconds",),
        items.get("seconds"),
        clinical.TUG_MIN_SECONDS,
        clinical.TUG_MAX_SECONDS,
        "0.1",
    )
    if seconds is None:
        return None
    return Result(
        {"seconds": float(seconds)},
        seconds,
        {"fall_risk": seconds >= Decimal(str(clinical.TUG_FALL_RISK_SECONDS))},
    )


def _berg(errors, items, **_):
    if not _keys(errors, items, ("scores",)):
        return None
    scores = items.get("scores")
    if not isinstance(scores, list) or len(scores) != len(BERG_ITEMS):
        errors.add(("scores",), f"Give the {len(BERG_ITEMS)} item scores in the scale's order.")
        return None
    for index, value in enumerate(scores):
        if not _is_int(value) or not 0 <= value <= 4:
            errors.add(
                ("scores",),
                f"Item {index + 1} ({BERG_ITEMS[index]}): must be a whole number from 0 to 4.",
            )
    if errors.errors:
        return None
    total = sum(scores)
    return Result(
        {"scores": list(scores)},
        Decimal(total),
        {"fall_risk": total < clinical.BERG_FALL_RISK_BELOW},
    )


def _chair_stand(errors, items, *, age=None, sex=None):
    if not _keys(errors, items, ("stands",)):
        return None
    stands = _int_in(errors, ("stands",), items.get("stands"), 0, clinical.CHAIR_STAND_MAX)
    if stands is None:
        return None
    norm = chair_stand_norm_low(age=age, sex=sex)
    return Result(
        {"stands": stands},
        Decimal(stands),
        {"below_norm": norm is not None and stands < norm},
    )


def _ten_metre_walk(errors, items, **_):
    if not _keys(errors, items, ("seconds",)):
        return None
    seconds = _decimal_in(
        errors,
        ("seconds",),
        items.get("seconds"),
        clinical.TEN_METRE_WALK_MIN_SECONDS,
        clinical.TEN_METRE_WALK_MAX_SECONDS,
        "0.01",
    )
    if seconds is None:
        return None
    speed = (clinical.TEN_METRE_WALK_DISTANCE_M / seconds).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return Result({"seconds": float(seconds)}, speed)


def _monofilament(errors, items, **_):
    if not _keys(errors, items, FEET):
        return None
    sites = tuple(k for k, _ in MONOFILAMENT_SITES)
    for foot in FEET:
        if foot in items and _keys(errors, items[foot], sites, prefix=(foot,)):
            for site in sites:
                if site in items[foot] and not isinstance(items[foot][site], bool):
                    errors.add((foot, site), "Must be true (felt) or false (not felt).")
    if errors.errors:
        return None
    clean = {foot: {site: items[foot][site] for site in sites} for foot in FEET}
    felt = sum(v for foot in FEET for v in clean[foot].values())
    flags = {f"loss_of_protective_sensation_{foot}": not all(clean[foot].values()) for foot in FEET}
    return Result(clean, Decimal(felt), flags)


def _pgic(errors, items, **_):
    if not _keys(errors, items, ("rating",)):
        return None
    rating = _int_in(errors, ("rating",), items.get("rating"), 1, 7)
    if rating is None:
        return None
    return Result(
        {"rating": rating},
        Decimal(rating),
        {"improved": rating <= clinical.PGIC_IMPROVED_AT_MOST},
    )


_SCORERS = {
    Instrument.NPRS: _nprs,
    Instrument.PSFS: _psfs,
    Instrument.DN4: _dn4,
    Instrument.TUG: _tug,
    Instrument.BERG: _berg,
    Instrument.CHAIR_STAND_30S: _chair_stand,
    Instrument.TEN_METRE_WALK: _ten_metre_walk,
    Instrument.MONOFILAMENT: _monofilament,
    Instrument.PGIC: _pgic,
}


def score_number(instrument: str, score: Decimal | None) -> int | float | None:
    """The score as a JSON number: an integer where the instrument's scores are whole."""
    if score is None:
        return None
    return float(score) if instrument in DECIMAL_SCORES else int(score)


# --- R19: minimal important changes --------------------------------------------


def responder(instrument: str, baseline: Decimal, latest: Decimal) -> bool | None:
    """Whether the change is clinically important, or None without a cited figure."""
    change = latest - baseline
    if instrument == Instrument.NPRS:
        drop_pct = (-change * 100 / baseline) if baseline else None
        return -change >= clinical.PAIN_RESPONDER_POINTS or (
            drop_pct is not None and drop_pct >= clinical.PAIN_RESPONDER_PCT
        )
    if instrument == Instrument.PSFS:
        return change >= clinical.MOBILITY_RESPONDER_POINTS
    if instrument == Instrument.TEN_METRE_WALK:
        return change >= clinical.TEN_METRE_WALK_RESPONDER_MPS
    return None


# What pages cite beside each instrument's figures.
SOURCES: dict[str, str] = {
    Instrument.NPRS: clinical.NPRS_SOURCE,
    Instrument.PSFS: clinical.PSFS_SOURCE,
    Instrument.DN4: clinical.DN4_SOURCE,
    Instrument.TUG: clinical.TUG_SOURCE,
    Instrument.BERG: clinical.BERG_SOURCE,
    Instrument.CHAIR_STAND_30S: clinical.CHAIR_STAND_SOURCE,
    Instrument.TEN_METRE_WALK: clinical.TEN_METRE_WALK_SOURCE,
    Instrument.MONOFILAMENT: clinical.MONOFILAMENT_SOURCE,
    Instrument.PGIC: clinical.PGIC_SOURCE,
}
# Threshold lines for trend charts (score scale), where one is cited.
THRESHOLDS: dict[str, tuple[float, str]] = {
    Instrument.TUG: (clinical.TUG_FALL_RISK_SECONDS, "fall risk at 13.5 s or more"),
    Instrument.BERG: (float(clinical.BERG_FALL_RISK_BELOW), "fall risk below 45"),
    Instrument.DN4: (float(clinical.DN4_NEUROPATHIC_AT_LEAST), "neuropathic at 4 or more"),
}
# Whether a higher score is better (for the words on pages; not a rule).
HIGHER_IS_BETTER: dict[str, bool] = {
    Instrument.NPRS: False,
    Instrument.PSFS: True,
    Instrument.DN4: False,
    Instrument.TUG: False,
    Instrument.BERG: True,
    Instrument.CHAIR_STAND_30S: True,
    Instrument.TEN_METRE_WALK: True,
    Instrument.MONOFILAMENT: True,
    Instrument.PGIC: False,
}
