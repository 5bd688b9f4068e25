"""Single-row reads whose SQL the ORM compiles once per process (hot request paths).

Django compiles a queryset to SQL on every evaluation. For a wide read on a
path that runs on every request (the API token with its user, the session a
completion locks with its patient) compiling costs more than the query
itself. `PreparedGet` asks the ORM for the SQL once, with a marker value in
place of the lookup value, and then runs that same SQL with the real value,
building the instances exactly as `QuerySet.get()` does (Django's
`ModelIterable`: converters, `from_db`, select_related populators,
annotations). The ORM still writes the SQL: columns, joins, quoting, the
vendor's dialect and `FOR UPDATE` come from the queryset, so a model change
is picked up on the next start. Tests compare every use with the plain
queryset on SQLite and PostgreSQL (tests/clinic/test_prepared.py).

Only for querysets that are fixed apart from one lookup value: no dates of
the day, no per-user filter (those stay plain querysets).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connections, models, router
from django.db.models import QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql import InsertQuery
from django.db.transaction import TransactionManagementError

_BIGINT_MIN, _BIGINT_MAX = -(2**63), 2**63 - 1

# A lookup value no real row has, to find the parameter's place in the SQL.
_MARKERS = {int: -7_349_201_553, str: "\x00prepared-get-marker\x00"}


class PreparedGet:
    """`build().get(**{lookup: value})`, its SQL compiled once per database.

    `build` returns the queryset without the lookup; it is called once, on
    first use (inside a transaction if the queryset locks rows, as Django
    requires). The lookup must be unique (a primary key or unique field).
    `get(value)` returns the instance or raises the model's DoesNotExist, as
    `.get()` does; a value of the wrong type is DoesNotExist too.
    """

    def __init__(self, build: Callable[[], QuerySet], lookup: str, value_type: type) -> None:
        self._build = build
        self._lookup = lookup
        self._value_type = value_type
        self._marker = _MARKERS[value_type]
        self._model = None
        self._compiled: dict[str, _Compiled] = {}

    def get(self, value: Any):
        queryset = None
        if self._model is None:
            queryset = self._build()
            self._model, self._for_write = queryset.model, queryset._for_write
        db = (router.db_for_write if self._for_write else router.db_for_read)(self._model)
        compiled = self._compiled.get(db)
        if compiled is None:
            queryset = (self._build() if queryset is None else queryset).using(db)
            compiled = self._compiled[db] = _Compiled(queryset, self._lookup, self._marker)
        try:
            value = self._value_type(value)
            if isinstance(value, int) and not _BIGINT_MIN <= value <= _BIGINT_MAX:
                raise ValueError("out of the database's integer range")
        except (TypeError, ValueError) as exc:
            # As the ORM's lookups do: no such row, not a database error.
            raise self._model.DoesNotExist(
                f"No {self._model._meta.object_name} {value!r}."
            ) from exc
        return compiled.get(value)


class _Compiled:
    def __init__(self, queryset: QuerySet, lookup: str, marker) -> None:
        db = queryset.db
        queryset = queryset.filter(**{lookup: marker})[:2]
        compiler = queryset.query.get_compiler(using=db)
        sql, params = compiler.as_sql()
        positions = [i for i, p in enumerate(params) if p == marker]
        if len(positions) != 1:
            raise ValueError(f"The lookup value must appear once in the SQL, not at {positions}.")
        self.model = queryset.model
        self.db = db
        self.sql = sql
        self.params = tuple(params)
        self.position = positions[0]
        self.for_update = queryset.query.select_for_update
        # What django.db.models.query.ModelIterable works out per evaluation, once.
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.model_slice = slice(start, end)
        self.init_list = [f[0].target.attname for f in select[start:end]]
        self.related_populators = get_related_populators(klass_info, select, db)
        self.annotation_col_map = dict(compiler.annotation_col_map or {})
        self.converters = list(
            compiler.get_converters([s[0] for s in select[: compiler.col_count]]).items()
        )

    def get(self, value):
        connection = connections[self.db]
        if self.for_update and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = list(self.params)
        params[self.position] = value
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        name = self.model._meta.object_name
        if not rows:
            raise self.model.DoesNotExist(f"{name} matching query does not exist.")
        if len(rows) > 1:
            raise self.model.MultipleObjectsReturned(f"get() returned more than one {name}.")
        row = list(rows[0])
        for position, (converters, expression) in self.converters:
            value = row[position]
            for converter in converters:
                value = converter(value, expression, connection)
            row[position] = value
        obj = self.model.from_db(self.db, self.init_list, row[self.model_slice])
        for populator in self.related_populators:
            populator.populate(row, obj)
        for attribute, position in self.annotation_col_map.items():
            setattr(obj, attribute, row[position])
        return obj


class PreparedInsertModel(models.Model):
    """For append-only models written on every request: a new row's `save()` is
    one INSERT whose SQL the ORM compiled once per database.

    The audit trail and the history rows are inserted on every write (and the
    audit row on every read of a patient's record); `Model.save()` compiles the
    INSERT each time. Here the first save of a new row builds it with the ORM
    (`InsertQuery`, the same columns, placeholders and RETURNING as `save()`);
    later ones prepare each value as `save()` does (`field.pre_save` then
    `get_db_prep_save`) and run that SQL. Anything else (an update, a row
    with its primary key set, `update_fields`, an expression as a value, a
    model with parents) is `Model.save()` unchanged. `pre_save`/`post_save`
    are not sent for these rows: nothing listens to them, and tests compare
    the rows both paths write (tests/clinic/test_prepared.py).
    """

    class Meta:
        abstract = True

    def save(self, *args, using=None, force_insert=False, **kwargs):
        # force_insert=True (QuerySet.create) is what this does anyway.
        plain = not args and not kwargs and force_insert in (False, True)
        new = self._state.adding and getattr(self, self._meta.pk.attname) is None
        if not (plain and new) or self._meta.parents or self._meta.pk.has_default():
            return super().save(*args, using=using, force_insert=force_insert, **kwargs)
        using = using or router.db_for_write(type(self), instance=self)
        insert = _INSERTS.get((type(self), using))
        if insert is None:
            insert = _INSERTS[(type(self), using)] = _PreparedInsert(type(self), self, using)
        if not insert.run(self):
            return super().save(using=using, force_insert=force_insert)
        return None


_INSERTS: dict[tuple[type, str], _PreparedInsert] = {}


def prepared_inserts() -> dict:
    """The compiled INSERTs by (model, database), for tests and diagnostics."""
    return _INSERTS


class _PreparedInsert:
    def __init__(self, model, template, db: str) -> None:
        meta = model._meta
        self.db = db
        self.fields = [
            f
            for f in meta.local_concrete_fields
            if f is not meta.auto_field and not getattr(f, "generated", False)
        ]
        query = InsertQuery(model)
        query.insert_values(self.fields, [template])
        compiler = query.get_compiler(using=db)
        connection = connections[db]
        self.returning = (
            list(meta.db_returning_fields)
            if connection.features.can_return_columns_from_insert
            else []
        )
        compiler.returning_fields = self.returning
        statements = compiler.as_sql()
        if len(statements) != 1:
            raise ValueError("one INSERT statement expected")
        self.sql, params = statements[0]
        # Every value must be a plain placeholder: the SQL is then the same for any row.
        if len(params) != len(self.fields) or self.sql.count("%s") != len(self.fields):
            raise ValueError("only plain values can be inserted with a prepared INSERT")
        self.pk = meta.pk
        self.table, self.pk_column = meta.db_table, meta.pk.column

    def run(self, obj) -> bool:
        connection = connections[self.db]
        params = []
        for field in self.fields:
            value = field.pre_save(obj, True)
            if hasattr(value, "resolve_expression"):
                return False  # an expression: Model.save() handles it
            params.append(field.get_db_prep_save(value, connection=connection))
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            if self.returning:
                row = cursor.fetchone()
                for field, value in zip(self.returning, row, strict=True):
                    for converter in field.get_db_converters(connection):
                        value = converter(value, field, connection)
                    setattr(obj, field.attname, value)
            else:
                pk = connection.ops.last_insert_id(cursor, self.table, self.pk_column)
                setattr(obj, self.pk.attname, pk)
        obj._state.adding = False
        obj._state.db = self.db
        return True
