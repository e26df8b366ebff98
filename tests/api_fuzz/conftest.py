"""The schemathesis run's tally: how many generated cases each role sent, printed at the end of the run."""

import collections

CASES: collections.Counter = collections.Counter()
SECONDS: collections.Counter = collections.Counter()


def pytest_terminal_summary(terminalreporter):
    if not CASES:
        return
    terminalreporter.section("schemathesis cases per role")
    for label, count in sorted(CASES.items()):
        terminalreporter.write_line(f"{label}: {count} cases, {SECONDS[label]:.1f}s in requests")
    terminalreporter.write_line(f"total: {sum(CASES.values())} cases")
