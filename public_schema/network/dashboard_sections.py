"""Cards other apps add to the institution's dashboard (orders, voucher claims), registered by those apps.

The network's pages know no tenant app (pyproject's import-linter contracts): an app that
has something for the institution's desk registers a section from its AppConfig.ready,
as receivers register for envelopes. A section is a function of the request returning the
template to include and its context, or None when it has nothing to show.
"""

from collections.abc import Callable

SECTIONS: list[tuple[int, Callable]] = []


def dashboard_section(order: int):
    """Register `function(request) -> dict | None` (with a "template" key) at position `order`."""

    def register(function):
        if all(existing is not function for _order, existing in SECTIONS):
            SECTIONS.append((order, function))
            SECTIONS.sort(key=lambda entry: entry[0])
        return function

    return register


def dashboard_sections_for(request) -> list[dict]:
    sections = []
    for _order, function in SECTIONS:
        section = function(request)
        if section:
            sections.append(section)
    return sections
