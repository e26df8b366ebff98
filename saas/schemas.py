"""Doing one thing in every schema: the public one and each live tenant's.

Housekeeping jobs (sessions, login records, old notifications) run once per schema. A
schema that fails is reported and the others still run: one broken tenant must not keep
every other tenant's expired sessions around.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django_tenants.utils import get_public_schema_name, get_tenant_model, schema_context

logger = logging.getLogger(__name__)


def schema_names_every(*, include_public: bool = True) -> list[str]:
    """The public schema (if asked) and every live tenant's schema, in a stable order."""
    tenants = get_tenant_model().objects.live().order_by("schema_name")
    names = list(tenants.values_list("schema_name", flat=True))
    return ([get_public_schema_name()] if include_public else []) + names


@dataclass(frozen=True)
class SchemaOutcome:
    schema_name: str
    result: Any = None
    error: str = ""


def run_in_every_schema(job: Callable[[], Any], *, schema_names: list[str]) -> list[SchemaOutcome]:
    """Run `job()` in each schema in turn; an error is logged and recorded, and the next schema runs."""
    outcomes = []
    for schema_name in schema_names:
        try:
            with schema_context(schema_name):
                outcomes.append(SchemaOutcome(schema_name, result=job()))
        except Exception as error:
            logger.exception("%s failed in schema %s", getattr(job, "__name__", job), schema_name)
            outcomes.append(SchemaOutcome(schema_name, error=f"{type(error).__name__}: {error}"))
    return outcomes


class EverySchemaCommand:
    """Mixin for a management command that runs a job in every schema (or the ones named).

    Prints one line per schema with what the job returned, and exits non-zero if any schema
    failed, after the others ran.
    """

    include_public = True

    def add_schema_arguments(self, parser):
        parser.add_argument("--schema", action="append", default=[], help="only this schema (repeatable)")

    def chosen_schema_names(self, options) -> list[str]:
        from django.core.management.base import CommandError

        names = schema_names_every(include_public=self.include_public)
        if options["schema"]:
            unknown = sorted(set(options["schema"]) - set(names))
            if unknown:
                raise CommandError(
                    f"Not a schema this command runs in: {', '.join(unknown)} (choose from {', '.join(names)})"
                )
            names = [name for name in names if name in options["schema"]]
        return names

    def run_and_report(self, job, options, *, describe) -> None:
        from django.core.management.base import CommandError

        outcomes = run_in_every_schema(job, schema_names=self.chosen_schema_names(options))
        for outcome in outcomes:
            if outcome.error:
                self.stderr.write(f"{outcome.schema_name}: FAILED {outcome.error}")
            else:
                self.stdout.write(f"{outcome.schema_name}: {describe(outcome.result)}")
        failed = [outcome.schema_name for outcome in outcomes if outcome.error]
        if failed:
            raise CommandError(
                f"Failed in {len(failed)} schema(s): {', '.join(failed)}; the others are done."
            )
