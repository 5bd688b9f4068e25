"""django-simple-history, with two savings on hot write paths (same rows, same signals)."""

from __future__ import annotations

from django.utils.functional import cached_property
from simple_history import models as simple_history
from simple_history.signals import (
    post_create_historical_m2m_records,
    pre_create_historical_m2m_records,
)

from clinic.prepared import PreparedInsertModel


class HistoryDescriptor(simple_history.HistoryDescriptor):
    """`Model.history`, with its manager class built once.

    simple-history's descriptor builds a new manager class
    (`Manager.from_queryset`, which inspects every queryset method) on each
    access, and every save of a tracked model accesses it once: about a
    third of the cost of writing a history row.
    """

    @cached_property
    def manager_with_queryset(self):
        return self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance, owner):
        return self.manager_with_queryset(self.model, instance)


class HistoricalRecords(simple_history.HistoricalRecords):
    """simple-history's `HistoricalRecords`: a cached `history` manager class,
    and an m2m snapshot that can reuse known rows.

    On every save of a model with `m2m_fields`, simple-history copies the
    through rows of those fields into the history: one SELECT joining the
    through table to both sides' tables, then a bulk INSERT. A service that
    has just read the through rows in the same transaction (e.g. a session
    completion, which reads its covered prescriptions anyway) sets
    `instance._history_m2m_rows = {field_name: [through rows]}` before saving
    and that SELECT is skipped; the rows written and the signals sent are the
    same. Without it (any other save) this is simple-history unchanged.
    """

    def __init__(self, *args, bases=(PreparedInsertModel,), **kwargs):
        # History rows are only ever inserted, one per save of a tracked model:
        # their INSERT is compiled once (clinic.prepared.PreparedInsertModel).
        super().__init__(*args, bases=bases, **kwargs)

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        descriptor = sender.__dict__.get(self.manager_name)
        if type(descriptor) is simple_history.HistoryDescriptor:
            setattr(
                sender,
                self.manager_name,
                HistoryDescriptor(
                    descriptor.model,
                    manager=descriptor.manager_class,
                    queryset=descriptor.queryset_class,
                ),
            )

    def create_historical_record_m2ms(self, history_instance, instance):
        known = getattr(instance, "_history_m2m_rows", None)
        fields = history_instance._history_m2m_fields
        if not known or any(field.name not in known for field in fields):
            return super().create_historical_record_m2ms(history_instance, instance)
        for field in fields:
            m2m_history_model = self.m2m_models[field]
            through_model = getattr(history_instance.instance, field.name).through
            names = [f.name for f in through_model._meta.fields]
            insert_rows = [
                m2m_history_model(history=history_instance, **{n: getattr(row, n) for n in names})
                for row in known[field.name]
            ]
            pre_create_historical_m2m_records.send(
                sender=m2m_history_model,
                rows=insert_rows,
                history_instance=history_instance,
                instance=instance,
                field=field,
            )
            created_rows = m2m_history_model.objects.bulk_create(insert_rows)
            post_create_historical_m2m_records.send(
                sender=m2m_history_model,
                created_rows=created_rows,
                history_instance=history_instance,
                instance=instance,
                field=field,
            )
        return None
