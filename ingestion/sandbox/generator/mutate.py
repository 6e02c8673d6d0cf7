"""``mutate``: update, insert and delete a fraction of an existing dataset, the way a live org and
portal change between two loads, so incremental loads have something real to pick up.

Every touched record's modification time moves strictly past the dataset's previous maximum (and
its previous ``as_of``); untouched records keep theirs. What changed is written to
``<dir>/mutations/<n>.json`` (ids per object: updated, inserted, deleted), so a test can demand
that an incremental load returns exactly those records.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl

from ingestion.sandbox.generator import vocab
from ingestion.sandbox.generator.files import (
    MANIFEST, max_modified, read_manifest, read_object, write_json, write_object,
)
from ingestion.sandbox.generator.generate import MUTATIONS_DIR, iso_utc
from ingestion.sandbox.generator.ids import guids, salesforce_id_counters, salesforce_ids
from ingestion.sandbox.generator.randomness import stream
from ingestion.sandbox.generator.schema import MODIFIED_FIELD, OBJECTS
from ingestion.sandbox.generator.story import DAY, HOUR, MINUTE
from ingestion.sandbox.generator.wire_formats import hs_datetime, iso_date, parse_any, sf_datetime

# How the touched records of an object split between updates, inserts and deletes.
SPLIT = (0.7, 0.2, 0.1)
UPDATES_ONLY = (1.0, 0.0, 0.0)
WINDOW = HOUR


def _validate(fraction, seed) -> None:
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not math.isfinite(fraction):
        raise ValueError(f"fraction must be a number from 0 to 1, got {fraction!r}")
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must be from 0 to 1 (e.g. 0.01 for 1%), got {fraction}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}")


def _member(values: pl.Series, pool: pl.Series) -> np.ndarray:
    """Whether each of ``values`` is in ``pool`` (null is never a member)."""
    return values.is_in(pool.implode()).fill_null(False).to_numpy()


def _as_ms(key: str, value) -> int | None:
    if value is None:
        return None
    if MODIFIED_FIELD[key][1] == "epoch_ms":
        return int(value)
    return parse_any(value)


class _Change:
    """One object's frame while it is being changed, and the ids changed so far."""

    def __init__(self, key: str, frame: pl.DataFrame):
        self.key = key
        self.frame = frame
        self.id_field = "conversionId" if key == "hubspot/form_submissions" else ("Id" if key.startswith("salesforce/") else "id")
        self.updated: list[str] = []
        self.inserted: list[str] = []
        self.deleted: list[str] = []

    @property
    def dirty(self) -> bool:
        return bool(self.updated or self.inserted or self.deleted)

    def live(self) -> np.ndarray:
        """Row positions of records that are neither deleted nor archived."""
        columns = self.frame.columns
        if "IsDeleted" in columns:
            return np.flatnonzero(~self.frame["IsDeleted"].to_numpy())
        if "archived" in columns:
            return np.flatnonzero(~self.frame["archived"].to_numpy())
        return np.arange(self.frame.height)

    def ids(self, rows: np.ndarray) -> list[str]:
        return self.frame[self.id_field].gather(rows).to_list()


