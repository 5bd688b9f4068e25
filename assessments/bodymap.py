"""Geometry of the SVG body map (front and back): one shape per region code per view.

Front view: the patient faces you (their right on your left). Back view: you
see their back (their left on your left). Shapes are (kind, region, x, y, w, h)
on a 200 x 400 canvas; "e" is an ellipse centred in its box, "r" a rectangle.
"""

from __future__ import annotations

from dataclasses import dataclass

from assessments.regions import REGION_LABELS, SYMPTOM_MARKS


@dataclass(frozen=True)
class Shape:
    kind: str
    region: str
    x: int
    y: int
    w: int
    h: int

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def rx(self) -> float:
        return self.w / 2

    @property
    def ry(self) -> float:
        return self.h / 2

    @property
    def label(self) -> str:
        return REGION_LABELS[self.region]


# (stem, kind, x of the viewer-left copy, y, w, h); the right copy mirrors around x=100.
_LIMBS = (
    ("shoulder", "e", 52, 68, 28, 20),
    ("upper_arm", "r", 48, 88, 16, 42),
    ("elbow", "r", 46, 130, 16, 14),
    ("forearm", "r", 42, 144, 16, 40),
    ("wrist", "r", 40, 184, 16, 10),
    ("hand", "e", 36, 194, 20, 26),
    ("thigh", "r", 74, 186, 24, 68),
    ("knee", "r", 75, 254, 22, 20),
    ("lower_leg", "r", 76, 274, 20, 78),
    ("ankle", "r", 76, 352, 20, 12),
)


def _pair(stem, kind, x, y, w, h, *, left_first: bool) -> list[Shape]:
    mirrored = 200 - x - w
    first, second = ("left", "right") if left_first else ("right", "left")
    return [
        Shape(kind, f"{stem}_{first}", x, y, w, h),
        Shape(kind, f"{stem}_{second}", mirrored, y, w, h),
    ]


def _view(*, back: bool) -> list[Shape]:
    shapes = [Shape("e", "head", 80, 6, 40, 48), Shape("r", "neck", 90, 52, 20, 16)]
    if back:
        shapes += [
            Shape("r", "upper_back", 72, 68, 56, 52),
            Shape("r", "lower_back", 74, 120, 52, 40),
        ]
        shapes += _pair("gluteal", "r", 72, 160, 28, 26, left_first=True)
    else:
        shapes += [Shape("r", "chest", 72, 68, 56, 48), Shape("r", "abdomen", 74, 116, 52, 44)]
        shapes += _pair("hip", "r", 72, 160, 28, 26, left_first=False)
    for limb in _LIMBS:
        shapes += _pair(*limb, left_first=back)
    foot = ("foot_plantar", "e", 74, 364, 24, 30) if back else ("foot_dorsal", "e", 70, 364, 28, 22)
    shapes += _pair(*foot, left_first=back)
    return shapes


FRONT = _view(back=False)
BACK = _view(back=True)


def marks_for(entries) -> dict[str, list[tuple[str, str, int]]]:
    """region -> [(symptom, letter, intensity)] for drawing; entries are rows or dicts."""
    out: dict[str, list[tuple[str, str, int]]] = {}
    for e in entries:
        region = e["region"] if isinstance(e, dict) else e.region
        symptom = e["symptom"] if isinstance(e, dict) else e.symptom
        intensity = e["intensity"] if isinstance(e, dict) else e.intensity
        out.setdefault(region, []).append((symptom, SYMPTOM_MARKS[symptom], intensity))
    return out
