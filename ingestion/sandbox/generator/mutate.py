"""``mutate``: update, insert and delete a fraction of an existing dataset, the way a live org and
portal change between two loads, so incremental loads have something real to pick up.

Every touched record's modification time moves strictly past the dataset's previous maximum (and
its previous ``as_of``); untouched records keep their exact bytes. What changed is written to
``<dir>/mutations/<n>.json`` (ids per object: updated, inserted, deleted), so a test can demand
that an incremental load returns exactly those records. Deletes are soft, as in the APIs:
Salesforce rows get ``IsDeleted = true`` (children cascade, as Salesforce cascades them), HubSpot
records get ``archived = true`` and ``archivedAt``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl

from ingestion.sandbox.generator import nested_records as nested
from ingestion.sandbox.generator import vocab
from ingestion.sandbox.generator.changes import SPLIT, UPDATES_ONLY, Changes, member
from ingestion.sandbox.generator.files import MANIFEST, max_modified, read_manifest, read_object, write_json
from ingestion.sandbox.generator.generate import MUTATIONS_DIR, iso_utc
from ingestion.sandbox.generator.ids import guids
from ingestion.sandbox.generator.randomness import stream
from ingestion.sandbox.generator.schema import MODIFIED_FIELD, OBJECTS
from ingestion.sandbox.generator.story import DAY, HOUR, MINUTE
from ingestion.sandbox.generator.wire_formats import hs_datetime, iso_date, parse_any, sf_datetime

WINDOW = HOUR
_NULL = pl.lit(None, dtype=pl.String)


def _validate(fraction, seed) -> None:
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not math.isfinite(fraction):
        raise ValueError(f"fraction must be a number from 0 to 1, got {fraction!r}")
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must be from 0 to 1 (e.g. 0.01 for 1%), got {fraction}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}")


def _as_ms(key: str, value) -> int | None:
    if value is None:
        return None
    return int(value) if MODIFIED_FIELD[key][1] == "epoch_ms" else parse_any(value)


def _email_like(first: pl.Series, last: pl.Series, tag: pl.Series, domain: pl.Series) -> pl.Series:
    clean = lambda s: s.str.to_lowercase().str.replace_all("[^a-z]", "")  # noqa: E731
    local = clean(first) + "." + clean(last) + "." + tag.str.to_lowercase()
    return pl.select(pl.when(domain.is_not_null()).then(local + "@" + domain)).to_series()


class _Mutation(Changes):
    """What changes in each object, in an order that lets parents cascade to their children."""

    def run(self) -> None:
        self._leads_and_contacts()
        self._accounts()
        self._opportunities()
        self._activities()
        self._salesforce_reference_data()
        self._hubspot_crm()
        self._hubspot_marketing()

    def _people_like(self, key: str, sources: np.ndarray, **exprs) -> None:
        """New leads/contacts at the same company as existing ones, with new names and addresses."""
        k = sources.shape[0]
        if k == 0:
            return
        frame = self[key].frame
        ids = self.next_salesforce_ids(key, k)
        first, last = self.drawn(frame["FirstName"], k), self.drawn(frame["LastName"], k)
        domain = frame["Email"].gather(sources).str.strip_chars().str.to_lowercase().str.split("@").list.last()
        email = _email_like(first, last, ids.str.slice(9, 6), domain)
        self.insert(key, sources, ids, FirstName=pl.lit(first), LastName=pl.lit(last), Email=pl.lit(email), **exprs)

    def _leads_and_contacts(self) -> None:
        leads = self["salesforce/Lead"].frame
        # Converted leads are read-only in Salesforce; only open ones are worked or removed.
        open_leads = np.flatnonzero((~leads["IsDeleted"] & ~leads["IsConverted"]).to_numpy())
        upd, ins, dele = self.split("salesforce/Lead", open_leads)
        statuses = pl.Series([vocab.LEAD_STATUS_WORKING, vocab.LEAD_STATUS_NURTURING, vocab.LEAD_STATUS_UNQUALIFIED])
        self.update("salesforce/Lead", upd, Status=self.spread(statuses, upd, leads.height),
                    Title=self.spread(leads["Title"], upd, leads.height))
        self._people_like("salesforce/Lead", ins, Status=pl.lit(vocab.LEAD_STATUS_OPEN), IsConverted=pl.lit(False),
                          ConvertedDate=_NULL, ConvertedContactId=_NULL, ConvertedAccountId=_NULL,
                          ConvertedOpportunityId=_NULL)
        self.delete("salesforce/Lead", dele)
        self.deleted_leads = list(self["salesforce/Lead"].deleted)

        contacts = self["salesforce/Contact"]
        # Contacts that a conversion or an opportunity points at stay; strays may be deleted.
        referenced = pl.concat([
            self["salesforce/Lead"].frame["ConvertedContactId"],
            self["salesforce/OpportunityContactRole"].frame["ContactId"],
        ]).drop_nulls()
        self.finish("salesforce/Lead")
        live = contacts.live()
        free = live[~member(contacts.frame["Id"].gather(live), referenced)]
        upd, ins, _ = self.split("salesforce/Contact", shares=(SPLIT[0], SPLIT[1], 0))
        self.update("salesforce/Contact", upd, Title=self.spread(contacts.frame["Title"], upd, contacts.frame.height))
        self._people_like("salesforce/Contact", ins)
        self.delete("salesforce/Contact", self.sample(free, SPLIT[2] * live.shape[0] / max(free.shape[0], 1)))
        self.deleted_contacts = list(contacts.deleted)
        self.finish("salesforce/Contact")

    def _accounts(self) -> None:
        upd, ins, _ = self.split("salesforce/Account", shares=(SPLIT[0], SPLIT[1], 0))
        self.update("salesforce/Account", upd, NumberOfEmployees=pl.col("NumberOfEmployees") * 11 // 10 + 1,
                    AnnualRevenue=(pl.col("AnnualRevenue") * 1.05 / 1000).round() * 1000)
        self.insert("salesforce/Account", ins, self.next_salesforce_ids("salesforce/Account", ins.shape[0]),
                    Name=pl.col("Name") + " Holdings", Type=pl.lit("Prospect"),
                    Website=pl.col("Website").str.replace("https://www.", "https://www.holdings-", literal=True))
        self.finish("salesforce/Account")

    def _opportunities(self) -> None:
        opps = self["salesforce/Opportunity"]
        frame = opps.frame
        open_ = np.flatnonzero((~frame["IsDeleted"] & ~frame["IsClosed"]).to_numpy())
        upd, _, _ = self.split("salesforce/Opportunity", open_, shares=UPDATES_ONLY)
        _, ins, dele = self.split("salesforce/Opportunity")
        ins = np.setdiff1d(ins, upd)
        dele = np.setdiff1d(dele, np.concatenate([upd, ins]))
        # Sales moves an open deal one stage on, or (at Negotiation) revises its amount.
        stage = frame["StageName"].replace_strict({s: i for i, s in enumerate(vocab.OPPORTUNITY_STAGES)}, return_dtype=pl.Int64).to_numpy()
        advance = stage < vocab.OPEN_STAGES - 1
        following = np.where(advance, stage + 1, stage)
        self.update("salesforce/Opportunity", upd,
                    StageName=pl.Series(np.array(vocab.OPPORTUNITY_STAGES, dtype=object)[following].tolist(), dtype=pl.String),
                    Probability=pl.Series(np.array(vocab.STAGE_PROBABILITY, dtype=np.float64)[following]),
                    Amount=pl.when(pl.Series(advance)).then(pl.col("Amount")).otherwise((pl.col("Amount") * 1.1 / 10).round() * 10))
        source_ids = frame["Id"].gather(ins)
        inserted = self.insert(
            "salesforce/Opportunity", ins, self.next_salesforce_ids("salesforce/Opportunity", ins.shape[0]),
            Name=pl.col("Name") + " (expansion)", Type=pl.lit("Existing Business"),
            StageName=pl.lit(vocab.OPPORTUNITY_STAGES[0]), Probability=pl.lit(float(vocab.STAGE_PROBABILITY[0])),
            IsClosed=pl.lit(False), IsWon=pl.lit(False), CloseDate=iso_date(pl.col("_t") + 90 * DAY), CampaignId=_NULL,
        )
        # Salesforce writes an OpportunityHistory row for each stage or amount change.
        self._history(pl.concat([opps.frame[upd], inserted]))
        self._contact_roles(source_ids, inserted["Id"])
        self.delete("salesforce/Opportunity", dele)
        self.deleted_opportunities = list(opps.deleted)
        for key in ("salesforce/OpportunityHistory", "salesforce/OpportunityContactRole"):
            self.cascade(key, "OpportunityId", self.deleted_opportunities)
        roles = self["salesforce/OpportunityContactRole"]
        upd, _, _ = self.split("salesforce/OpportunityContactRole", shares=UPDATES_ONLY)
        self.update("salesforce/OpportunityContactRole", upd, Role=self.spread(pl.Series(vocab.CONTACT_ROLES), upd, roles.frame.height))
        self.finish("salesforce/Opportunity", "salesforce/OpportunityHistory", "salesforce/OpportunityContactRole")

    def _history(self, opportunities: pl.DataFrame) -> None:
        if opportunities.height == 0:
            return
        key = "salesforce/OpportunityHistory"
        ids = self.next_salesforce_ids(key, opportunities.height)
        rows = opportunities.select(
            attributes=pl.struct(type=pl.lit("OpportunityHistory"), url=pl.lit(f"/services/data/{vocab.SALESFORCE_API_VERSION}/sobjects/OpportunityHistory/") + pl.lit(ids)),
            Id=pl.lit(ids), IsDeleted=pl.lit(False), OpportunityId=pl.col("Id"), StageName=pl.col("StageName"),
            Amount=pl.col("Amount"), CloseDate=pl.col("CloseDate"), Probability=pl.col("Probability"),
            CreatedById=pl.col("OwnerId"), CreatedDate=pl.col("SystemModstamp"),
            LastModifiedDate=pl.col("SystemModstamp"), SystemModstamp=pl.col("SystemModstamp"),
        ).select(list(OBJECTS[key]))
        self.append_rows(key, rows)

    def _contact_roles(self, source_opps: pl.Series, new_opps: pl.Series) -> None:
        """A copied opportunity gets the primary contact of the one it was copied from."""
        if new_opps.len() == 0:
            return
        key = "salesforce/OpportunityContactRole"
        roles = self[key]
        live = roles.frame[roles.live()].unique("OpportunityId", keep="first", maintain_order=True)
        pairs = pl.DataFrame({"OpportunityId": source_opps, "_new": new_opps}).join(
            live.drop("Id"), on="OpportunityId", how="inner", maintain_order="left"
        ).with_columns(OpportunityId=pl.col("_new")).drop("_new")
        if pairs.height:
            self.append_rows(key, self.copies(key, pairs, self.next_salesforce_ids(key, pairs.height), {}))

    def _activities(self) -> None:
        key = "salesforce/CampaignMember"
        self.cascade(key, "LeadId", self.deleted_leads)
        members = self[key]
        live = members.live()
        sent = live[~members.frame["HasResponded"].gather(live).to_numpy()]
        upd, _, dele = self.split(key, sent, shares=(SPLIT[0], 0, SPLIT[2]))
        self.update(key, upd, Status=pl.lit(vocab.CAMPAIGN_MEMBER_RESPONDED), HasResponded=pl.lit(True),
                    FirstRespondedDate=iso_date(pl.col("_t")))
        self.delete(key, dele)
        self.finish(key)
        for key in ("salesforce/Task", "salesforce/Event"):
            self.cascade(key, "WhoId", self.deleted_leads + self.deleted_contacts)
            self.cascade(key, "WhatId", self.deleted_opportunities)
            upd, ins, dele = self.split(key)
            new_ids = self.next_salesforce_ids(key, ins.shape[0])
            if key == "salesforce/Task":
                self.update(key, upd, Status=pl.lit("Completed"))
                self.insert(key, ins, new_ids, Subject=pl.lit("Follow up"), Status=pl.lit("Not Started"),
                            ActivityDate=iso_date(pl.col("_t")))
            else:
                self.update(key, upd, DurationInMinutes=90 - pl.col("DurationInMinutes").clip(30, 60))
                start = pl.col("_t") - pl.col("DurationInMinutes") * MINUTE - MINUTE  # logged after it took place
                self.insert(key, ins, new_ids, Subject=pl.lit("Follow-up meeting"),
                            ActivityDateTime=sf_datetime(start), ActivityDate=iso_date(start))
            self.delete(key, dele)
            self.finish(key)

    def _salesforce_reference_data(self) -> None:
        users = self["salesforce/User"]
        upd, _, _ = self.split("salesforce/User", shares=UPDATES_ONLY)
        self.update("salesforce/User", upd, Title=self.spread(users.frame["Title"], upd, users.frame.height))
        upd, _, _ = self.split("salesforce/Campaign", shares=UPDATES_ONLY)
        self.update("salesforce/Campaign", upd, ActualCost=pl.col("ActualCost") + 250.0)
        self.finish("salesforce/User", "salesforce/Campaign")

    def _hubspot_crm(self) -> None:
        key = "hubspot/contacts"
        contacts = self[key]
        props = pl.col("properties")
        field = props.struct.field
        upd, ins, dele = self.split(key)
        titles = self.spread(contacts.frame["properties"].struct.field("jobtitle"), upd, contacts.frame.height)
        # Subscribers that change move on to lead: the funnel keeps its order.
        subscriber = field("lifecyclestage") == "subscriber"
        self.update(key, upd, properties=props.struct.with_fields(
            pl.lit(titles).alias("jobtitle"),
            pl.when(subscriber).then(pl.lit("lead")).otherwise(field("lifecyclestage")).alias("lifecyclestage"),
            pl.when(subscriber).then(hs_datetime(pl.col("_t"))).otherwise(field("hs_lifecyclestage_lead_date")).alias("hs_lifecyclestage_lead_date"),
        ))
        if ins.shape[0]:
            ids = self.next_numeric_ids(key, ins.shape[0])
            source = contacts.frame["properties"].gather(ins)
            domain = source.struct.field("email").str.split("@").list.last()
            email = _email_like(source.struct.field("firstname"), source.struct.field("lastname"), ids, domain)
            now = hs_datetime(pl.col("_t"))
            self.insert(key, ins, ids, properties=props.struct.with_fields(
                pl.lit(email).alias("email"), pl.lit("subscriber").alias("lifecyclestage"),
                now.alias("hs_lifecyclestage_subscriber_date"),
                *[_NULL.alias(f"hs_lifecyclestage_{s}_date") for s in vocab.LIFECYCLE_STAGES[1:]],
                _NULL.alias("hubspot_owner_id"), now.alias("createdate"), pl.col("_new_id").alias("hs_object_id"),
            ))
        self.delete(key, dele)
        live_companies = contacts.frame[contacts.live()]["properties"].struct.field("associatedcompanyid").drop_nulls()
        self.finish(key)

        key = "hubspot/companies"
        companies = self[key]
        upd, ins, _ = self.split(key, shares=(SPLIT[0], SPLIT[1], 0))
        self.update(key, upd, properties=props.struct.with_fields(
            (field("numberofemployees").cast(pl.Int64) * 11 // 10 + 1).cast(pl.String).alias("numberofemployees")
        ))
        self.insert(key, ins, self.next_numeric_ids(key, ins.shape[0]), properties=props.struct.with_fields(
            (field("name") + " Holdings").alias("name"), ("holdings-" + field("domain")).alias("domain"),
            hs_datetime(pl.col("_t")).alias("createdate"), pl.col("_new_id").alias("hs_object_id"),
        ))
        # Only a company no live contact belongs to is archived.
        live = companies.live()
        lonely = live[~member(companies.frame["id"].gather(live), live_companies)]
        self.delete(key, self.sample(lonely, SPLIT[2] * live.shape[0] / max(lonely.shape[0], 1)))
        self.finish(key)

    def _hubspot_marketing(self) -> None:
        props = pl.col("properties")
        for key in ("hubspot/owners", "hubspot/forms"):
            upd, _, _ = self.split(key, shares=UPDATES_ONLY)
            self.update(key, upd)
        upd, _, _ = self.split("hubspot/campaigns", shares=UPDATES_ONLY)
        budget = props.struct.field("hs_budget_items_sum_amount").cast(pl.Float64) + 1000
        self.update("hubspot/campaigns", upd, properties=props.struct.with_fields(
            budget.cast(pl.Int64).cast(pl.String).alias("hs_budget_items_sum_amount")))
        key = "hubspot/marketing_emails"
        upd, ins, _ = self.split(key, shares=(SPLIT[0], SPLIT[1], 0))
        self.update(key, upd, subject=pl.col("subject") + " (revised)")
        # A copy is a draft: never sent, so no sends and no stats of its own.
        self.insert(key, ins, self.next_numeric_ids(key, ins.shape[0]), name=pl.col("name") + " (copy)",
                    state=pl.lit("DRAFT"), publishDate=_NULL, publishedAt=_NULL, isPublished=pl.lit(False),
                    isAb=pl.lit(False), type=pl.lit("BATCH_EMAIL"), primaryEmailCampaignId=pl.lit(None, dtype=pl.Int64),
                    allEmailCampaignIds=pl.lit(nested.dumps([])), stats=pl.lit(nested.email_stats({}, 0.0)),
                    testing=pl.lit(nested.email_testing(None)))
        self.finish("hubspot/owners", "hubspot/forms", "hubspot/campaigns", key)
        new_guids = lambda n: guids(self.rng, n)  # noqa: E731
        self.append_copies("hubspot/email_events", new_guids, type=pl.lit("SENT"),
                           sentBy=pl.struct(id=pl.col("_new_id"), created=pl.col("_t")))
        self.append_copies("hubspot/form_submissions", new_guids)


def mutate(data_dir: Path, fraction: float, seed: int) -> dict:
    """Change about ``fraction`` of each object's records in the dataset at ``data_dir``.

    Returns ``{"mutation": n, "as_of": ..., "file": path of mutations/<n>.json,
    "objects": {"salesforce/Lead": {"updated": 12, "inserted": 3, "deleted": 2}, ...}}``;
    the file lists the ids themselves and each object's previous maximum modification time.
    """
    _validate(fraction, seed)
    data_dir = Path(data_dir)
    try:
        manifest = read_manifest(data_dir)
    except FileNotFoundError as missing:
        raise ValueError(str(missing)) from None
    number = int(manifest.get("mutations", 0)) + 1
    previous_max = dict(manifest.get("max_modified") or {})
    for key in OBJECTS:
        if key not in previous_max:
            previous_max[key] = max_modified(key, read_object(data_dir, key))
    latest = max([parse_any(manifest["as_of"])] + [_as_ms(k, v) for k, v in previous_max.items() if v is not None])
    start = latest + 1000

    mutation = _Mutation(data_dir, fraction, stream(seed, f"mutate/{number}"), start, WINDOW)
    mutation.run()
    missing = set(OBJECTS) - set(mutation.finished)
    assert not missing, f"objects left unfinished: {sorted(missing)}"

    as_of = start + WINDOW
    counts, latest_by_object, ids, report = {}, {}, {}, {}
    for key in OBJECTS:
        count, newest, changed = mutation.finished[key]
        counts[key] = count
        latest_by_object[key] = newest if newest is not None and (previous_max[key] is None or _as_ms(key, newest) > _as_ms(key, previous_max[key])) else previous_max[key]
        ids[key] = changed
        report[key] = {kind: len(v) for kind, v in changed.items()}
    log = data_dir / MUTATIONS_DIR / f"{number}.json"
    write_json(log, {
        "mutation": number, "seed": seed, "fraction": fraction,
        "previous_as_of": manifest["as_of"], "as_of": iso_utc(as_of),
        "previous_max_modified": previous_max, "objects": ids,
    })
    manifest.update(as_of=iso_utc(as_of), counts=counts, max_modified=latest_by_object, mutations=number)
    write_json(data_dir / MANIFEST, manifest)
    return {"mutation": number, "as_of": manifest["as_of"], "file": str(log), "objects": report}