class _Mutation:
    def __init__(self, data_dir: Path, fraction: float, seed: int, number: int, start: int):
        self.dir = data_dir
        self.fraction = fraction
        self.rng = stream(seed, f"mutate/{number}")
        self.start = start
        self.changes: dict[str, _Change] = {key: _Change(key, read_object(data_dir, key)) for key in OBJECTS}

    # -- primitives ----------------------------------------------------------------------------
    def times(self, n: int) -> np.ndarray:
        return self.start + np.sort(self.rng.integers(0, WINDOW, n))

    def sample(self, candidates: np.ndarray, share: float) -> np.ndarray:
        """About ``fraction * share`` of the object's live records, drawn from ``candidates``."""
        k = min(candidates.shape[0], int(round(self.fraction * share * candidates.shape[0])))
        return np.sort(self.rng.choice(candidates, size=k, replace=False)) if k else np.empty(0, dtype=np.int64)

    def _stamp(self, change: _Change, rows: np.ndarray, exprs: dict[str, pl.Expr], *, delete: bool = False) -> None:
        """Apply ``exprs`` (which may use ``pl.col("_t")``, the change time in ms) to ``rows`` and move
        their modification time to it."""
        if rows.shape[0] == 0:
            return
        frame = change.frame
        mask = np.zeros(frame.height, dtype=bool)
        mask[rows] = True
        t = np.zeros(frame.height, dtype=np.int64)
        t[rows] = self.times(rows.shape[0])
        frame = frame.with_columns(_m=pl.Series(mask), _t=pl.Series(t))
        exprs = {**exprs, **self._modified_exprs(change.key, delete)}
        frame = frame.with_columns(
            [pl.when(pl.col("_m")).then(expr).otherwise(pl.col(name)).alias(name) for name, expr in exprs.items()]
        ).drop("_m", "_t")
        change.frame = frame

    @staticmethod
    def _modified_exprs(key: str, delete: bool) -> dict[str, pl.Expr]:
        t = pl.col("_t")
        if key.startswith("salesforce/"):
            out = {"LastModifiedDate": sf_datetime(t), "SystemModstamp": sf_datetime(t)}
            if delete:
                out["IsDeleted"] = pl.lit(True)
            return out
        if key in ("hubspot/contacts", "hubspot/companies"):
            prop = "lastmodifieddate" if key == "hubspot/contacts" else "hs_lastmodifieddate"
            out = {
                "updatedAt": hs_datetime(t),
                "properties": pl.col("properties").struct.with_fields(hs_datetime(t).alias(prop)),
            }
            if delete:
                out |= {"archived": pl.lit(True), "archivedAt": hs_datetime(t)}
            return out
        return {"updatedAt": hs_datetime(t)}

    def update(self, key: str, rows: np.ndarray, **exprs: pl.Expr) -> None:
        change = self.changes[key]
        self._stamp(change, rows, exprs)
        change.updated += change.ids(rows)

    def delete(self, key: str, rows: np.ndarray) -> None:
        change = self.changes[key]
        rows = np.intersect1d(rows, change.live())
        self._stamp(change, rows, {}, delete=True)
        change.deleted += change.ids(rows)

    def cascade(self, key: str, column: str, parent_ids: list[str]) -> None:
        """Soft-delete live records of ``key`` whose ``column`` points at a deleted parent."""
        if not parent_ids:
            return
        change = self.changes[key]
        live = change.live()
        points = _member(change.frame[column].gather(live), pl.Series(parent_ids, dtype=pl.String))
        self.delete(key, live[points])

    def insert(self, key: str, sources: np.ndarray, new_ids: pl.Series, **exprs: pl.Expr) -> pl.DataFrame:
        """Append copies of ``sources`` rows with new ids, created now, changed by ``exprs``."""
        change = self.changes[key]
        if sources.shape[0] == 0:
            return change.frame.clear()
        t = self.times(sources.shape[0])
        rows = change.frame[sources].with_columns(_t=pl.Series(t), _new_id=new_ids)
        created = self._created_exprs(key)
        rows = rows.with_columns(**{change.id_field: pl.col("_new_id")}).with_columns(**created, **exprs)
        rows = rows.with_columns(**self._modified_exprs(key, False)) if key != "hubspot/email_events" else rows
        rows = rows.select(change.frame.columns)
        change.frame = pl.concat([change.frame, rows])
        change.inserted += new_ids.to_list()
        return rows

    @staticmethod
    def _created_exprs(key: str) -> dict[str, pl.Expr]:
        t = pl.col("_t")
        if key.startswith("salesforce/"):
            sobject = key.split("/")[1]
            url = pl.lit(f"/services/data/{vocab.SALESFORCE_API_VERSION}/sobjects/{sobject}/") + pl.col("Id")
            return {
                "attributes": pl.struct(type=pl.lit(sobject), url=url),
                "CreatedDate": sf_datetime(t), "IsDeleted": pl.lit(False),
            }
        if key == "hubspot/email_events":
            return {"created": t}
        if key == "hubspot/form_submissions":
            return {"submittedAt": t}
        out = {"createdAt": hs_datetime(t)}
        if key in ("hubspot/contacts", "hubspot/companies"):
            out |= {"archived": pl.lit(False), "archivedAt": pl.lit(None, dtype=pl.String)}
        return out

    def next_salesforce_ids(self, key: str, n: int) -> pl.Series:
        existing = self.changes[key].frame["Id"]
        start = int(salesforce_id_counters(existing).max()) + 1 if existing.len() else 0
        return salesforce_ids(key.split("/")[1], np.arange(start, start + n))

    def next_numeric_ids(self, key: str, n: int) -> pl.Series:
        existing = self.changes[key].frame["id"]
        start = int(existing.cast(pl.Int64).max()) + 1 if existing.len() else 1
        return pl.Series(np.arange(start, start + n, dtype=np.int64)).cast(pl.String)

    def split(self, key: str, candidates: np.ndarray | None = None, shares=SPLIT) -> tuple[np.ndarray, ...]:
        """Disjoint row samples to update, to copy for inserts and to delete, in ``shares``."""
        change = self.changes[key]
        live = change.live()
        pool = live if candidates is None else candidates
        # The fraction is of the object's live records, even when only some of them can change.
        total = self.sample(pool, live.shape[0] / max(pool.shape[0], 1))
        total = self.rng.permutation(total)
        k_upd = int(round(total.shape[0] * shares[0] / sum(shares)))
        k_ins = int(round(total.shape[0] * shares[1] / sum(shares)))
        return np.sort(total[:k_upd]), np.sort(total[k_upd : k_upd + k_ins]), np.sort(total[k_upd + k_ins :])

    def shuffled(self, key: str, column: str, n: int) -> pl.Series:
        """``n`` values of ``column`` drawn from the object's records (for plausible new values)."""
        values = self.changes[key].frame[column].drop_nulls()
        return values.gather(self.rng.integers(0, values.len(), n)) if values.len() else pl.Series([None] * n, dtype=pl.String)

    # -- objects -------------------------------------------------------------------------------
    def run(self) -> None:
        self.salesforce()
        self.hubspot()

    def salesforce(self) -> None:
        c = self.changes
        # Parents first, so children see their cascaded deletes before their own changes.
        leads = c["salesforce/Lead"].frame
        open_leads = np.flatnonzero((~leads["IsDeleted"] & ~leads["IsConverted"]).to_numpy())
        upd, ins, dele = self.split("salesforce/Lead", open_leads)
        statuses = pl.Series([vocab.LEAD_STATUS_WORKING, vocab.LEAD_STATUS_NURTURING, vocab.LEAD_STATUS_UNQUALIFIED])
        self.update("salesforce/Lead", upd, Status=self._spread(statuses, upd, leads.height),
                    Title=self._spread(self.shuffled("salesforce/Lead", "Title", upd.shape[0]), upd, leads.height))
        self._insert_people_like("salesforce/Lead", ins)
        self.delete("salesforce/Lead", dele)
        deleted_leads = c["salesforce/Lead"].deleted

        contacts = c["salesforce/Contact"]
        referenced = pl.concat([c["salesforce/Lead"].frame["ConvertedContactId"], c["salesforce/OpportunityContactRole"].frame["ContactId"]]).drop_nulls()
        free = contacts.live()[~_member(contacts.frame["Id"].gather(contacts.live()), referenced)]
        upd, ins, _ = self.split("salesforce/Contact")
        self.update("salesforce/Contact", upd, Title=(self._spread(self.shuffled("salesforce/Contact", "Title", upd.shape[0]), upd, contacts.frame.height)))
        self._insert_people_like("salesforce/Contact", ins)
        self.delete("salesforce/Contact", self.sample(free, SPLIT[2] * contacts.live().shape[0] / max(free.shape[0], 1)))

        accounts = c["salesforce/Account"]
        upd, ins, _ = self.split("salesforce/Account")
        self.update("salesforce/Account", upd,
                    NumberOfEmployees=(pl.col("NumberOfEmployees") * 11 // 10 + 1),
                    AnnualRevenue=(pl.col("AnnualRevenue") * 1.05 / 1000).round() * 1000)
        self.insert("salesforce/Account", ins, self.next_salesforce_ids("salesforce/Account", ins.shape[0]),
                    Name=pl.col("Name") + " Holdings",
                    Website=pl.col("Website").str.replace("https://www.", "https://www.holdings-", literal=True),
                    Type=pl.lit("Prospect"))
        del accounts

        self._opportunities()
        self.cascade("salesforce/CampaignMember", "LeadId", deleted_leads)
        for key in ("salesforce/Task", "salesforce/Event"):
            self.cascade(key, "WhoId", deleted_leads + c["salesforce/Contact"].deleted)
            self.cascade(key, "WhatId", c["salesforce/Opportunity"].deleted)

        upd, _, _ = self.split("salesforce/User", shares=UPDATES_ONLY)
        self.update("salesforce/User", upd, Title=(self._spread(self.shuffled("salesforce/User", "Title", upd.shape[0]), upd, c["salesforce/User"].frame.height)))
        upd, _, _ = self.split("salesforce/Campaign", shares=UPDATES_ONLY)
        self.update("salesforce/Campaign", upd, ActualCost=(pl.col("ActualCost") + 250.0))

        members = c["salesforce/CampaignMember"]
        sent = members.live()[~members.frame["HasResponded"].gather(members.live()).to_numpy()]
        upd, _, dele = self.split("salesforce/CampaignMember", sent, shares=(SPLIT[0], 0, SPLIT[2]))
        self.update("salesforce/CampaignMember", upd, Status=pl.lit(vocab.CAMPAIGN_MEMBER_RESPONDED),
                    HasResponded=pl.lit(True), FirstRespondedDate=iso_date(pl.col("_t")))
        self.delete("salesforce/CampaignMember", dele)

        upd, ins, dele = self.split("salesforce/Task")
        self.update("salesforce/Task", upd, Status=pl.lit("Completed"))
        self.insert("salesforce/Task", ins, self.next_salesforce_ids("salesforce/Task", ins.shape[0]),
                    Subject=pl.lit("Follow up"), Status=pl.lit("Not Started"), ActivityDate=iso_date(pl.col("_t")))
        self.delete("salesforce/Task", dele)

        upd, ins, dele = self.split("salesforce/Event")
        self.update("salesforce/Event", upd, DurationInMinutes=90 - pl.col("DurationInMinutes").clip(30, 60))
        start = pl.col("_t") - pl.col("DurationInMinutes") * MINUTE - MINUTE
        self.insert("salesforce/Event", ins, self.next_salesforce_ids("salesforce/Event", ins.shape[0]),
                    Subject=pl.lit("Follow-up meeting"), ActivityDateTime=sf_datetime(start), ActivityDate=iso_date(start))
        self.delete("salesforce/Event", dele)

        upd, _, _ = self.split("salesforce/OpportunityContactRole", shares=UPDATES_ONLY)
        self.update("salesforce/OpportunityContactRole", upd,
                    Role=(self._spread(pl.Series(vocab.CONTACT_ROLES), upd, c["salesforce/OpportunityContactRole"].frame.height)))

    def _spread(self, values: pl.Series, rows: np.ndarray, height: int) -> pl.Series:
        """A full-height column holding values drawn from ``values`` on ``rows`` (other rows are not read)."""
        column = pl.repeat(None, height, dtype=values.dtype, eager=True)
        if rows.shape[0] == 0 or values.len() == 0:
            return column
        return column.scatter(rows, values.gather(self.rng.integers(0, values.len(), rows.shape[0])))

    def _insert_people_like(self, key: str, sources: np.ndarray) -> None:
        """New leads/contacts: copies of existing rows (same company/account), with a new name and address."""
        k = sources.shape[0]
        if k == 0:
            return
        ids = self.next_salesforce_ids(key, k)
        first = self.shuffled(key, "FirstName", k)
        last = self.shuffled(key, "LastName", k)
        email = (
            first.str.to_lowercase().str.replace_all("[^a-z]", "") + "." + last.str.to_lowercase().str.replace_all("[^a-z]", "")
            + "." + ids.str.slice(9, 6).str.to_lowercase() + "@"
        )
        domain = self.changes[key].frame["Email"].gather(sources).str.strip_chars().str.to_lowercase().str.split("@").list.last()
        email = pl.select(pl.when(domain.is_not_null()).then(email + domain).otherwise(None)).to_series()
        extra = {}
        if key == "salesforce/Lead":
            extra = dict(
                Status=pl.lit(vocab.LEAD_STATUS_OPEN), IsConverted=pl.lit(False),
                ConvertedDate=pl.lit(None, dtype=pl.String), ConvertedContactId=pl.lit(None, dtype=pl.String),
                ConvertedAccountId=pl.lit(None, dtype=pl.String), ConvertedOpportunityId=pl.lit(None, dtype=pl.String),
            )
        self.insert(key, sources, ids, FirstName=pl.lit(first), LastName=pl.lit(last), Email=pl.lit(email), **extra)

    def _opportunities(self) -> None:
        c = self.changes
        opps = c["salesforce/Opportunity"]
        frame = opps.frame
        open_ = np.flatnonzero((~frame["IsDeleted"] & ~frame["IsClosed"]).to_numpy())
        upd, _, _ = self.split("salesforce/Opportunity", open_, shares=UPDATES_ONLY)
        _, ins, dele = self.split("salesforce/Opportunity")
        stage_index = {name: i for i, name in enumerate(vocab.OPPORTUNITY_STAGES)}
        current = frame["StageName"].replace_strict(stage_index, return_dtype=pl.Int64)
        advance = (current < vocab.OPEN_STAGES - 1).to_numpy()
        next_stage = np.where(advance, current.to_numpy() + 1, current.to_numpy())
        stage_col = pl.Series(np.array(vocab.OPPORTUNITY_STAGES, dtype=object)[next_stage].tolist(), dtype=pl.String)
        prob_col = pl.Series(np.array(vocab.STAGE_PROBABILITY, dtype=np.float64)[next_stage])
        adv_col = pl.Series(advance)
        self.update("salesforce/Opportunity", upd, StageName=pl.lit(stage_col), Probability=pl.lit(prob_col),
                    Amount=pl.when(pl.lit(adv_col)).then(pl.col("Amount")).otherwise((pl.col("Amount") * 1.1 / 10).round() * 10))
        history_sources = np.sort(upd)
        ins = np.setdiff1d(ins, upd)
        self.insert("salesforce/Opportunity", ins, self.next_salesforce_ids("salesforce/Opportunity", ins.shape[0]),
                    Name=pl.col("Name") + " (expansion)", Type=pl.lit("Existing Business"),
                    StageName=pl.lit(vocab.OPPORTUNITY_STAGES[0]), Probability=pl.lit(float(vocab.STAGE_PROBABILITY[0])),
                    IsClosed=pl.lit(False), IsWon=pl.lit(False), CloseDate=iso_date(pl.col("_t") + 90 * DAY),
                    CampaignId=pl.lit(None, dtype=pl.String))
        inserted = opps.frame.tail(ins.shape[0]) if ins.shape[0] else opps.frame.clear()
        changed = pl.concat([opps.frame[history_sources], inserted])
        self._history_rows(changed)
        self._contact_roles(frame[ins]["Id"], inserted["Id"])
        dele = np.setdiff1d(dele, np.concatenate([upd, ins]))
        self.delete("salesforce/Opportunity", dele)
        for key in ("salesforce/OpportunityHistory", "salesforce/OpportunityContactRole"):
            self.cascade(key, "OpportunityId", opps.deleted)

    def _history_rows(self, opportunities: pl.DataFrame) -> None:
        """One OpportunityHistory row per changed opportunity, as Salesforce writes on each edit."""
        k = opportunities.height
        if k == 0:
            return
        history = self.changes["salesforce/OpportunityHistory"]
        ids = self.next_salesforce_ids("salesforce/OpportunityHistory", k)
        rows = opportunities.select(
            attributes=pl.struct(type=pl.lit("OpportunityHistory"), url=pl.lit("/services/data/v61.0/sobjects/OpportunityHistory/") + pl.lit(ids)),
            Id=pl.lit(ids), IsDeleted=pl.lit(False), OpportunityId=pl.col("Id"), StageName=pl.col("StageName"),
            Amount=pl.col("Amount"), CloseDate=pl.col("CloseDate"), Probability=pl.col("Probability"),
            CreatedById=pl.col("OwnerId"), CreatedDate=pl.col("SystemModstamp"),
            LastModifiedDate=pl.col("SystemModstamp"), SystemModstamp=pl.col("SystemModstamp"),
        ).select(history.frame.columns)
        history.frame = pl.concat([history.frame, rows.cast(history.frame.schema)])
        history.inserted += ids.to_list()

    def _contact_roles(self, source_opps: pl.Series, new_opps: pl.Series) -> None:
        """The new opportunity's primary contact is the primary contact of the one it was copied from."""
        if new_opps.len() == 0:
            return
        roles = self.changes["salesforce/OpportunityContactRole"]
        live = roles.frame[roles.live()]
        pairs = pl.DataFrame({"OpportunityId": source_opps, "_new": new_opps}).join(
            live.unique("OpportunityId", keep="first", maintain_order=True), on="OpportunityId", how="inner", maintain_order="left"
        )
        if pairs.height == 0:
            return
        ids = self.next_salesforce_ids("salesforce/OpportunityContactRole", pairs.height)
        t = self.times(pairs.height)
        rows = pairs.with_columns(
            Id=pl.lit(ids), OpportunityId=pl.col("_new"), _t=pl.Series(t),
        ).with_columns(
            attributes=pl.struct(type=pl.lit("OpportunityContactRole"), url=pl.lit("/services/data/v61.0/sobjects/OpportunityContactRole/") + pl.col("Id")),
            CreatedDate=sf_datetime(pl.col("_t")), LastModifiedDate=sf_datetime(pl.col("_t")), SystemModstamp=sf_datetime(pl.col("_t")),
        ).select(roles.frame.columns)
        roles.frame = pl.concat([roles.frame, rows])
        roles.inserted += ids.to_list()

    def hubspot(self) -> None:
        c = self.changes
        contacts = c["hubspot/contacts"]
        upd, ins, dele = self.split("hubspot/contacts")
        height = contacts.frame.height
        titles = self._spread(contacts.frame["properties"].struct.field("jobtitle").drop_nulls().head(1000), upd, height)
        props = pl.col("properties")
        is_subscriber = props.struct.field("lifecyclestage") == "subscriber"
        self.update("hubspot/contacts", upd, properties=props.struct.with_fields(
            pl.lit(titles).alias("jobtitle"),
            pl.when(is_subscriber).then(pl.lit("lead")).otherwise(props.struct.field("lifecyclestage")).alias("lifecyclestage"),
            pl.when(is_subscriber).then(hs_datetime(pl.col("_t"))).otherwise(props.struct.field("hs_lifecyclestage_lead_date")).alias("hs_lifecyclestage_lead_date"),
        ))
        ids = self.next_numeric_ids("hubspot/contacts", ins.shape[0])
        if ins.shape[0]:
            email = contacts.frame["properties"].gather(ins).struct.field("email")
            local = pl.Series(["new"] * ins.shape[0]) + "." + ids
            new_email = pl.select(pl.when(email.is_not_null()).then(local + "@" + email.str.split("@").list.last())).to_series()
            null = pl.lit(None, dtype=pl.String)
            t = hs_datetime(pl.col("_t"))
            self.insert("hubspot/contacts", ins, ids, properties=props.struct.with_fields(
                pl.lit(new_email).alias("email"), pl.lit("subscriber").alias("lifecyclestage"),
                t.alias("hs_lifecyclestage_subscriber_date"),
                *[null.alias(f"hs_lifecyclestage_{s}_date") for s in vocab.LIFECYCLE_STAGES[1:]],
                null.alias("hubspot_owner_id"), t.alias("createdate"), pl.col("_new_id").alias("hs_object_id"),
            ))
        self.delete("hubspot/contacts", dele)

        companies = c["hubspot/companies"]
        upd, ins, dele = self.split("hubspot/companies")
        self.update("hubspot/companies", upd, properties=props.struct.with_fields(
            ((props.struct.field("numberofemployees").cast(pl.Int64) * 11 // 10 + 1).cast(pl.String)).alias("numberofemployees")
        ))
        ids = self.next_numeric_ids("hubspot/companies", ins.shape[0])
        self.insert("hubspot/companies", ins, ids, properties=props.struct.with_fields(
            (props.struct.field("name") + " Holdings").alias("name"),
            ("holdings-" + props.struct.field("domain")).alias("domain"),
            hs_datetime(pl.col("_t")).alias("createdate"), pl.col("_new_id").alias("hs_object_id"),
        ))
        live_contacts = contacts.frame[contacts.live()]["properties"].struct.field("associatedcompanyid").drop_nulls()
        lonely = companies.live()[~_member(companies.frame["id"].gather(companies.live()), live_contacts)]
        self.delete("hubspot/companies", self.sample(lonely, min(1.0, SPLIT[2] * companies.live().shape[0] / max(lonely.shape[0], 1))))

        for key in ("hubspot/owners", "hubspot/forms"):
            upd, _, _ = self.split(key, shares=UPDATES_ONLY)
            self.update(key, upd)
        upd, _, _ = self.split("hubspot/campaigns", shares=UPDATES_ONLY)
        self.update("hubspot/campaigns", upd, properties=props.struct.with_fields(
            ((props.struct.field("hs_budget_items_sum_amount").cast(pl.Float64) + 1000).cast(pl.Int64).cast(pl.String)).alias("hs_budget_items_sum_amount")
        ))
        upd, ins, _ = self.split("hubspot/marketing_emails", shares=(SPLIT[0], SPLIT[1], 0))
        self.update("hubspot/marketing_emails", upd, subject=pl.col("subject") + " (updated)")
        self.insert("hubspot/marketing_emails", ins, self.next_numeric_ids("hubspot/marketing_emails", ins.shape[0]),
                    name=pl.col("name") + " (copy)", state=pl.lit("DRAFT"), publishDate=pl.lit(None, dtype=pl.String))

        events = c["hubspot/email_events"]
        sources = self.sample(np.arange(events.frame.height), 1.0)
        new = guids(self.rng, sources.shape[0])
        self.insert("hubspot/email_events", sources, new, type=pl.lit("SENT"),
                    sentBy=pl.struct(id=pl.col("_new_id"), created=pl.col("_t")))
        submissions = c["hubspot/form_submissions"]
        sources = self.sample(np.arange(submissions.frame.height), 1.0)
        self.insert("hubspot/form_submissions", sources, guids(self.rng, sources.shape[0]))


def mutate(data_dir: Path, fraction: float, seed: int) -> dict:
    """Change about ``fraction`` of each object's records in the dataset at ``data_dir``.

    Returns ``{"mutation": n, "as_of": ..., "file": path of mutations/<n>.json,
    "objects": {"salesforce/Lead": {"updated": 12, "inserted": 3, "deleted": 2}, ...}}``;
    the file lists the ids themselves.
    """
    _validate(fraction, seed)
    data_dir = Path(data_dir)
    try:
        manifest = read_manifest(data_dir)
    except FileNotFoundError as missing:
        raise ValueError(str(missing)) from None
    number = int(manifest.get("mutations", 0)) + 1
    previous_as_of = parse_any(manifest["as_of"])
    mutation = _Mutation(data_dir, fraction, seed, number, start=0)
    previous_max = {key: max_modified(key, ch.frame) for key, ch in mutation.changes.items()}
    latest = max([previous_as_of] + [_as_ms(k, v) for k, v in previous_max.items() if v is not None])
    mutation.start = latest + 1000
    mutation.run()

    as_of = mutation.start + WINDOW
    counts, report, ids = {}, {}, {}
    for key, change in mutation.changes.items():
        counts[key] = change.frame.height
        report[key] = {"updated": len(change.updated), "inserted": len(change.inserted), "deleted": len(change.deleted)}
        ids[key] = {"updated": change.updated, "inserted": change.inserted, "deleted": change.deleted}
        if change.dirty:
            write_object(data_dir, key, change.frame)
    log = data_dir / MUTATIONS_DIR / f"{number}.json"
    write_json(log, {
        "mutation": number, "seed": seed, "fraction": fraction,
        "previous_as_of": manifest["as_of"], "as_of": iso_utc(as_of),
        "previous_max_modified": previous_max, "objects": ids,
    })
    manifest.update(
        as_of=iso_utc(as_of), counts=counts, mutations=number,
        max_modified={key: max_modified(key, ch.frame) for key, ch in mutation.changes.items()},
    )
    write_json(data_dir / MANIFEST, manifest)
    return {"mutation": number, "as_of": manifest["as_of"], "file": str(log), "objects": report}
