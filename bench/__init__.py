"""Benchmarks: each app path measured against a hand-written SQL lower bound.

`make bench` (or `python -m bench`) generates a synthetic clinic chain in its
own database, checks that every app path and its lower bound give the same
answer, then times both side by side. See docs/performance.md.
"""
