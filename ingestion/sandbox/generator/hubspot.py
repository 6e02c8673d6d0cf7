"""HubSpot's side of the story: one polars frame per object file, in the APIs' record shapes."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import numpy as np
import polars as pl

from ingestion.sandbox.generator import nested_records as nested
from ingestion.sandbox.generator import vocab
from ingestion.sandbox.generator.ids import guids
from ingestion.sandbox.generator.mess import email_variant, late_updates, soft_delete_times, variant_codes
from ingestion.sandbox.generator.randomness import lognormal_ms, pick, ranks_within, stream
from ingestion.sandbox.generator.schema import CAMPAIGN_PROPERTIES, COMPANY_PROPERTIES, CONTACT_PROPERTIES, HUBSPOT
from ingestion.sandbox.generator.story import DAY, HOUR, LEAD, MINUTE, MQL, SUBSCRIBER, Story
from ingestion.sandbox.generator.wire_formats import hs_datetime, iso_date

CONTACT_ID_START = 1001
COMPANY_ID_START = 5_100_000_001
OWNER_ID_START = 41_000_001
OWNER_USER_ID_START = 9_100_001
EMAIL_ID_START = 30_000_001
SEND_ID_START = 180_000_000
PAGE_URL = "https://www.relay-sandbox.example/"


_COUNTER_NAMES = {"SENT": "sent", "DELIVERED": "delivered", "BOUNCE": "bounce", "OPEN": "open", "CLICK": "click",
                  "STATUSCHANGE": "unsubscribed"}


def _when_known(ms: pl.Expr) -> pl.Expr:
    """HubSpot datetime string, null where the epoch-ms column holds -1 (never happened)."""
    return pl.when(ms >= 0).then(hs_datetime(ms))


def _numeric_ids(start: int, n: int, offset: int = 0) -> pl.Series:
    return pl.Series(np.arange(start + offset, start + offset + n, dtype=np.int64)).cast(pl.String)


def _name_value_lists(columns: dict[str, pl.Series]) -> pl.Series:
    """One ``[{"name", "value"}, ...]`` list per row, one entry per column, built as a flat struct
    column reshaped into rows (``concat_list`` of structs is 30x slower)."""
    n, width = next(iter(columns.values())).len(), len(columns)
    flat = pl.concat([c.cast(pl.String) for c in columns.values()])
    order = (np.arange(width)[None, :] * n + np.arange(n)[:, None]).ravel()
    names = pl.Series(list(columns), dtype=pl.String).gather(np.tile(np.arange(width), n))
    entries = pl.DataFrame({"name": names, "value": flat.gather(order)}).to_struct("values")
    return entries.reshape((n, width)).cast(pl.List(entries.dtype))


def _conform(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    return frame.select([pl.col(field).cast(dtype) for field, dtype in HUBSPOT[name].items()])


class HubSpotBuilder:
    def __init__(self, story: Story):
        self.s = story
        self.rng = lambda part: stream(story.seed, "hubspot/" + part)
        self.owner_ids = _numeric_ids(OWNER_ID_START, story.users.n)
        self.company_ids = _numeric_ids(COMPANY_ID_START, story.companies.n)
        self._plan_contacts()
        self._plan_emails()

    def _plan_contacts(self) -> None:
        s, people = self.s, self.s.people
        rng = self.rng("plan")
        n = people.n
        has_email = people.email.is_not_null().to_numpy()
        dup = np.flatnonzero(rng.random(n) < 0.02)
        dup_created = people.stage_at[dup, SUBSCRIBER] + rng.integers(10 * DAY, 200 * DAY, dup.shape[0])
        keep = dup_created <= s.as_of - HOUR
        self.dup_of, self.dup_created = dup[keep], dup_created[keep]
        m = self.dup_of.shape[0]
        # Duplicates have the same address typed in another case, or none at all.
        codes = rng.integers(1, 3, m)
        dup_email = email_variant(people.email.gather(self.dup_of), codes)
        self.dup_email = pl.select(pl.when(pl.Series(rng.random(m) < 0.7)).then(dup_email)).to_series()
        self.dup_reached = np.where(rng.random(m) < 0.5, LEAD, SUBSCRIBER)
        self.dup_lead_at = self.dup_created + lognormal_ms(rng, 3 * DAY, 1.0, m)
        self.dup_reached = np.where(self.dup_lead_at > s.as_of, SUBSCRIBER, self.dup_reached)
        self.n_contacts = n + m
        self.contact_email = pl.concat([people.email, self.dup_email])
        self.contact_created = np.concatenate([people.stage_at[:, SUBSCRIBER], self.dup_created])
        self.has_email = np.concatenate([has_email, self.dup_email.is_not_null().to_numpy()])

    def contacts(self) -> pl.DataFrame:
        s, people = self.s, self.s.people
        rng = self.rng("contacts")
        n, m = people.n, self.dup_of.shape[0]
        stage_at = np.full((n + m, 6), -1, dtype=np.int64)
        stage_at[:n] = people.stage_at
        stage_at[n:, SUBSCRIBER] = self.dup_created
        stage_at[n:, LEAD] = np.where(self.dup_reached >= LEAD, self.dup_lead_at, -1)
        reached = np.concatenate([people.reached, self.dup_reached])
        person = np.concatenate([np.arange(n), self.dup_of])
        stage_name = np.array(vocab.LIFECYCLE_STAGES, dtype=object)[reached]
        stage_name[:n][people.is_other] = "other"
        company = np.concatenate([people.company, np.where(rng.random(m) < 0.6, people.company[self.dup_of], -1)])
        company_id = pl.select(pl.when(pl.Series(company >= 0)).then(self.company_ids.gather(np.maximum(company, 0)))).to_series()
        owner = pl.select(
            pl.when(pl.Series(reached >= MQL)).then(self.owner_ids.gather(people.owner[person]))
        ).to_series()
        created = self.contact_created
        modified = stage_at.max(axis=1) + rng.integers(MINUTE, 2 * HOUR, n + m)
        modified = np.minimum(modified, s.as_of)
        modified = late_updates(rng, created, modified, s.as_of)
        archived = np.concatenate([
            (people.reached <= LEAD) & (rng.random(n) < 0.005),
            rng.random(m) < 0.25,
        ])
        modified = np.where(archived, soft_delete_times(rng, modified, s.as_of), modified)
        source = people.source[person]
        ids = _numeric_ids(CONTACT_ID_START, n + m)
        source_data = self._source_data(rng, source, people.campaign[person])
        frame = pl.DataFrame({
            "id": ids, "email": self.contact_email, "firstname": people.first.gather(person),
            "lastname": people.last.gather(person), "company": s.companies.name.gather(people.company[person]),
            "jobtitle": people.title.gather(person), "lifecyclestage": pl.Series(stage_name.tolist(), dtype=pl.String),
            **{f"_stage{k}": stage_at[:, k] for k in range(6)},
            "hs_analytics_source": pl.Series([x[0] for x in vocab.ANALYTICS_SOURCES]).gather(source),
            "hs_analytics_source_data_1": source_data, "hubspot_owner_id": owner, "associatedcompanyid": company_id,
            "_created": created, "_modified": modified, "archived": archived,
        })
        dates = {
            f"hs_lifecyclestage_{stage}_date": _when_known(pl.col(f"_stage{k}"))
            for k, stage in enumerate(vocab.LIFECYCLE_STAGES)
        }
        frame = frame.with_columns(
            createdAt=hs_datetime(pl.col("_created")), updatedAt=hs_datetime(pl.col("_modified")), **dates
        ).with_columns(
            createdate=pl.col("createdAt"), lastmodifieddate=pl.col("updatedAt"), hs_object_id=pl.col("id"),
            archivedAt=pl.when(pl.col("archived")).then(pl.col("updatedAt")),
            associations=pl.struct(
                companies=pl.struct(
                    results=pl.when(pl.col("associatedcompanyid").is_not_null())
                    .then(pl.concat_list([pl.struct(id=pl.col("associatedcompanyid"), type=pl.lit("contact_to_company"))]))
                    .otherwise(pl.lit([], dtype=pl.List(pl.Struct({"id": pl.String, "type": pl.String}))))
                )
            ),
        ).with_columns(properties=pl.struct([pl.col(p) for p in CONTACT_PROPERTIES]))
        return _conform(frame, "contacts")

    def _source_data(self, rng, source: np.ndarray, campaign: np.ndarray) -> pl.Series:
        options = [vocab.SOURCE_DATA_1[name] for name, _, _ in vocab.ANALYTICS_SOURCES]
        sizes = np.array([len(o) for o in options])
        offsets = np.cumsum(sizes) - sizes
        flat = pl.Series([value for o in options for value in o])
        chosen = offsets[source] + (rng.random(source.shape[0]) * sizes[source]).astype(np.int64)
        value = flat.gather(chosen)
        name = self.s.campaigns.name.gather(np.maximum(campaign, 0))
        return pl.select(
            pl.when(pl.Series(campaign >= 0)).then(name).when(value == "").then(None).otherwise(value)
        ).to_series()

    def companies(self) -> pl.DataFrame:
        s, c = self.s, self.s.companies
        rng = self.rng("companies")
        created = c.created
        modified = late_updates(rng, created, np.minimum(created + rng.integers(MINUTE, 3 * DAY, c.n), s.as_of), s.as_of)
        archived = (~c.has_people) & (rng.random(c.n) < 0.5)
        modified = np.where(archived, soft_delete_times(rng, modified, s.as_of), modified)
        frame = pl.DataFrame({
            "id": self.company_ids, "name": c.name, "domain": c.domain,
            "industry": pl.Series([i[1] for i in vocab.INDUSTRIES]).gather(c.industry),
            "numberofemployees": pl.Series(c.employees).cast(pl.String),
            "country": pl.Series([x[0] for x in vocab.COUNTRIES]).gather(c.country),
            "hubspot_owner_id": self.owner_ids.gather(c.owner),
            "_created": created, "_modified": modified, "archived": archived,
        }).with_columns(createdAt=hs_datetime(pl.col("_created")), updatedAt=hs_datetime(pl.col("_modified")))
        frame = frame.with_columns(
            createdate=pl.col("createdAt"), hs_lastmodifieddate=pl.col("updatedAt"), hs_object_id=pl.col("id"),
            archivedAt=pl.when(pl.col("archived")).then(pl.col("updatedAt")),
        ).with_columns(properties=pl.struct([pl.col(p) for p in COMPANY_PROPERTIES]))
        return _conform(frame, "companies")

    def owners(self) -> pl.DataFrame:
        u = self.s.users
        rng = self.rng("owners")
        created = u.created + rng.integers(MINUTE, DAY, u.n)
        team_id = pl.Series(np.where(u.is_sales, "1", "2").tolist())
        team_name = pl.Series(np.where(u.is_sales, "Sales", "Marketing").tolist())
        frame = pl.DataFrame({
            "id": self.owner_ids, "email": u.email, "firstName": u.first, "lastName": u.last,
            "userId": np.arange(OWNER_USER_ID_START, OWNER_USER_ID_START + u.n, dtype=np.int64),
            "createdAt": hs_datetime(pl.Series(created)),
            "updatedAt": hs_datetime(pl.Series(created + rng.integers(0, 30 * DAY, u.n))),
            "archived": np.zeros(u.n, dtype=bool), "_team_id": team_id, "_team_name": team_name,
        }).with_columns(teams=pl.concat_list([pl.struct(id=pl.col("_team_id"), name=pl.col("_team_name"), primary=pl.lit(True))]))
        return _conform(frame, "owners")

    def _campaign_ids(self) -> pl.Series:
        return guids(self.rng("campaign-ids"), self.s.campaigns.n)

    def campaigns(self) -> pl.DataFrame:
        s, c = self.s, self.s.campaigns
        rng = self.rng("campaigns")
        goals = np.array(["Generate leads", "Grow pipeline", "Brand awareness", "Event sign-ups"], dtype=object)
        frame = pl.DataFrame({
            "id": self._campaign_ids(), "hs_name": c.name,
            "hs_start_date": iso_date(pl.Series(c.start)), "hs_end_date": iso_date(pl.Series(c.end)),
            "hs_goal": pl.Series(goals[rng.integers(0, goals.shape[0], c.n)].tolist(), dtype=pl.String),
            "hs_budget_items_sum_amount": pl.Series(c.budget).cast(pl.Int64).cast(pl.String),
            "hs_currency_code": pl.Series(vocab.CURRENCIES).gather(c.currency),
            "createdAt": hs_datetime(pl.Series(c.created)),
            "updatedAt": hs_datetime(pl.Series(np.clip(np.minimum(c.end, s.as_of - MINUTE), c.created, s.as_of))),
            "archived": np.zeros(c.n, dtype=bool),
        }).with_columns(properties=pl.struct([pl.col(p) for p in CAMPAIGN_PROPERTIES]))
        return _conform(frame, "campaigns")

    def _plan_emails(self) -> None:
        s, c = self.s, self.s.campaigns
        rng = self.rng("marketing-emails")
        per_campaign = np.where(np.isin(c.type, [0, 1]), 3, 1)  # Email and Webinar campaigns send a series
        camp, rank = ranks_within(per_campaign)
        publish = c.start[camp] + rank * 7 * DAY + rng.integers(8 * HOUR, 11 * HOUR, camp.shape[0])
        months = (s.as_of - s.start) // (30 * DAY)
        newsletter = s.start + np.arange(months) * 30 * DAY + 9 * HOUR
        self.email_campaign = np.concatenate([camp, np.full(months, -1)])
        self.email_publish = np.concatenate([publish, newsletter])
        self.email_rank = np.concatenate([rank, np.arange(months)])
        self.email_published = self.email_publish <= s.as_of
        self.n_emails = self.email_publish.shape[0]
        self._plan_sends()

    def _plan_sends(self) -> None:
        """An email event names a send (``emailCampaignId``), not the email: a published email has
        one send, two for an A/B test (both variants at once) or a resend to non-openers three days
        later; drafts have none. Send ids are numbered apart from email ids, as HubSpot's are."""
        rng = self.rng("email-sends")
        k = self.n_emails
        self.email_ab = self.email_published & (self.email_campaign >= 0) & (rng.random(k) < 0.2)
        self.email_resend = self.email_published & ~self.email_ab & (rng.random(k) < 0.15)
        n_sends = np.where(self.email_ab | self.email_resend, 2, 1) * self.email_published
        send_email, send_rank = ranks_within(n_sends)
        self.first_send = np.cumsum(n_sends) - n_sends
        self.n_sends = n_sends
        self.send_ids = SEND_ID_START + np.cumsum(rng.integers(1, 40, send_email.shape[0]))
        resent = self.email_resend[send_email] & (send_rank == 1)
        self.send_at = self.email_publish[send_email] + np.where(resent, 3 * DAY, 0)

    def marketing_emails(self) -> pl.DataFrame:
        s = self.s
        rng = self.rng("marketing-emails/records")
        k = self.n_emails
        camp = self.email_campaign
        campaign_names = s.campaigns.name.gather(np.maximum(camp, 0))
        month = pl.from_epoch(pl.Series(self.email_publish), time_unit="ms").dt.strftime("%B %Y")
        name = pl.select(
            pl.when(pl.Series(camp >= 0)).then(campaign_names + " - email " + pl.Series(self.email_rank + 1).cast(pl.String))
            .otherwise("Newsletter " + month)
        ).to_series()
        created = self.email_publish - rng.integers(1 * DAY, 6 * DAY, k)
        created = np.minimum(created, s.as_of - HOUR)
        published = self.email_published
        subject = name.str.replace(" - email ", ": part ")
        primary = np.zeros(k, dtype=np.int64)  # the first send; null for drafts (below)
        primary[published] = self.send_ids[self.first_send[published]]
        frame = pl.DataFrame({
            "id": _numeric_ids(EMAIL_ID_START, k), "name": name, "subject": subject,
            "campaign": pl.select(pl.when(pl.Series(camp >= 0)).then(self._campaign_ids().gather(np.maximum(camp, 0)))).to_series(),
            "campaignName": pl.select(pl.when(pl.Series(camp >= 0)).then(campaign_names)).to_series(),
            "type": pl.Series(np.where(self.email_ab, "AB_EMAIL", "BATCH_EMAIL").tolist()),
            "state": pl.Series(np.where(published, "PUBLISHED", "DRAFT").tolist()),
            "isAb": self.email_ab, "isPublished": published, "isTransactional": np.zeros(k, dtype=bool),
            "publishDate": pl.select(pl.when(pl.Series(published)).then(hs_datetime(pl.Series(self.email_publish)))).to_series(),
            "createdAt": hs_datetime(pl.Series(created)),
            "updatedAt": hs_datetime(pl.Series(np.where(published, self.email_publish, created))),
            "archived": np.zeros(k, dtype=bool),
            "primaryEmailCampaignId": primary,
        }).with_columns(
            language=pl.lit("en"), subcategory=pl.lit("batch"), publishedAt=pl.col("publishDate"),
            primaryEmailCampaignId=pl.when(pl.col("isPublished")).then(pl.col("primaryEmailCampaignId")),
        )
        frame = frame.hstack(self._email_details(rng, created, name, subject))
        return _conform(frame, "marketing_emails")

    def _email_details(self, rng, created: np.ndarray, name: pl.Series, subject: pl.Series) -> list[pl.Series]:
        """The nested parts of each email (record by record: there are at most a few thousand)."""
        k, u, c = self.n_emails, self.s.users, self.s.campaigns
        counters = self._email_counters()
        owner = np.where(self.email_campaign >= 0, c.owner[np.maximum(self.email_campaign, 0)], u.marketers[0])
        user_ids = (OWNER_USER_ID_START + owner).astype(str)
        drag_and_drop = rng.random(k) < 0.7
        sections = rng.integers(2, 6, k)
        folder = np.where(self.email_campaign >= 0, 7_100_000 + self.email_campaign % 7, 7_100_100)
        computer_share = rng.uniform(0.4, 0.75, k)
        test_ids = guids(rng, k).to_list()
        names, subjects = name.to_list(), subject.to_list()
        slugs = name.str.to_lowercase().str.replace_all("[^a-z0-9]+", "-").to_list()
        details: dict[str, list] = {f: [] for f in (
            "allEmailCampaignIds", "from", "to", "subscriptionDetails", "content", "stats", "testing", "webversion")}
        for i in range(k):
            sends = self.send_ids[self.first_send[i]: self.first_send[i] + self.n_sends[i]].tolist()
            newsletter = self.email_campaign[i] < 0
            lists = [3_000 + (i % 17), 3_050] if not newsletter else [3_001]
            details["allEmailCampaignIds"].append(nested.dumps(sends))
            details["from"].append(nested.email_from("Relay Newsletter" if newsletter else "Relay Marketing"))
            details["to"].append(nested.email_to(lists, 3_099))
            details["subscriptionDetails"].append(nested.email_subscription(newsletter))
            details["content"].append(nested.email_content(
                name=names[i], subject=subjects[i], created_ms=int(created[i]), sections=int(sections[i]),
                drag_and_drop=bool(drag_and_drop[i]), landing_url=PAGE_URL + slugs[i]))
            details["stats"].append(nested.email_stats(counters.get(i, {}), float(computer_share[i])))
            details["testing"].append(nested.email_testing(test_ids[i] if self.email_ab[i] else None))
            details["webversion"].append(nested.email_webversion(slugs[i]))
        return [
            pl.Series("emailTemplateMode", np.where(drag_and_drop, "DRAG_AND_DROP", "DESIGN_MANAGER").tolist(), dtype=pl.String),
            pl.Series("folderIdV2", folder.astype(np.int64)),
            pl.Series("createdById", user_ids.tolist(), dtype=pl.String),
            pl.Series("updatedById", user_ids.tolist(), dtype=pl.String),
            *[pl.Series(field, values, dtype=pl.String) for field, values in details.items()],
        ]

    def _email_counters(self) -> dict[int, dict[str, int]]:
        """Per email row: its events counted by kind, as its ``stats.counters`` report them."""
        events = self._email_event_frame
        counted = (
            pl.DataFrame({"email": self._event_email, "type": events["type"]})
            .group_by("email", "type").len()
        )
        out: dict[int, dict[str, int]] = {}
        for email, kind, n in counted.iter_rows():
            out.setdefault(email, {})[_COUNTER_NAMES[kind]] = n
        return {e: dict(sorted(c.items())) for e, c in out.items()}

    @functools.cached_property
    def _email_event_frame(self) -> pl.DataFrame:
        s = self.s
        rng = self.rng("email-events")
        published = np.flatnonzero(self.email_published)
        order = published[np.argsort(self.email_publish[published], kind="stable")]
        times = self.email_publish[order]
        contacts = np.flatnonzero(self.has_email)
        sends = np.minimum(rng.poisson(2.4, contacts.shape[0]), 8)
        contact_row, _ = ranks_within(sends)
        contact = contacts[contact_row]
        first = np.searchsorted(times, self.contact_created[contact], side="left")
        available = times.shape[0] - first
        chosen = first + (rng.random(contact.shape[0]) * available).astype(np.int64)
        ok = available > 0
        contact, email = contact[ok], order[chosen[ok]]
        pairs = pl.DataFrame({"contact": contact, "email": email}).unique(maintain_order=True)
        contact, email = pairs["contact"].to_numpy(), pairs["email"].to_numpy()
        n = contact.shape[0]
        # Which send of its email reached each contact: either variant of an A/B test, or the resend.
        pick_second = self.rng("email-events/sends").random(n)
        second = np.where(self.email_ab[email], pick_second < 0.5, self.email_resend[email] & (pick_second < 0.3))
        send_row = self.first_send[email] + second
        sent = self.send_at[send_row] + rng.integers(0, 90 * MINUTE, n)
        bounce = rng.random(n) < 0.03
        delivered = sent + rng.integers(1_000, 30_000, n)
        opened = ~bounce & (rng.random(n) < 0.35)
        open_at = delivered + lognormal_ms(rng, 3 * HOUR, 1.2, n)
        clicked = opened & (rng.random(n) < 0.3)
        click_at = open_at + rng.integers(10_000, 30 * MINUTE, n)
        unsubscribed = ~bounce & (rng.random(n) < 0.015)
        unsubscribe_at = delivered + rng.integers(HOUR, 48 * HOUR, n)
        kinds = [
            ("SENT", np.ones(n, dtype=bool), sent),
            ("DELIVERED", ~bounce, delivered),
            ("BOUNCE", bounce, delivered),
            ("OPEN", opened, open_at),
            ("CLICK", clicked, click_at),
            ("STATUSCHANGE", unsubscribed, unsubscribe_at),
        ]
        send_id = guids(rng, n)
        parts = []
        for kind, mask, at in kinds:
            rows = np.flatnonzero(mask & (at <= s.as_of) & (sent <= s.as_of))
            parts.append(pl.DataFrame({
                "_send": rows, "created": at[rows], "type": pl.Series([kind] * rows.shape[0], dtype=pl.String),
            }))
        events = pl.concat(parts).sort(["created", "_send"], maintain_order=True)
        send = events["_send"].to_numpy()
        self._event_email = email[send]
        is_sent = (events["type"] == "SENT").to_numpy()
        event_id = pl.select(pl.when(pl.Series(is_sent)).then(send_id.gather(send)).otherwise(guids(rng, send.shape[0]))).to_series()
        frame = events.with_columns(
            id=event_id,
            recipient=self.contact_email.gather(contact[send]),
            emailCampaignId=pl.Series(self.send_ids[send_row[send]], dtype=pl.Int64),
            portalId=pl.lit(vocab.HUBSPOT_PORTAL_ID, dtype=pl.Int64),
            appId=pl.lit(vocab.HUBSPOT_EMAIL_APP_ID, dtype=pl.Int64),
            sentBy=pl.struct(id=send_id.gather(send), created=pl.Series(sent[send], dtype=pl.Int64)),
        )
        return _conform(frame, "email_events")

    def email_events(self) -> pl.DataFrame:
        frame = self._email_event_frame
        del self._email_event_frame  # the largest HubSpot frame: not kept once written
        return frame

    def _form_ids(self) -> pl.Series:
        return guids(self.rng("form-ids"), len(vocab.FORM_NAMES))

    def forms(self) -> pl.DataFrame:
        s = self.s
        k = len(vocab.FORM_NAMES)
        created = s.start - 60 * DAY + np.arange(k) * 11 * DAY + 10 * HOUR
        updated = created + np.arange(k) * 3 * DAY
        archived = np.zeros(k, dtype=bool)
        archived[-1] = True  # a retired form whose old submissions remain
        form_type = [vocab.FORM_TYPES.get(name, "hubspot") for name in vocab.FORM_NAMES]
        slugs = pl.Series(vocab.FORM_NAMES).str.to_lowercase().str.replace_all("[^a-z]+", "-").to_list()
        frame = pl.DataFrame({
            "id": self._form_ids(), "name": pl.Series(vocab.FORM_NAMES), "formType": pl.Series(form_type),
            "createdAt": hs_datetime(pl.Series(created)), "updatedAt": hs_datetime(pl.Series(updated)),
            "archived": archived,
            "fieldGroups": [nested.form_field_groups(t, i % 3 != 2) for i, t in enumerate(form_type)],
            "configuration": [nested.form_configuration(t, PAGE_URL + "thank-you" if i % 2 else None)
                              for i, t in enumerate(form_type)],
            "displayOptions": [nested.form_display_options("Download" if "download" in slug else "Submit")
                               for slug in slugs],
            "legalConsentOptions": [nested.form_legal_consent(i % 4 == 0) for i in range(k)],
        }).with_columns(archivedAt=pl.when(pl.col("archived")).then(pl.col("updatedAt")))
        return _conform(frame, "forms")

    def form_submissions(self) -> pl.DataFrame:
        s, people = self.s, self.s.people
        rng = self.rng("form-submissions")
        n = people.n
        # Becoming a lead is a form fill; some people fill in more forms later.
        became_lead = np.flatnonzero(self.has_email[:n] & (people.reached >= LEAD))
        extra_count = rng.poisson(0.25, n) * self.has_email[:n]
        extra, _ = ranks_within(extra_count)
        extra_at = people.stage_at[extra, SUBSCRIBER] + (
            (s.as_of - people.stage_at[extra, SUBSCRIBER]) * rng.random(extra.shape[0])
        ).astype(np.int64)
        dups = np.flatnonzero(self.has_email[n:]) + n
        contact = np.concatenate([became_lead, extra, dups])
        at = np.concatenate([people.stage_at[became_lead, LEAD], extra_at, self.contact_created[dups]])
        person = np.concatenate([became_lead, extra, self.dup_of[dups - n]])
        order = np.argsort(at, kind="stable")
        contact, at, person = contact[order], at[order], person[order]
        k = contact.shape[0]
        form = pick(rng, (0.2, 0.2, 0.15, 0.1, 0.1, 0.08, 0.07, 0.04, 0.03, 0.03), k)
        typed = email_variant(self.contact_email.gather(contact), variant_codes(rng, k, 0.05))
        slug = pl.Series(vocab.FORM_NAMES).str.to_lowercase().str.replace_all("[^a-z]+", "-").gather(form)
        frame = pl.DataFrame({
            "formId": self._form_ids().gather(form), "conversionId": guids(rng, k), "submittedAt": at,
            "values": _name_value_lists({
                "email": typed, "firstname": people.first.gather(person), "lastname": people.last.gather(person),
                "company": s.companies.name.gather(people.company[person]),
            }),
            "pageUrl": PAGE_URL + slug,
        })
        return _conform(frame, "form_submissions")

    def frames(self) -> Iterator[tuple[str, pl.DataFrame]]:
        yield "contacts", self.contacts()
        yield "companies", self.companies()
        yield "owners", self.owners()
        yield "campaigns", self.campaigns()
        yield "marketing_emails", self.marketing_emails()
        yield "email_events", self.email_events()
        yield "forms", self.forms()
        yield "form_submissions", self.form_submissions()
