"""Custom fields: the wide profile (``generate --custom-fields N``) and the account's declaration.

Real orgs and portals carry hundreds of admin-made fields on their main objects; that is what makes
the APIs' URI and body limits bite. With ``N`` custom fields asked for, HubSpot contacts get ``N``
custom properties and Salesforce Lead, Contact, Account, Opportunity and HubSpot companies get
``3N/5`` each (500 -> 500 and 300), of every type the APIs have, filled in on a varying share of
the records (some fields almost always set, others rarely).

- Names and types depend only on the object and ``N`` (the same ``N`` declares the same fields);
  values depend on the seed and the record's row, so equal inputs give byte-identical files.
- Salesforce fields end in ``__c`` and carry their describe type; values are JSON of that type
  (numbers for double, currency and percent; ``true``/``false`` for checkboxes, never null).
- HubSpot values are strings, as the CRM API sends every property; the type is in the declaration.

:func:`declaration` is what the generator writes to ``<dir>/schema.json`` (catalog's format), and
:func:`read_custom` reads the custom fields back from any data directory's schema.json, so
``mutate`` reads and writes the files with every field typed.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from ingestion.sandbox import catalog
from ingestion.sandbox.generator.randomness import pick, stream
from ingestion.sandbox.generator.story import DAY, MINUTE
from ingestion.sandbox.generator.wire_formats import hs_datetime, iso_date, sf_datetime

# Object key -> its share of N.
SHARES: dict[str, float] = {
    "hubspot/contacts": 1.0,
    "hubspot/companies": 0.6,
    "salesforce/Lead": 0.6,
    "salesforce/Contact": 0.6,
    "salesforce/Account": 0.6,
    "salesforce/Opportunity": 0.6,
}
MAX_CUSTOM_FIELDS = 2_000
HUBSPOT_GROUP = "relay_custom_fields"

# Salesforce describe types of custom fields, and how often an admin makes each.
_SF_TYPES = (
    ("picklist", 0.2), ("string", 0.2), ("double", 0.12), ("currency", 0.1), ("percent", 0.08),
    ("date", 0.1), ("datetime", 0.08), ("boolean", 0.07), ("textarea", 0.03), ("url", 0.02),
)
# HubSpot property (type, fieldType) pairs.
_HS_TYPES = (
    (("string", "text"), 0.3), (("enumeration", "select"), 0.2), (("number", "number"), 0.15),
    (("date", "date"), 0.1), (("datetime", "date"), 0.08), (("bool", "booleancheckbox"), 0.07),
    (("enumeration", "checkbox"), 0.05), (("string", "textarea"), 0.05),
)
_TOPICS = (
    "region", "segment", "tier", "renewal", "partner", "territory", "churn_risk", "nps", "budget",
    "contract", "onboarding", "health", "expansion", "support_plan", "billing", "product_interest",
    "competitor", "event", "referral", "persona", "buying_stage", "use_case", "integration", "legal",
)
# What admins call a field of each type (keyed by Salesforce type or HubSpot fieldType).
_QUALIFIERS = {
    "picklist": ("status", "level", "type", "stage", "category"), "select": ("status", "level", "type", "stage"),
    "checkbox": ("interests", "channels", "regions"), "string": ("code", "owner", "name", "reference"),
    "text": ("code", "owner", "name", "reference"), "double": ("score", "count", "index"),
    "number": ("score", "count", "index"), "currency": ("amount", "value", "budget"),
    "percent": ("rate", "share", "probability"), "date": ("date", "start", "renewal_date"),
    "datetime": ("updated", "last_contacted", "synced_at"), "boolean": ("flag", "opt_in", "verified"),
    "booleancheckbox": ("flag", "opt_in", "verified"), "textarea": ("notes", "comments"), "url": ("url", "link"),
}
_PICKLISTS = (
    ("Tier 1", "Tier 2", "Tier 3"), ("Gold", "Silver", "Bronze", "None"), ("North", "South", "East", "West"),
    ("Yes", "No", "Unknown"), ("Q1", "Q2", "Q3", "Q4"), ("Low", "Medium", "High", "Critical"),
    ("Inbound", "Outbound", "Partner", "Event", "Other"),
)
_WORDS = ("alpha", "atlas", "beacon", "cobalt", "delta", "ember", "falcon", "granite", "harbor", "ion",
          "juniper", "kestrel", "lumen", "meridian", "nimbus", "orion", "pioneer", "quartz", "ridge", "summit")


@dataclass(frozen=True)
class CustomField:
    name: str
    label: str
    kind: str  # Salesforce describe type, or HubSpot property type
    field_type: str | None  # HubSpot fieldType
    options: tuple[str, ...]
    fill: float  # share of records with a value


def count_for(key: str, custom_fields: int) -> int:
    return int(round(custom_fields * SHARES.get(key, 0.0)))


def validate(custom_fields) -> None:
    if isinstance(custom_fields, bool) or not isinstance(custom_fields, int):
        raise ValueError(f"custom_fields must be a whole number from 0 to {MAX_CUSTOM_FIELDS:,}, got {custom_fields!r}")
    if not 0 <= custom_fields <= MAX_CUSTOM_FIELDS:
        raise ValueError(f"custom_fields must be from 0 to {MAX_CUSTOM_FIELDS:,}, got {custom_fields:,}")


def plan(key: str, custom_fields: int) -> list[CustomField]:
    """The custom fields of one object (empty unless the object is in ``SHARES``)."""
    n = count_for(key, custom_fields)
    if n == 0:
        return []
    salesforce = key.startswith("salesforce/")
    rng = stream(0, "custom-fields/" + key)  # names and types do not depend on the seed
    kinds = _SF_TYPES if salesforce else _HS_TYPES
    chosen = pick(rng, [w for _, w in kinds], n)
    topics = rng.integers(0, len(_TOPICS), n)
    qualifiers = rng.integers(0, 60, n)
    fills = np.round(rng.choice([0.03, 0.15, 0.4, 0.7, 0.95], n), 2)
    option_sets = rng.integers(0, len(_PICKLISTS), n)
    fields = []
    for i in range(n):
        kind = kinds[chosen[i]][0]
        if salesforce:
            words_for = _QUALIFIERS[kind]
        else:
            words_for = _QUALIFIERS["datetime" if kind[0] == "datetime" else kind[1]]
        words = f"{_TOPICS[topics[i]]}_{words_for[qualifiers[i] % len(words_for)]}_{i + 1:03d}"
        label = words.replace("_", " ").capitalize()
        if salesforce:
            name = "_".join(part.capitalize() for part in words.split("_")) + "__c"
            field_type = None
        else:
            name, (kind, field_type) = words, kind
        enumerated = kind in ("picklist", "enumeration")
        options = _PICKLISTS[option_sets[i]] if enumerated else ()
        fields.append(CustomField(name, label, kind, field_type, options, float(fills[i])))
    return fields


def _hubspot_option(value: str) -> str:
    return value.lower().replace(" ", "_")


def _sf_describe(field: CustomField) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": field.name, "type": field.kind, "custom": True, "label": field.label,
                             "nillable": field.kind != "boolean"}
    if field.kind in ("string", "picklist", "url"):
        entry["length"] = 255
    elif field.kind == "textarea":
        entry["length"] = 32_768
    if field.options:
        entry["picklistValues"] = [{"value": v, "label": v, "active": True} for v in field.options]
    return entry


def _hs_property(field: CustomField) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": field.name, "label": field.label, "type": field.kind,
                             "fieldType": field.field_type, "groupName": HUBSPOT_GROUP, "hubspotDefined": False}
    if field.options:
        entry["options"] = [{"label": v, "value": _hubspot_option(v)} for v in field.options]
    return entry


def declaration(custom_fields: int) -> dict[str, dict[str, Any]]:
    """The account's declared schema: catalog's standard objects plus every custom field."""
    document: dict[str, dict[str, Any]] = copy.deepcopy(catalog.STANDARD)
    for key in SHARES:
        api, name = key.split("/")
        extra = plan(key, custom_fields)
        if api == "salesforce":
            document[api][name]["fields"].extend(_sf_describe(f) for f in extra)
        else:
            document[api][name]["properties"].extend(_hs_property(f) for f in extra)
    return document


# -- values --------------------------------------------------------------------------------------
# Values are drawn from pools made once per object (formatted strings, dates, moments), so a field
# costs one random draw and one gather, not a formatting pass over every record: 500 fields of
# 100,000 records take seconds.
_POOL = 4_096


class _Pools:
    def __init__(self, rng: np.random.Generator, as_of: int, salesforce: bool):
        words = np.array(_WORDS, dtype=object)
        pick_word = lambda: words[rng.integers(0, len(_WORDS), _POOL)]  # noqa: E731
        numbers = rng.integers(1, 9_999, _POOL)
        self.text = [f"{w.capitalize()} {k}" for w, k in zip(pick_word(), numbers, strict=True)]
        if salesforce:
            self.textarea = [f"Customer mentioned {a} and {b} during the call; follow up in {k % 11 + 1} weeks."
                             for a, b, k in zip(pick_word(), pick_word(), numbers, strict=True)]
        else:
            self.textarea = [f"Asked about {a} and {b} at the event." for a, b in zip(pick_word(), pick_word(), strict=True)]
        self.url = [f"https://www.{w}.example/{k % 999 + 1}" for w, k in zip(pick_word(), numbers, strict=True)]
        day = as_of - (as_of % DAY)
        self.date = iso_date(pl.Series(day - np.arange(730, dtype=np.int64) * DAY)).to_list()
        moments = pl.Series(as_of - rng.integers(MINUTE, 730 * DAY, _POOL))
        self.datetime = (sf_datetime(moments) if salesforce else hs_datetime(moments)).to_list()
        self.number = [repr(x) for x in _numbers(rng, "double", _POOL).tolist()]
        for name in ("text", "textarea", "url", "date", "datetime", "number"):
            setattr(self, name, _with_null(getattr(self, name)))


def _with_null(values: list[str]) -> pl.Series:
    """A pool as a string column whose last entry is null (what absent values gather)."""
    return pl.Series([*values, None], dtype=pl.String)


def _gather(pool: pl.Series, rng: np.random.Generator, present: np.ndarray) -> pl.Series:
    """A value drawn from ``pool`` (see _with_null) where ``present``, null elsewhere."""
    index = rng.integers(0, pool.len() - 1, present.shape[0])
    index[~present] = pool.len() - 1
    return pool.gather(index)


def values(key: str, custom_fields: int, n: int, seed: int, as_of: int) -> dict[str, pl.Series]:
    """One column per custom field of ``key``, ``n`` rows, in declaration order."""
    fields = plan(key, custom_fields)
    if not fields:
        return {}
    salesforce = key.startswith("salesforce/")
    rng = stream(seed, "custom-values/" + key)
    pools = _Pools(rng, as_of, salesforce)
    columns = {}
    for field in fields:
        present = rng.random(n) < field.fill
        make = _sf_values if salesforce else _hs_values
        columns[field.name] = make(field, pools, rng, present).alias(field.name)
    return columns


def _numbers(rng, kind: str, n: int) -> np.ndarray:
    if kind == "currency":
        return np.round(rng.lognormal(np.log(5_000), 1.0, n), 2)
    if kind == "percent":
        return np.round(rng.uniform(0, 100, n), 1)
    return np.round(rng.lognormal(np.log(40), 1.2, n), 2)


def _sf_values(field: CustomField, pools: _Pools, rng, present: np.ndarray) -> pl.Series:
    kind = field.kind
    if kind == "boolean":  # a checkbox is always true or false, never null
        return pl.Series(rng.random(present.shape[0]) < 0.3)
    if kind in ("double", "currency", "percent"):
        values = _numbers(rng, kind, present.shape[0])
        return pl.Series(np.where(present, values, np.nan), nan_to_null=True)
    pool = {"picklist": _with_null(list(field.options)), "date": pools.date, "datetime": pools.datetime, "url": pools.url,
            "textarea": pools.textarea}.get(kind, pools.text)
    return _gather(pool, rng, present)


def _hs_values(field: CustomField, pools: _Pools, rng, present: np.ndarray) -> pl.Series:
    kind, field_type = field.kind, field.field_type
    if kind == "enumeration":
        options = [_hubspot_option(v) for v in field.options]
        if field_type == "checkbox":  # multiple checkboxes: one value, or two joined by ';'
            options += [f"{a};{b}" for a in options for b in options if a < b]
        return _gather(_with_null(options), rng, present)
    pool = {"number": pools.number, "bool": _with_null(["true", "false", "false"]), "date": pools.date,
            "datetime": pools.datetime}.get(kind)
    if pool is None:
        pool = pools.textarea if field_type == "textarea" else pools.text
    return _gather(pool, rng, present)


def extend(key: str, frame: pl.DataFrame, custom_fields: int, seed: int, as_of: int) -> pl.DataFrame:
    """``frame`` with the object's custom fields added: top-level Salesforce fields after the
    standard ones; HubSpot properties at the end of ``properties``."""
    columns = values(key, custom_fields, frame.height, seed, as_of)
    if not columns:
        return frame
    if key.startswith("salesforce/"):
        return frame.hstack(list(columns.values()))
    properties = frame["properties"].struct.unnest().hstack(list(columns.values())).to_struct("properties")
    return frame.with_columns(properties)


# -- reading a data directory's declaration back ----------------------------------------------------
_SF_POLARS = {"boolean": pl.Boolean, "int": pl.Int64, "double": pl.Float64, "currency": pl.Float64,
              "percent": pl.Float64}


def read_custom(data_dir: Path) -> dict[str, dict[str, pl.DataType]]:
    """Object key -> {custom field: polars type} from ``<data_dir>/schema.json`` (empty without one).

    Salesforce fields declared ``custom``, HubSpot properties not ``hubspotDefined`` (strings, as
    the API sends them), in declaration order."""
    path = Path(data_dir) / catalog.SCHEMA_FILE
    if not path.is_file():
        return {}
    document = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, dict[str, pl.DataType]] = {}
    for name, declared in (document.get("salesforce") or {}).items():
        fields = {f["name"]: _SF_POLARS.get(f.get("type"), pl.String)
                  for f in (declared or {}).get("fields", []) if f.get("custom")}
        if fields:
            out[f"salesforce/{name}"] = fields
    for name, declared in (document.get("hubspot") or {}).items():
        fields = {p["name"]: pl.String for p in (declared or {}).get("properties", []) if not p.get("hubspotDefined", False)}
        if fields:
            out[f"hubspot/{name}"] = fields
    return out
