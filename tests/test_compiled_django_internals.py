"""What saas/compiled.py takes from Django's private query machinery, pinned.

saas.compiled compiles a queryset once and later runs its SQL and builds instances
itself, the way QuerySet iteration (django.db.models.query.ModelIterable) does. It uses
APIs Django does not document or keep stable: the compiler's `klass_info`, `select`,
`annotation_col_map`, `get_converters` / `apply_converters`, `get_related_populators` and
the order of a compiled query's parameters. A Django upgrade that changes any of them
must fail here, with a message naming what to re-check, before it breaks the query that
loads the signed-in user on every request (every_schema.accounts.backends) or the tenant of a host
(public_schema.tenants.middleware).
"""

import inspect

import django
import pytest
from django.db import connection
from django.db.models import F, JSONField, Value
from django.db.models.functions import Cast
from django.db.models.query import ModelIterable, get_related_populators

from public_schema.tenants.models import Domain, Tenant
from saas.compiled import _SAMPLES, CompiledQuery, _Compilation

RECHECK = (
    f"Django {django.get_version()} changed {{what}}. Re-check saas/compiled.py's {{where}} against "
    "django/db/models/query.py (ModelIterable.__iter__) and django/db/models/sql/compiler.py, "
    "then update this test."
)


def _compiled(queryset):
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    return compiler, sql, list(params)


def _domains():
    return Domain.objects.select_related("tenant").annotate(tenant_label=F("tenant__name")).order_by("pk")


def test_model_iteration_still_reads_the_compiler_the_way_compiled_copies_it():
    source = inspect.getsource(ModelIterable.__iter__)
    for name in ("klass_info", "select_fields", "annotation_col_map", "get_related_populators", "from_db"):
        assert name in source, RECHECK.format(
            what=f"how QuerySet iteration builds instances (ModelIterable no longer uses {name})",
            where="_Compilation.__init__ and _Compilation.run",
        )


def test_get_related_populators_takes_klass_info_select_and_alias():
    parameters = list(inspect.signature(get_related_populators).parameters)
    assert parameters == ["klass_info", "select", "db"], RECHECK.format(
        what=f"get_related_populators' parameters (now {parameters})", where="_Compilation.__init__"
    )


def test_the_compiler_describes_the_model_columns_and_annotations_after_as_sql(db):
    compiler, _sql, _params = _compiled(_domains())
    klass_info = compiler.klass_info
    assert isinstance(klass_info, dict) and klass_info["model"] is Domain, RECHECK.format(
        what="compiler.klass_info (no longer a dict naming the model)",
        where="_Compilation.__init__ (self.model)",
    )
    fields = klass_info["select_fields"]
    assert fields == list(range(fields[0], fields[-1] + 1)), RECHECK.format(
        what="compiler.klass_info['select_fields'] (the model's columns are not one contiguous run)",
        where="_Compilation.__init__ (self.start, self.end)",
    )
    attnames = [column[0].target.attname for column in compiler.select[fields[0] : fields[-1] + 1]]
    assert attnames == [field.attname for field in Domain._meta.concrete_fields], RECHECK.format(
        what="compiler.select (entries no longer (Col, sql, alias) in the model's field order)",
        where="_Compilation.__init__ (self.init_list)",
    )
    related = klass_info["related_klass_infos"]
    assert [info["model"] for info in related] == [Tenant], RECHECK.format(
        what="klass_info['related_klass_infos'] for select_related", where="get_related_populators' input"
    )
    position = compiler.annotation_col_map["tenant_label"]
    assert compiler.select[position][0].target.attname == "name", RECHECK.format(
        what="compiler.annotation_col_map (no longer annotation name -> position in the row)",
        where="_Compilation.run (annotations)",
    )


def test_parameters_come_out_of_as_sql_as_given_one_slot_each(db):
    sample_int, sample_str = _SAMPLES[int](0), _SAMPLES[str](1)
    compiler, _sql, params = _compiled(Domain.objects.filter(pk=sample_int, domain=sample_str))
    assert params.count(sample_int) == 1 and params.count(sample_str) == 1, RECHECK.format(
        what=f"the parameters of a compiled query (got {params})", where="_Compilation.__init__ (self.slots)"
    )
    # Django answers an integer lookup outside the column's range with no SQL (EmptyResultSet);
    # the samples must stay inside it or compiling a user or tenant query fails.
    _compiled(Tenant.objects.filter(pk=sample_int))


def test_converters_are_a_map_of_row_positions_applied_by_apply_converters(db):
    queryset = Tenant.objects.annotate(settings_json=Cast(Value('{"a": 1}'), JSONField())).order_by("pk")
    compiler, sql, params = _compiled(queryset)
    converters = compiler.get_converters([column[0] for column in compiler.select])
    position = compiler.annotation_col_map["settings_json"]
    assert isinstance(converters, dict) and position in converters, RECHECK.format(
        what="compiler.get_converters (no longer {row position: (converters, expression)})",
        where="_Compilation.__init__ (self.converters)",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converted = list(compiler.apply_converters(rows, converters))
    assert converted and converted[0][position] == {"a": 1}, RECHECK.format(
        what="compiler.apply_converters(rows, converters)", where="_Compilation.run"
    )


def test_from_db_builds_a_saved_instance_from_attnames_and_values(db):
    values = [getattr(Domain.objects.first(), field.attname) for field in Domain._meta.concrete_fields]
    instance = Domain.from_db("default", [field.attname for field in Domain._meta.concrete_fields], values)
    assert instance._state.adding is False and instance._state.db == "default", RECHECK.format(
        what="Model.from_db", where="_Compilation.run"
    )


def test_a_compiled_query_gives_what_the_orm_gives(db, tenant_a, tenant_b):
    compiled = CompiledQuery(lambda tenant_id: _domains().filter(tenant_id=tenant_id), tenant_id=int)
    for tenant in (tenant_a, tenant_b):
        expected = list(_domains().filter(tenant_id=tenant.pk))
        got = compiled.all(tenant_id=tenant.pk)
        assert expected, "the fixtures' tenants have domains"
        shape = [(d.pk, d.domain, d.tenant.pk, d.tenant.name, d.tenant_label) for d in got]
        assert shape == [(d.pk, d.domain, d.tenant.pk, d.tenant.name, d.tenant_label) for d in expected], (
            RECHECK.format(what="how a queryset's rows become instances", where="_Compilation.run")
        )
        assert all(d._state.fields_cache.get("tenant") is not None for d in got), RECHECK.format(
            what="RelatedPopulator.populate(row, instance)", where="_Compilation.run (select_related)"
        )


def test_a_compilation_refuses_a_queryset_that_ignores_a_parameter(db):
    with pytest.raises(ValueError, match="does not use its parameter"):
        _Compilation(Domain.objects.all(), {"tenant_id": _SAMPLES[int](0)})
