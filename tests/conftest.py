"""Fixture plugins shared across the suite, one module per component (see tests/fixtures/)."""

pytest_plugins = [
    "tests.fixtures.sandbox",
    "tests.fixtures.warehouse",
]
