"""Celery tasks of the patients app (see patients/reminders.py)."""
