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


ARM = ("shoulder", "upper_arm", "elbow", "forearm", "wrist", "hand")
LEG = ("hip", "thigh", "knee", "lower_leg", "ankle", "foot_dorsal", "foot_plantar")
# Words of a free-text area note -> sided region stems or central codes.
_WORDS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("foot", "feet", "sole", "plantar", "toe"), ("foot_plantar", "foot_dorsal")),
    (("ankle",), ("ankle",)),
    (("calf", "calves", "lower leg", "shin"), ("lower_leg",)),
    (("knee",), ("knee",)),
    (("thigh", "hamstring", "quadricep"), ("thigh",)),
    (("glute", "buttock", "piriformis"), ("gluteal",)),
    (("hip",), ("hip",)),
    (("shoulder", "trapez", "scalene"), ("shoulder",)),
    (("upper arm", "bicep", "tricep"), ("upper_arm",)),
    (("elbow",), ("elbow",)),
    (("forearm",), ("forearm",)),
    (("wrist",), ("wrist",)),
    (("hand", "finger", "palm"), ("hand",)),
    (("limb",), ARM + LEG),
)
_CENTRAL_WORDS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("lower back", "lumbar"), ("lower_back",)),
    (("upper back", "thoracic"), ("upper_back",)),
    (("neck", "cervical", "scalene", "trapez"), ("neck",)),
    (("chest", "pectoral"), ("chest",)),
    (("abdom", "belly"), ("abdomen",)),
    (("head", "scalp", "face"), ("head",)),
)


def regions_from_text(text: str) -> list[str]:
    """Best-effort region codes for a free-text area (migrating R7's `body_region`).

    Words name regions ("feet" -> both feet, sole and top; "left calf" ->
    lower_leg_left); a text that names nothing known ("the injured area")
    gets every region, so R21 errs on the side of the precaution until the
    therapist narrows it.
    """
    lowered = (text or "").lower()
    sides = [s for s, _ in SIDES if s in lowered] or [s for s, _ in SIDES]
    found: list[str] = []
    for words, stems in _WORDS:
        if any(w in lowered for w in words):
            found += [f"{stem}_{side}" for stem in stems for side in sides]
    for words, codes in _CENTRAL_WORDS:
        if any(w in lowered for w in words):
            found += list(codes)
    if "back" in lowered and not {"lower_back", "upper_back"} & set(found):
        found += ["upper_back", "lower_back"]
    has_upper_arm = any(c.startswith("upper_arm") for c in found)
    if "arm" in lowered.replace("forearm", "") and not has_upper_arm:
        found += [f"{stem}_{side}" for stem in ("upper_arm", "forearm") for side in sides]
    if " leg" in f" {lowered}" and "lower leg" not in lowered:
        found += [f"{stem}_{side}" for stem in ("thigh", "knee", "lower_leg") for side in sides]
    if not found:
        return [code for code, _ in REGIONS]
    return [code for code, _ in REGIONS if code in set(found)]
