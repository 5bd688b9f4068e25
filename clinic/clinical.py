"""Clinical constants: score ranges and response thresholds, with sources.

One module so that rules, reports, pages and docs use the same figures.
"""

from __future__ import annotations

from decimal import Decimal

# Numeric pain rating scale 0-10 (LOINC 72514-3 "pain severity 0-10").
PAIN_MIN, PAIN_MAX = 0, 10
# A drop of 2 points or 30 % is clinically important:
# Farrar JT et al., Pain 2001;94(2):149-158.
PAIN_RESPONDER_POINTS = 2
PAIN_RESPONDER_PCT = 30
PAIN_SOURCE = "Farrar et al., Pain 2001 (NPRS 0-10, LOINC 72514-3)"

# Patient-specific functional scale 0-10, one decimal, higher is better;
# a 2-point change (average) is the detectable/important change
# (Stratford et al., Physiotherapy Canada 1995; Horn et al., JOSPT 2012).
MOBILITY_MIN, MOBILITY_MAX = Decimal("0.0"), Decimal("10.0")
MOBILITY_RESPONDER_POINTS = 2
MOBILITY_SOURCE = "Patient-Specific Functional Scale, 2-point MCID (Stratford 1995)"

# Fall risk and neuropathic pain screening (shown as guidance on pages).
TUG_FALL_RISK_SECONDS = 13.5  # Timed Up and Go >= 13.5 s (Shumway-Cook et al. 2000)
BERG_FALL_RISK_BELOW = 45  # Berg Balance Scale < 45 of 56 (Berg et al. 1992)
DN4_NEUROPATHIC_AT_LEAST = 4  # DN4 >= 4 of 10 (Bouhassira et al., Pain 2005)

# R1 limits.
NAME_MAX_LENGTH = 100
FREE_TEXT_MAX_LENGTH = 5000
MAX_AGE_YEARS = 120

# --- Standardized assessments (R18, R19) ------------------------------------
# Every figure below is cited; docs/assessments.md gives the full references.
# Where no minimal important change is at hand, progress shows the change
# without a responder flag (R19).

NPRS_SOURCE = PAIN_SOURCE
PSFS_SOURCE = MOBILITY_SOURCE

TUG_SOURCE = "Shumway-Cook, Brauer & Woollacott, Phys Ther 2000;80(9):896-903"
BERG_SOURCE = "Berg et al., Can J Public Health 1992;83 Suppl 2:S7-11"
DN4_SOURCE = "Bouhassira et al., Pain 2005;114(1-2):29-36"
TUG_MIN_SECONDS, TUG_MAX_SECONDS = Decimal("0.1"), Decimal("300")
BERG_MAX = 56

# 30-second chair stand: Rikli & Jones, J Aging Phys Act 1999;7(2):162-181
# (normal range = 25th-75th percentile by age band and sex; below the 25th
# percentile is "below norm"). Bands cover ages 60-94; younger patients have
# no norm (no flag), older ones use the 90-94 band.
CHAIR_STAND_SOURCE = "Rikli & Jones, J Aging Phys Act 1999;7(2):162-181"
CHAIR_STAND_MAX = 60
# (lowest age of the band, 25th percentile)
CHAIR_STAND_NORM_LOW: dict[str, tuple[tuple[int, int], ...]] = {
    "female": ((60, 12), (65, 11), (70, 10), (75, 10), (80, 9), (85, 8), (90, 4)),
    "male": ((60, 14), (65, 12), (70, 12), (75, 11), (80, 10), (85, 8), (90, 7)),
}
CHAIR_STAND_NORM_MIN_AGE = 60

# Ten-metre walk: speed = 10 m / seconds. A substantial meaningful change is
# 0.10 m/s (Perera, Mody, Woodman & Studenski, J Am Geriatr Soc 2006;54(5):743-749).
TEN_METRE_WALK_SOURCE = "Perera et al., J Am Geriatr Soc 2006;54(5):743-749"
TEN_METRE_WALK_DISTANCE_M = Decimal("10")
TEN_METRE_WALK_MIN_SECONDS, TEN_METRE_WALK_MAX_SECONDS = Decimal("1"), Decimal("300")
TEN_METRE_WALK_RESPONDER_MPS = Decimal("0.10")

# 10 g monofilament at three sites per foot; a site not felt means loss of
# protective sensation in that foot (IWGDF practical guidelines, Schaper et
# al., Diabetes Metab Res Rev 2024;40(3):e3657).
MONOFILAMENT_SOURCE = "IWGDF guidelines, Schaper et al., Diabetes Metab Res Rev 2024;40(3):e3657"

# Patient Global Impression of Change 1-7; "much" or "very much improved"
# (<= 2) is the clinically important anchor (Farrar et al., Pain 2001).
PGIC_SOURCE = "Farrar et al., Pain 2001;94(2):149-158 (PGIC much/very much improved)"
PGIC_IMPROVED_AT_MOST = 2

PSFS_MAX_ACTIVITIES = 5
