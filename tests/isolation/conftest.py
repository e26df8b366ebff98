def pytest_terminal_summary(terminalreporter):
    """The route matrix's size, when it ran: the issue asks for it in the closing note."""
    import sys

    matrix = sys.modules.get("tests.isolation.test_route_matrix")
    if matrix is not None and matrix.SUMMARY:
        terminalreporter.write_line(matrix.SUMMARY[0])
