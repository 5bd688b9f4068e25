"""The one list of body-chart region codes (R20), with labels for people.

Front and back, left and right: the same codes are used by body charts,
massage components (R21) and the SVG body map.
"""

from __future__ import annotations

from django.db import models

CENTRAL = (
    ("head", "Head"),
    ("neck", "Neck"),
    ("chest", "Chest"),
    ("abdomen", "Abdomen"),
    ("upper_back", "Upper back"),
    ("lower_back", "Lower back"),
)
SIDED = (
    ("shoulder", "shoulder"),
    ("upper_arm", "upper arm"),
    ("elbow", "elbow"),
    ("forearm", "forearm"),
    ("wrist", "wrist"),
    ("hand", "hand"),
    ("hip", "hip"),
    ("gluteal", "gluteal region"),
    ("thigh", "thigh"),
    ("knee", "knee"),
    ("lower_leg", "lower leg"),
    ("ankle", "ankle"),
    ("foot_dorsal", "foot (top)"),
    ("foot_plantar", "foot (sole)"),
)
SIDES = (("left", "Left"), ("right", "Right"))

REGIONS: tuple[tuple[str, str], ...] = CENTRAL + tuple(
    (f"{code}_{side}", f"{side_label} {label}")
    for code, label in SIDED
    for side, side_label in SIDES
)
REGION_CODES: frozenset[str] = frozenset(code for code, _ in REGIONS)
REGION_LABELS: dict[str, str] = dict(REGIONS)


def foot_regions(side: str) -> tuple[str, str]:
    """Both regions of one foot (R21: a foot with loss of protective sensation)."""
    return (f"foot_plantar_{side}", f"foot_dorsal_{side}")


class BodySymptom(models.TextChoices):
    NUMBNESS = "numbness", "Numbness"
    TINGLING = "tingling", "Tingling"
    BURNING = "burning", "Burning"
    PAIN = "pain", "Pain"
    WEAKNESS = "weakness", "Weakness"


# Pattern (not only colour) per symptom, so the map reads without colour vision.
SYMPTOM_MARKS: dict[str, str] = {
    "numbness": "N",
    "tingling": "T",
    "burning": "B",
    "pain": "P",
    "weakness": "W",
}


def region_errors(value) -> list[str]:
    """What is wrong with a list of region codes ('' list: nothing wrong)."""
    if not isinstance(value, list):
        return ["Give a list of region codes."]
    problems = []
    unknown = [v for v in value if not isinstance(v, str) or v not in REGION_CODES]
    if unknown:
        problems.append(f"Unknown region code(s): {', '.join(map(str, unknown))}.")
    if len(set(map(str, value))) != len(value):
        problems.append("A region is listed twice.")
    return problems
