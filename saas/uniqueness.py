""" "One live X per Y" rules are partial unique indexes; this turns their refusals into a 400.

A check with `.exists()` before an insert lets two concurrent requests both pass it (a
double-click, a retry, a deadline-day rush). The database is the only place the rule can
hold, so each app declares it as a conditional `UniqueConstraint` and names it in a
`UniqueRule` with the field and the message a person reads. The services keep their
friendly pre-check for the common case and wrap the insert in `unique_rules(...)`: the
loser of a race gets the same field error, never a 500.

The constraint is recognised by its name, which PostgreSQL reports with the error
(`diag.constraint_name`); an IntegrityError of any other constraint is re-raised as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction


@dataclass(frozen=True)
class UniqueRule:
    constraint: str  # the name of the UniqueConstraint (or PostgreSQL's name of a unique column)
    field: str  # the form / API field the error is shown on
    message: object  # translated, lazily


def constraint_of(error: IntegrityError) -> str:
    """The name of the constraint PostgreSQL says the statement violated ("" if it names none)."""
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) or ""


@contextmanager
def unique_rules(*rules: UniqueRule) -> Iterator[None]:
    """Run the block in a savepoint; a violation of one of `rules` becomes that rule's field error."""
    by_name = {rule.constraint: rule for rule in rules}
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        rule = by_name.get(constraint_of(error))
        if rule is None:
            raise
        raise ValidationError({rule.field: str(rule.message)}, code="unique") from None
