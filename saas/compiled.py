"""Querysets compiled to SQL once per process, for the few queries nearly every request runs.

Django turns a queryset into SQL each time it runs. For the query that loads the signed-in
user with its enterprise seat, role names and unread count, that compilation cost 1.1 ms
and the query itself 0.6 ms (bench/application_pages.py's machine), on every page.
A `CompiledQuery` compiles once, keeps the SQL and the compiler's map of columns, and on
each call puts the new parameter values in, runs the SQL and builds model instances the
way iterating a queryset does (`from_db`, select_related populators, annotations and the
fields' converters).

The SQL names no schema (django-tenants sets the search_path), so one compilation serves
every tenant. The queryset must take everything that varies through its parameters: a
value it reads while being built (the clock, the current schema) is frozen at the first
call. Compilations are kept per thread and database alias, since a compiler holds its
connection.
"""

import inspect
import threading
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

# Stand-ins for the parameters while compiling: values no caller passes, inside the range
# of the field types (Django answers an out-of-range integer lookup with no SQL at all).
_SAMPLES = {int: lambda i: -2_147_000_001 - i, str: lambda i: f"\uffffcompiled-parameter-{i}"}


class _Compilation:
    def __init__(self, queryset: QuerySet, samples: dict[str, object]):
        self.alias = queryset.db
        self.compiler = queryset.query.get_compiler(using=self.alias)
        self.sql, params = self.compiler.as_sql()
        self.params = list(params)
        self.slots = {}
        for name, sample in samples.items():
            slots = [i for i, value in enumerate(self.params) if value == sample]
            if not slots:
                raise ValueError(f"The compiled queryset does not use its parameter {name!r}")
            self.slots[name] = slots
        klass_info = self.compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in self.compiler.select[self.start : self.end]]
        self.annotations = dict(self.compiler.annotation_col_map or {})
        # What QuerySet iteration works out on every run, worked out once.
        self.converters = self.compiler.get_converters([column[0] for column in self.compiler.select])
        self.populators = get_related_populators(klass_info, self.compiler.select, self.alias)

    def run(self, values: dict[str, object]) -> list[Model]:
        params = list(self.params)
        for name, slots in self.slots.items():
            for slot in slots:
                params[slot] = values[name]
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if not rows:
            return []
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        instances = []
        for row in rows:
            instance = self.model.from_db(self.alias, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, instance)
            for name, position in self.annotations.items():
                setattr(instance, name, row[position])
            instances.append(instance)
        return instances


class CompiledQuery:
    """`build(**parameters)` returns the queryset; each parameter is annotated `int` or `str`.

    user_query = CompiledQuery(lambda user_id: User.objects.select_related(...).filter(pk=user_id),
                               user_id=int)
    user = user_query.first(user_id=request_user_id)
    """

    def __init__(self, build: Callable[..., QuerySet], **parameter_types: type):
        names = list(inspect.signature(build).parameters)
        if sorted(names) != sorted(parameter_types):
            raise TypeError(f"Give the type of each of {names}")
        if any(kind not in _SAMPLES for kind in parameter_types.values()):
            raise TypeError("Parameters may be int or str")
        self.build = build
        self.samples = {name: _SAMPLES[kind](i) for i, (name, kind) in enumerate(parameter_types.items())}
        self._local = threading.local()

    def _compilation(self, alias: str) -> _Compilation:
        compiled = getattr(self._local, "by_alias", None)
        if compiled is None:
            compiled = self._local.by_alias = {}
        if alias not in compiled:
            queryset = self.build(**self.samples)
            if queryset.db != alias:
                queryset = queryset.using(alias)
            compiled[alias] = _Compilation(queryset, self.samples)
        return compiled[alias]

    def all(self, *, using: str = DEFAULT_DB_ALIAS, **values) -> list[Model]:
        if sorted(values) != sorted(self.samples):
            raise TypeError(f"Pass exactly {sorted(self.samples)}")
        return self._compilation(using).run(values)

    def first(self, *, using: str = DEFAULT_DB_ALIAS, **values) -> Model | None:
        found = self.all(using=using, **values)
        return found[0] if found else None
