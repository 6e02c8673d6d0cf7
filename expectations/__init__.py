"""Relay's Great Expectations checks: suites per table (``suites/``), the GX context and warehouse
datasource (``context``), validation (``validation``), the Dagster adapter (``asset_checks``) and the
ops report (``report``)."""
