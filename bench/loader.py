"""Bulk row loading: COPY on PostgreSQL, executemany on SQLite.

Rows are dicts keyed by field attname (``patient_id``); every concrete field a
row leaves out gets the model field's default, so a field added later with a
default does not break generation. Ids are assigned here, above whatever the
migrations already inserted, and sequences are reset afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

_PREPPED_TYPES = {"DateTimeField", "DecimalField", "JSONField", "DateField"}


class BulkLoader:
    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.models: list = []

    def next_id(self, model) -> int:
        table = connection.ops.quote_name(model._meta.db_table)
        pk = connection.ops.quote_name(model._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) + 1 FROM {table}")
            return int(cursor.fetchone()[0])

    def insert(self, model, rows: Iterable[dict]) -> int:
        fields = list(model._meta.concrete_fields)
        now = timezone.now()
        defaults = {}
        for field in fields:
            if field.has_default() or field.null:
                defaults[field.attname] = field.get_default()
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                defaults[field.attname] = now
            elif field.empty_strings_allowed:
                defaults[field.attname] = ""
        converters = [self._converter(field) for field in fields]
        names = [field.attname for field in fields]
        missing = object()
        pk_name = model._meta.pk.attname
        auto_id = (
            self.next_id(model)
            if model._meta.pk.get_internal_type().endswith("AutoField")
            else None
        )

        def as_tuple(row: dict) -> tuple:
            nonlocal auto_id
            if auto_id is not None and pk_name not in row:
                row[pk_name] = auto_id
                auto_id += 1
            values = []
            for name, convert in zip(names, converters, strict=True):
                value = row.get(name, missing)
                if value is missing:
                    value = defaults.get(name)
                values.append(convert(value) if convert and value is not None else value)
            return tuple(values)

        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        count = 0
        if self.vendor == "postgresql":
            connection.ensure_connection()
            sql = f"COPY {table} ({columns}) FROM STDIN"
            with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(as_tuple(row))
                    count += 1
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            batch: list[tuple] = []
            with connection.cursor() as cursor:
                sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
                for row in rows:
                    batch.append(as_tuple(row))
                    if len(batch) >= 5000:
                        cursor.executemany(sql, batch)
                        count += len(batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    count += len(batch)
        if model not in self.models:
            self.models.append(model)
        return count

    def _converter(self, field):
        kind = field.get_internal_type()
        if kind == "JSONField":
            return json.dumps
        if kind not in _PREPPED_TYPES or self.vendor == "postgresql":
            return None
        return lambda value: field.get_db_prep_save(value, connection)

    def finish(self) -> None:
        """Reset id sequences past the loaded ids and refresh planner statistics."""
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), self.models):
                cursor.execute(statement)
            cursor.execute("ANALYZE")
