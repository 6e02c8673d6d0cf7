"""Every Great Expectations suite Relay runs, one per table, grouped by warehouse schema.

The suites are code (``TableRules`` in one module per schema) and become GX suites at validation
time, when the thresholds that depend on the previous load (row counts) are known.
"""

from __future__ import annotations

from expectations.suites import marts, raw_hubspot, raw_salesforce
from expectations.suites.rules import CRITICAL, WARNING, SuiteSettings, TableRules, build_suite

RAW_TABLES: tuple[TableRules, ...] = raw_salesforce.TABLES + raw_hubspot.TABLES
MART_TABLES: tuple[TableRules, ...] = marts.TABLES
ALL_TABLES: tuple[TableRules, ...] = RAW_TABLES + MART_TABLES

__all__ = [
    "ALL_TABLES",
    "CRITICAL",
    "MART_TABLES",
    "RAW_TABLES",
    "WARNING",
    "SuiteSettings",
    "TableRules",
    "build_suite",
]
