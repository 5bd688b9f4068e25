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
