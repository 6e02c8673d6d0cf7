"""The business vocabularies the raw checks compare against, read from the dbt seeds.

The seeds (dbt_project/seeds/) are where a business user maps source values (stages, statuses,
lifecycle stages, channels, currencies) to Relay's terms, and the models read them there. The raw
checks read the same files, so editing a seed changes both at once. A value no seed maps is not an
error in the data: real orgs rename and add picklist values. It is reported as a warning naming the
value, its count and the seed to edit; the models carry it as ``unmapped``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ingestion.pipelines.targets import REPO_ROOT

SEEDS_DIR = REPO_ROOT / "dbt_project" / "seeds"


@dataclass(frozen=True)
class Vocabulary:
    """Values of ``column`` are expected among ``column_in_seed`` of ``seed``'s rows that match
    ``where`` (seed column -> value), compared after ``fold`` (``lower``/``upper``/None), as the
    models join them."""

    column: str
    seed: str
    column_in_seed: str
    where: tuple[tuple[str, str], ...] = ()
    fold: str | None = None
    seeds_dir: Path = SEEDS_DIR

    @property
    def seed_path(self) -> Path:
        return self.seeds_dir / f"{self.seed}.csv"

    def values(self) -> list[str]:
        """Read when a suite is built, so an edited seed counts from the next validation on."""
        with self.seed_path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        folded = _FOLDS[self.fold]
        wanted = dict(self.where)
        return sorted({
            folded(row[self.column_in_seed])
            for row in rows
            if row.get(self.column_in_seed) and all(row.get(k) == v for k, v in wanted.items())
        })

    def unmapped_query(self) -> str:
        """SQL over ``{batch}``: each value outside the vocabulary with its number of records."""
        value = f"{self.fold}({self.column})" if self.fold else self.column
        known = ", ".join("'" + v.replace("'", "''") + "'" for v in self.values())
        outside = f" and {value} not in ({known})" if known else ""
        return (
            f"select {value} as value, count(*) as records from {{batch}}"
            f" where {self.column} is not null{outside} group by {value}"
        )

    @property
    def description(self) -> str:
        return (
            f"{self.column} values mapped in seed {self.seed}"
            f" (unmapped ones are listed with their counts; add them to {self.seed}.csv in dbt_project/seeds)"
        )


_FOLDS: dict[str | None, Callable[[str], str]] = {None: str, "lower": str.lower, "upper": str.upper}

CURRENCY = Vocabulary("currency_iso_code", "currency_rates", "currency_code", fold="upper")
LEAD_STATUS = Vocabulary(
    "status", "funnel_stage_mapping", "source_value",
    where=(("source_system", "salesforce"), ("source_field", "lead_status")), fold="lower",
)
LEAD_SOURCE = Vocabulary(
    "lead_source", "channel_mapping", "source_value",
    where=(("source_system", "salesforce"), ("source_field", "lead_source")), fold="lower",
)
OPPORTUNITY_STAGE = Vocabulary("stage_name", "opportunity_stage_mapping", "stage_name")
LIFECYCLE_STAGE = Vocabulary(
    "lifecyclestage", "funnel_stage_mapping", "source_value",
    where=(("source_system", "hubspot"), ("source_field", "lifecyclestage")), fold="lower",
)
ANALYTICS_SOURCE = Vocabulary(
    "hs_analytics_source", "channel_mapping", "source_value",
    where=(("source_system", "hubspot"), ("source_field", "analytics_source")), fold="lower",
)
EMAIL_EVENT_TYPE = Vocabulary("type", "email_event_touch_types", "event_type", fold="upper")
