from __future__ import annotations

from django import template

from assessments import bodymap, scoring, selectors
from assessments.regions import REGION_CODES, REGIONS, SYMPTOM_MARKS, BodySymptom

register = template.Library()


def _views(entries, numb, interactive):
    marks = bodymap.marks_for(entries)
    views = []
    for name, shapes in (("Front", bodymap.FRONT), ("Back", bodymap.BACK)):
        rows = []
        for shape in shapes:
            found = marks.get(shape.region, [])
            rows.append(
                {
                    "shape": shape,
                    "marks": found,
                    "symptom": found[0][0] if found else "",
                    "letters": "".join(m[1] for m in found),
                    "numb": shape.region in numb,
                }
            )
        views.append({"name": name, "rows": rows})
    return views


@register.inclusion_tag("assessments/_body_map.html")
def body_map(entries=(), numb=(), interactive=False, map_id="body-map"):
    """The SVG body map, front and back; symptoms as colour AND letter (legend below)."""
    return {
        "views": _views(entries, set(numb or ()), interactive),
        "interactive": interactive,
        "map_id": map_id,
        "legend": [(s.value, s.label, SYMPTOM_MARKS[s.value]) for s in BodySymptom],
        "show_numb": bool(numb),
    }


EDITOR_FIELDS = ("region", "symptom", "intensity", "remove")


def _drawable(rows) -> list[dict]:
    """The rows the map can draw: a known region and symptom (the list shows the rest)."""
    return [
        r for r in rows if r.get("region") in REGION_CODES and r.get("symptom") in SYMPTOM_MARKS
    ]


@register.inclusion_tag("assessments/_body_chart_editor.html")
def body_chart_editor(rows, prefix="", count_name="rows", map_id="chart-map", patient=False):
    """The body chart as people fill it in: tap a region of the SVG map, choose the
    feeling and its strength, and it becomes a row of the list below. The rows are
    plain selects (the form without JavaScript, and how a row is corrected).

    `rows`: [{"region", "symptom", "intensity", "errors": [...]}]; fields are named
    `{prefix}region_N`, `{prefix}symptom_N`, `{prefix}intensity_N`, `{prefix}remove_N`
    and `count_name` carries the number of rows. The staff body chart page and the
    patient's intake (and its review) use this one component.
    """
    entries = _drawable(rows)
    return {
        "views": _views(entries, set(), True),
        "map_id": map_id,
        "legend": [(s.value, s.label, SYMPTOM_MARKS[s.value]) for s in BodySymptom],
        "rows": [
            {
                "n": i + 1,
                "region": r.get("region") or "",
                "symptom": r.get("symptom") or "",
                "intensity": "" if r.get("intensity") in (None, "") else str(r["intensity"]),
                "errors": r.get("errors") or [],
                "names": {f: f"{prefix}{f}_{i}" for f in EDITOR_FIELDS},
            }
            for i, r in enumerate(rows)
        ],
        "count_name": count_name,
        "regions": REGIONS,
        "symptoms": BodySymptom.choices,
        "strengths": [str(n) for n in range(11)],
        "patient": patient,
    }


@register.inclusion_tag("assessments/_patient_card.html", takes_context=True)
def patient_assessments_card(context, patient):
    """The patient page's section: current body chart and the latest of each instrument."""
    chart = selectors.current_body_chart(patient)
    progress = selectors.progress_assessments(patient)
    return {
        "patient": patient,
        "chart": chart,
        "entries": list(chart.entries.all()) if chart else [],
        "numb": selectors.numb_regions(patient),
        "progress": [
            (scoring.Instrument(key).label, key, value) for key, value in progress.items()
        ],
        "instruments": scoring.Instrument.choices,
        "user": context.get("user"),
    }


@register.simple_tag
def numb_regions_of(patient):
    return selectors.numb_regions(patient)


@register.simple_tag
def body_chart_of(patient):
    chart = selectors.current_body_chart(patient)
    return list(chart.entries.all()) if chart else []


@register.filter
def get_item(container, key):
    """container[key] for a dict, QueryDict or list ('' when absent)."""
    try:
        return container[key]
    except (KeyError, IndexError, TypeError):
        return ""


@register.filter
def split_words(value: str) -> list[str]:
    return value.split()


def _trend(series, threshold):
    """Inline-SVG polyline points (300 x 100 box) for the scores, with the threshold line."""
    width, height, pad = 300, 100, 14
    values = [p["score"] for p in series]
    if threshold is not None:
        values = [*values, threshold]
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1
    span = high - low

    def y(v):
        return round(height - pad - (v - low) / span * (height - 2 * pad), 1)

    step = (width - 2 * pad) / max(len(series) - 1, 1)
    points = [
        {
            "x": round(pad + i * step, 1),
            "y": y(p["score"]),
            "score": p["score"],
            "day": p["performed_on"],
        }
        for i, p in enumerate(series)
    ]
    return {
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "threshold_y": y(threshold) if threshold is not None else None,
        "low": low,
        "high": high,
    }


@register.inclusion_tag("assessments/_progress.html")
def assessment_progress(patient, charts=True):
    """R19 for pages and the physician report: baseline, latest, change, flags, sources."""
    progress = selectors.progress_assessments(patient, with_series=True)
    rows = []
    for key, p in progress.items():
        threshold = scoring.THRESHOLDS.get(key)
        rows.append(
            {
                "key": key,
                "label": scoring.Instrument(key).label,
                "p": p,
                "source": scoring.SOURCES[key],
                "threshold": threshold,
                "trend": _trend(p["series"], threshold[0] if threshold else None)
                if charts and len(p["series"]) > 1
                else None,
                "cited_mic": p["responder"] is not None,
            }
        )
    return {"rows": rows}
