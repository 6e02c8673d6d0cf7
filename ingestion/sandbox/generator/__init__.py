"""The sandbox's synthetic data generator: one deterministic story told by a Salesforce org and a
HubSpot portal, written as JSONL files in each API's record shape (see ../README.md).

- :func:`generate` writes a dataset for a number of people and a seed.
- :func:`mutate` updates, inserts and deletes a fraction of it, for incremental loads.
"""

from ingestion.sandbox.generator.generate import generate
from ingestion.sandbox.generator.mutate import mutate

__all__ = ["generate", "mutate"]
