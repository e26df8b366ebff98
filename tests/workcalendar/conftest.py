"""Calendar fixtures: the demands' settable clock, park A's people, and a process cache forgotten after each test."""

import pytest

from public_schema.workcalendar.selectors import entered_schedules_forget

from ..applications.conftest import enterprise_x, in_alpha, park_admin  # noqa: F401
from ..demands.conftest import clock  # noqa: F401


@pytest.fixture(autouse=True)
def _forget_entered_years():
    # A year entered in a rolled-back test must not linger in this process's one-minute copy.
    entered_schedules_forget()
    yield
    entered_schedules_forget()
