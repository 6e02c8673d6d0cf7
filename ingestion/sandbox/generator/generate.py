"""``generate``: write a whole synthetic dataset (both systems plus manifest) for a seed."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from ingestion.sandbox import catalog
from ingestion.sandbox.generator import custom_fields as custom
from ingestion.sandbox.generator.files import MANIFEST, max_modified, write_json, write_object
from ingestion.sandbox.generator.hubspot import HubSpotBuilder
from ingestion.sandbox.generator.salesforce import SalesforceBuilder
from ingestion.sandbox.generator.story import tell
from ingestion.sandbox.generator.wire_formats import epoch_ms

MIN_PEOPLE = 100
MAX_PEOPLE = 1_000_000
MUTATIONS_DIR = "mutations"
FORMAT_VERSION = 1


def _as_of_ms(as_of: date | datetime | str | None) -> int:
    if as_of is None:
        today = datetime.now(UTC).date()
        return epoch_ms(today)
    if isinstance(as_of, str):
        try:
            as_of = datetime.fromisoformat(as_of.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"as_of must be an ISO date or datetime (e.g. 2024-06-30), got {as_of!r}") from None
    if not isinstance(as_of, (date, datetime)):
        raise ValueError(f"as_of must be a date, a datetime or None, got {type(as_of).__name__}")
    return epoch_ms(as_of)


def _validate(people, seed) -> None:
    if isinstance(people, bool) or not isinstance(people, int):
        raise ValueError(f"people must be a whole number from {MIN_PEOPLE:,} to {MAX_PEOPLE:,}, got {people!r}")
    if not MIN_PEOPLE <= people <= MAX_PEOPLE:
        raise ValueError(f"people must be from {MIN_PEOPLE:,} to {MAX_PEOPLE:,}, got {people:,}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0 or seed >= 2**63:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}")


def iso_utc(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def generate(
    out_dir: Path,
    people: int,
    seed: int,
    as_of: date | datetime | str | None = None,
    *,
    custom_fields: int = 0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write a dataset of ``people`` people for ``seed`` into ``out_dir``; return record counts per
    object (``{"salesforce/Lead": 1234, "hubspot/contacts": 10200, ...}``).

    ``as_of`` is the dataset's "now": every creation and modification happens at or before it
    (default: today's UTC midnight; an ISO string such as ``"2024-06-30"`` is accepted too). The same (people, seed, as_of) writes byte-identical files.
    ``custom_fields`` (the wide profile): HubSpot contacts get that many custom properties, and
    Salesforce Lead, Contact, Account, Opportunity and HubSpot companies 3/5 of it (see
    custom_fields.py); ``<out_dir>/schema.json`` declares the standard and custom fields either way.
    ``progress``, when given, is called with a short line per object written.
    """
    _validate(people, seed)
    custom.validate(custom_fields)
    as_of_ms = _as_of_ms(as_of)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # Mutation logs describe changes to a previous dataset in this directory; they no longer apply.
    shutil.rmtree(out_dir / MUTATIONS_DIR, ignore_errors=True)

    story = tell(people, seed, as_of_ms)
    counts: dict[str, int] = {}
    latest: dict[str, object] = {}
    # Each file is written on a second thread while the next object is built (polars releases the
    # GIL), at most one write in flight so at most two large frames are alive.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="relay-generator-writer") as writer:
        pending = None
        for system, builder in (("salesforce", SalesforceBuilder(story)), ("hubspot", HubSpotBuilder(story))):
            for name, frame in builder.frames():
                key = f"{system}/{name}"
                frame = custom.extend(key, frame, custom_fields, seed, as_of_ms)
                counts[key] = frame.height
                latest[key] = max_modified(key, frame)
                if pending is not None:
                    pending.result()
                pending = writer.submit(write_object, out_dir, key, frame)
                if progress:
                    progress(f"{key}: {frame.height:,} records")
                del frame
        if pending is not None:
            pending.result()
    write_json(out_dir / catalog.SCHEMA_FILE, custom.declaration(custom_fields))
    write_json(out_dir / MANIFEST, {
        "format_version": FORMAT_VERSION,
        "seed": seed,
        "people": people,
        "custom_fields": custom_fields,
        "as_of": iso_utc(as_of_ms),
        # The dataset's own clock, not the wall clock, so equal inputs give byte-identical output.
        "generated_at": iso_utc(as_of_ms),
        "counts": counts,
        "max_modified": latest,
        "mutations": 0,
    })
    return counts
