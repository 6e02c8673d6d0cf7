"""Salesforce's side of the story: one polars frame per SObject, in REST record shape."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import numpy as np
import polars as pl

from ingestion.sandbox.generator import vocab
from ingestion.sandbox.generator.ids import salesforce_ids
from ingestion.sandbox.generator.mess import (
    email_variant, late_updates, soft_delete_times, variant_codes,
)
from ingestion.sandbox.generator.randomness import lognormal_ms, pick, ranks_within, stream
from ingestion.sandbox.generator.schema import SALESFORCE
from ingestion.sandbox.generator.story import DAY, HOUR, MINUTE, Story
from ingestion.sandbox.generator.wire_formats import iso_date, sf_datetime

_URL = f"/services/data/{vocab.SALESFORCE_API_VERSION}/sobjects/"


def finish(frame: pl.DataFrame, sobject: str) -> pl.DataFrame:
    """Add the common fields (attributes, formatted audit timestamps) and put fields in contract order.

    ``frame`` carries ``_created`` and ``_modified`` as epoch milliseconds.
    """
    frame = frame.with_columns(
        attributes=pl.struct(type=pl.lit(sobject), url=pl.lit(_URL + sobject + "/") + pl.col("Id")),
        CreatedDate=sf_datetime(pl.col("_created")),
        LastModifiedDate=sf_datetime(pl.col("_modified")),
        SystemModstamp=sf_datetime(pl.col("_modified")),
    )
    schema = SALESFORCE[sobject]
    return frame.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])


def _str(values) -> pl.Series:
    return pl.Series(np.asarray(values, dtype=object).tolist(), dtype=pl.String)


def _ids_or_null(sobject: str, counters: np.ndarray) -> pl.Series:
    ids = salesforce_ids(sobject, np.maximum(counters, 0))
    return pl.select(pl.when(pl.Series(counters >= 0)).then(ids).otherwise(None)).to_series()


class SalesforceBuilder:
    """Builds each SObject's frame from a :class:`Story`; ``frames()`` yields them one at a time
    so only one large frame is alive at once."""

    def __init__(self, story: Story):
        self.s = story
        self.rng = lambda part: stream(story.seed, "salesforce/" + part)
        self._plan_leads()

    # -- planning shared between objects ------------------------------------------------------
    def _plan_leads(self) -> None:
        s, p = self.s, self.s.pipeline
        rng = self.rng("plan")
        n = p.person.shape[0]
        self.user_ids = salesforce_ids("User", np.arange(s.users.n))
        self.account_ids = salesforce_ids("Account", np.arange(s.companies.n))
        self.lead_owner = s.people.owner[p.person]
        # Contacts: one per converted lead, then duplicates.
        self.contact_of_lead = np.where(p.converted, np.cumsum(p.converted) - 1, -1)
        self.n_converted = int(p.converted.sum())
        self.opp_of_lead = np.full(n, -1, dtype=np.int64)
        self.opp_of_lead[p.opp_lead] = np.arange(p.opp_lead.shape[0])
        # Duplicate leads for the same person, later, from another channel.
        dup = np.flatnonzero(rng.random(n) < 0.03)
        dup_created = p.created[dup] + rng.integers(5 * DAY, 200 * DAY, dup.shape[0])
        keep = dup_created <= s.as_of - HOUR
        self.dup_lead_of = dup[keep]
        self.dup_lead_created = dup_created[keep]
        # Which leads are deleted: a share of duplicates and a few unconverted primaries.
        self.lead_deleted = (~p.converted) & (rng.random(n) < 0.01)
        self.dup_lead_deleted = rng.random(self.dup_lead_of.shape[0]) < 0.30
        # The email as sales typed it (differs from HubSpot's for about one lead in ten).
        self.lead_email_code = variant_codes(rng, n, 0.10)
        self.lead_source = self._lead_source(rng, s.people.source[p.person])
        self._plan_activities()

    def _plan_activities(self) -> None:
        s, p = self.s, self.s.pipeline
        rng = self.rng("activities")
        followed = np.flatnonzero(p.followed)
        count = 1 + np.minimum(rng.poisson(0.7, followed.shape[0]), 3)
        group, rank = ranks_within(count)
        lead = followed[group]
        when = p.first_follow[lead] + rank * lognormal_ms(rng, 36 * HOUR, 0.7, lead.shape[0])
        keep = when <= p.follow_limit[lead]
        self.lead_task_lead, self.lead_task_at, self.lead_task_rank = lead[keep], when[keep], rank[keep]
        meets = followed[rng.random(followed.shape[0]) < 0.2]
        start = p.first_follow[meets] + rng.integers(1 * DAY, 7 * DAY, meets.shape[0])
        duration = np.where(rng.random(meets.shape[0]) < 0.6, 30, 60)
        logged = start + duration * MINUTE + rng.integers(0, 4 * HOUR, meets.shape[0])
        keep = logged <= p.follow_limit[meets]
        self.lead_event_lead, self.lead_event_start = meets[keep], start[keep]
        self.lead_event_duration, self.lead_event_logged = duration[keep], logged[keep]
        # Lead modified: the last thing sales did on it.
        modified = p.created.copy()
        np.maximum.at(modified, self.lead_task_lead, self.lead_task_at)
        np.maximum.at(modified, self.lead_event_lead, self.lead_event_logged)
        modified = np.maximum(modified, np.where(p.converted, p.converted_at, 0))
        modified = late_updates(rng, p.created, modified, s.as_of)
        self.lead_modified = np.where(self.lead_deleted, soft_delete_times(rng, modified, s.as_of), modified)
        dup_modified = late_updates(rng, self.dup_lead_created, self.dup_lead_created, s.as_of)
        self.dup_lead_modified = np.where(
            self.dup_lead_deleted, soft_delete_times(rng, dup_modified, s.as_of), dup_modified
        )

    # -- objects -------------------------------------------------------------------------------
    def users(self) -> pl.DataFrame:
        u = self.s.users
        rng = self.rng("User")
        modified = np.where(u.is_active, u.created + rng.integers(0, 30 * DAY, u.n), self.s.as_of - rng.integers(DAY, 200 * DAY, u.n))
        modified = np.minimum(np.maximum(modified, u.created), self.s.as_of)
        frame = pl.DataFrame({
            "Id": self.user_ids, "IsDeleted": np.zeros(u.n, dtype=bool),
            "Username": u.email + ".relay", "FirstName": u.first, "LastName": u.last,
            "Name": u.first + " " + u.last, "Email": u.email, "IsActive": u.is_active,
            "Department": _str(np.where(u.is_sales, "Sales", "Marketing")), "Title": u.title,
            "_created": u.created, "_modified": modified,
        })
        return finish(frame, "User")

    def accounts(self) -> pl.DataFrame:
        s, c = self.s, self.s.companies
        rng = self.rng("Account")
        created = c.created + rng.integers(MINUTE, HOUR, c.n)
        won = np.zeros(c.n, dtype=bool)
        p = s.pipeline
        won_opps = p.opp_final_stage == vocab.WON
        won[s.people.company[p.person[p.opp_lead[won_opps]]]] = True
        currency = pl.Series([x[3] for x in vocab.COUNTRIES]).gather(c.country)
        frame = pl.DataFrame({
            "Id": self.account_ids, "IsDeleted": np.zeros(c.n, dtype=bool), "Name": c.name,
            "Website": "https://www." + c.domain,
            "Industry": pl.Series([i[0] for i in vocab.INDUSTRIES]).gather(c.industry),
            "NumberOfEmployees": c.employees,
            "AnnualRevenue": np.round(c.employees * rng.lognormal(np.log(150_000), 0.5, c.n), -3),
            "BillingCountry": pl.Series([x[0] for x in vocab.COUNTRIES]).gather(c.country),
            "Type": _str(np.where(won, "Customer - Direct", "Prospect")),
            "OwnerId": self.user_ids.gather(c.owner), "CurrencyIsoCode": currency,
            "_created": np.minimum(created, s.as_of),
            "_modified": late_updates(rng, created, np.minimum(created, s.as_of), s.as_of),
        })
        return finish(frame, "Account")

    def _lead_source(self, rng, source: np.ndarray) -> pl.Series:
        mapped = pl.Series([x[2] for x in vocab.ANALYTICS_SOURCES]).gather(source)
        other = pl.Series(vocab.OTHER_LEAD_SOURCES).gather(rng.integers(0, len(vocab.OTHER_LEAD_SOURCES), source.shape[0]))
        return pl.select(pl.when(pl.Series(rng.random(source.shape[0]) < 0.15)).then(other).otherwise(mapped)).to_series()

    def leads(self) -> pl.DataFrame:
        s, p, people = self.s, self.s.pipeline, self.s.people
        rng = self.rng("Lead")
        n = p.person.shape[0]
        company = people.company[p.person]
        primary = pl.DataFrame({
            "Id": salesforce_ids("Lead", np.arange(n)), "IsDeleted": self.lead_deleted,
            "FirstName": people.first.gather(p.person), "LastName": people.last.gather(p.person),
            "Email": email_variant(people.email.gather(p.person), self.lead_email_code),
            "Company": s.companies.name.gather(company), "Title": people.title.gather(p.person),
            "Country": pl.Series([x[0] for x in vocab.COUNTRIES]).gather(s.companies.country[company]),
            "Status": _str(p.status), "LeadSource": self.lead_source, "IsConverted": p.converted,
            "ConvertedDate": pl.select(pl.when(pl.Series(p.converted)).then(iso_date(pl.Series(p.converted_at)))).to_series(),
            "ConvertedContactId": _ids_or_null("Contact", self.contact_of_lead),
            "ConvertedAccountId": pl.select(pl.when(pl.Series(p.converted)).then(self.account_ids.gather(company))).to_series(),
            "ConvertedOpportunityId": _ids_or_null("Opportunity", self.opp_of_lead),
            "OwnerId": self.user_ids.gather(self.lead_owner),
            "_created": p.created, "_modified": self.lead_modified,
        })
        d = self.dup_lead_of
        m = d.shape[0]
        dup_person = p.person[d]
        dup_company = people.company[dup_person]
        duplicates = pl.DataFrame({
            "Id": salesforce_ids("Lead", n + np.arange(m)), "IsDeleted": self.dup_lead_deleted,
            "FirstName": people.first.gather(dup_person), "LastName": people.last.gather(dup_person),
            "Email": email_variant(people.email.gather(dup_person), variant_codes(rng, m, 1.0, always=True)),
            "Company": s.companies.name.gather(dup_company), "Title": people.title.gather(dup_person),
            "Country": pl.Series([x[0] for x in vocab.COUNTRIES]).gather(s.companies.country[dup_company]),
            "Status": _str(np.where(rng.random(m) < 0.6, vocab.LEAD_STATUS_OPEN, vocab.LEAD_STATUS_UNQUALIFIED)),
            "LeadSource": _str(np.where(rng.random(m) < 0.5, "Purchased List", "Trade Show")),
            "IsConverted": np.zeros(m, dtype=bool),
            "ConvertedDate": pl.Series([None] * m, dtype=pl.String),
            "ConvertedContactId": pl.Series([None] * m, dtype=pl.String),
            "ConvertedAccountId": pl.Series([None] * m, dtype=pl.String),
            "ConvertedOpportunityId": pl.Series([None] * m, dtype=pl.String),
            "OwnerId": self.user_ids.gather(s.users.sales_reps[rng.integers(0, s.users.sales_reps.shape[0], m)]),
            "_created": self.dup_lead_created, "_modified": self.dup_lead_modified,
        })
        return finish(pl.concat([primary, duplicates]), "Lead")

    def contacts(self) -> pl.DataFrame:
        s, p, people = self.s, self.s.pipeline, self.s.people
        rng = self.rng("Contact")
        lead = np.flatnonzero(p.converted)
        person = p.person[lead]
        k = lead.shape[0]
        created = p.converted_at[lead]
        email = email_variant(people.email.gather(person), self.lead_email_code[lead])
        source = self.lead_source.gather(lead)
        dup = np.flatnonzero(rng.random(k) < 0.04)
        dup_created = created[dup] + rng.integers(10 * DAY, 300 * DAY, dup.shape[0])
        dup = dup[dup_created <= s.as_of - HOUR]
        dup_created = dup_created[dup_created <= s.as_of - HOUR]
        m = dup.shape[0]
        dup_deleted = rng.random(m) < 0.5
        dup_modified = late_updates(rng, dup_created, dup_created, s.as_of)
        dup_modified = np.where(dup_deleted, soft_delete_times(rng, dup_modified, s.as_of), dup_modified)
        self.contact_count = k + m
        rows = np.concatenate([np.arange(k), dup])
        frame = pl.DataFrame({
            "Id": salesforce_ids("Contact", np.arange(k + m)),
            "IsDeleted": np.concatenate([np.zeros(k, dtype=bool), dup_deleted]),
            "AccountId": self.account_ids.gather(people.company[person[rows]]),
            "FirstName": people.first.gather(person[rows]), "LastName": people.last.gather(person[rows]),
            "Email": pl.concat([email, email_variant(people.email.gather(person[dup]), variant_codes(rng, m, 1.0, always=True))]),
            "Title": people.title.gather(person[rows]),
            "LeadSource": pl.concat([source, pl.Series([None] * m, dtype=pl.String)]),
            "OwnerId": self.user_ids.gather(self.lead_owner[lead[rows]]),
            "_created": np.concatenate([created, dup_created]),
            "_modified": np.concatenate([late_updates(rng, created, created, s.as_of), dup_modified]),
        })
        return finish(frame, "Contact")

    @functools.cached_property
    def _opportunity_facts(self):
        """What Opportunity and OpportunityHistory share: company, currency, amount, closing."""
        s, p = self.s, self.s.pipeline
        rng = self.rng("Opportunity/facts")
        m = p.opp_lead.shape[0]
        person = p.person[p.opp_lead]
        company = s.people.company[person]
        country_currency = np.array([vocab.CURRENCIES.index(x[3]) for x in vocab.COUNTRIES])
        currency = country_currency[s.companies.country[company]]
        per_usd = np.array([vocab.USD_PER_UNIT[c] for c in vocab.CURRENCIES])
        amount = np.round(p.opp_amount_usd / per_usd[currency] / 10) * 10
        closed = p.opp_final_stage >= vocab.OPEN_STAGES
        expected_close = p.opp_created + rng.integers(30, 150, m) * DAY
        close = np.where(closed, p.opp_end, np.maximum(expected_close, p.opp_end))
        return person, company, currency, amount, closed, close

    def opportunities(self) -> pl.DataFrame:
        s, p = self.s, self.s.pipeline
        rng = self.rng("Opportunity")
        person, company, currency, amount, closed, close = self._opportunity_facts
        m = person.shape[0]
        stage = p.opp_final_stage
        camp = s.people.campaign[person]
        sf_campaign = np.where(camp >= 0, s.campaigns.salesforce_index[np.maximum(camp, 0)], -1)
        kind = np.where(rng.random(m) < 0.8, "New Business", "Existing Business")
        label = np.array(["New Business", "Platform", "Pilot", "Expansion"], dtype=object)[rng.integers(0, 4, m)]
        frame = pl.DataFrame({
            "Id": salesforce_ids("Opportunity", np.arange(m)), "IsDeleted": np.zeros(m, dtype=bool),
            "AccountId": self.account_ids.gather(company),
            "Name": s.companies.name.gather(company) + " - " + _str(label),
            "Type": _str(kind),
            "StageName": pl.Series(vocab.OPPORTUNITY_STAGES).gather(stage),
            "Amount": amount,
            "CurrencyIsoCode": pl.Series(vocab.CURRENCIES).gather(currency),
            "CloseDate": iso_date(pl.Series(close)),
            "IsClosed": closed, "IsWon": stage == vocab.WON,
            "Probability": np.array(vocab.STAGE_PROBABILITY, dtype=np.float64)[stage],
            "LeadSource": self.lead_source.gather(p.opp_lead),
            "CampaignId": _ids_or_null("Campaign", sf_campaign),
            "OwnerId": self.user_ids.gather(self.lead_owner[p.opp_lead]),
            "_created": p.opp_created,
            "_modified": late_updates(rng, p.opp_created, p.opp_end, s.as_of),
        })
        return finish(frame, "Opportunity")

    def opportunity_history(self) -> pl.DataFrame:
        p = self.s.pipeline
        _, _, _, amount, closed, close = self._opportunity_facts
        rows = p.opp_last_open_stage + 1 + closed.astype(np.int64)
        opp, rank = ranks_within(rows)
        last = rank == rows[opp] - 1
        stage = np.where(closed[opp] & last, p.opp_final_stage[opp], rank)
        span = p.opp_end[opp] - p.opp_created[opp]
        steps = np.maximum(rows[opp] - 1, 1)
        at = p.opp_created[opp] + span * rank // steps
        frame = pl.DataFrame({
            "Id": salesforce_ids("OpportunityHistory", np.arange(opp.shape[0])),
            "IsDeleted": np.zeros(opp.shape[0], dtype=bool),
            "OpportunityId": salesforce_ids("Opportunity", opp),
            "StageName": pl.Series(vocab.OPPORTUNITY_STAGES).gather(stage),
            "Amount": amount[opp],
            "CloseDate": iso_date(pl.Series(np.where(last, close[opp], np.maximum(close[opp], at)))),
            "Probability": np.array(vocab.STAGE_PROBABILITY, dtype=np.float64)[stage],
            "CreatedById": self.user_ids.gather(self.lead_owner[p.opp_lead[opp]]),
            "_created": at, "_modified": at,
        })
        return finish(frame, "OpportunityHistory")

    def opportunity_contact_roles(self) -> pl.DataFrame:
        s, p = self.s, self.s.pipeline
        rng = self.rng("OpportunityContactRole")
        m = p.opp_lead.shape[0]
        created = p.opp_created + rng.integers(0, 5 * MINUTE, m)
        frame = pl.DataFrame({
            "Id": salesforce_ids("OpportunityContactRole", np.arange(m)), "IsDeleted": np.zeros(m, dtype=bool),
            "OpportunityId": salesforce_ids("Opportunity", np.arange(m)),
            "ContactId": salesforce_ids("Contact", self.contact_of_lead[p.opp_lead]),
            "Role": pl.Series(vocab.CONTACT_ROLES).gather(pick(rng, (0.4, 0.2, 0.15, 0.15, 0.1), m)),
            "IsPrimary": np.ones(m, dtype=bool),
            "_created": np.minimum(created, s.as_of),
            "_modified": late_updates(rng, created, np.minimum(created, s.as_of), s.as_of),
        })
        return finish(frame, "OpportunityContactRole")

    def campaigns(self) -> pl.DataFrame:
        s, c = self.s, self.s.campaigns
        rng = self.rng("Campaign")
        rows = np.flatnonzero(c.in_salesforce)
        k = rows.shape[0]
        start, end = c.start[rows], c.end[rows]
        status = np.where(start > s.as_of, "Planned", np.where(end >= s.as_of, "In Progress", "Completed"))
        status = np.where((status == "Completed") & (rng.random(k) < 0.05), "Aborted", status)
        progress = np.clip((s.as_of - start) / np.maximum(end - start, 1), 0, 1)
        actual = np.round(c.budget[rows] * progress * rng.uniform(0.7, 1.15, k), 2)
        created = np.minimum(c.created[rows] + rng.integers(MINUTE, HOUR, k), s.as_of)
        modified = np.clip(np.minimum(end, s.as_of - MINUTE), created, s.as_of)
        frame = pl.DataFrame({
            "Id": salesforce_ids("Campaign", np.arange(k)), "IsDeleted": np.zeros(k, dtype=bool),
            "Name": c.name.gather(rows), "Type": pl.Series(vocab.CAMPAIGN_TYPES).gather(c.type[rows]),
            "Status": _str(status), "StartDate": iso_date(pl.Series(start)), "EndDate": iso_date(pl.Series(end)),
            "BudgetedCost": c.budget[rows], "ActualCost": actual,
            "IsActive": (status == "In Progress") | (status == "Planned"),
            "OwnerId": self.user_ids.gather(c.owner[rows]),
            "CurrencyIsoCode": pl.Series(vocab.CURRENCIES).gather(c.currency[rows]),
            "_created": created, "_modified": modified,
        })
        return finish(frame, "Campaign")

    def campaign_members(self) -> pl.DataFrame:
        s, p, c = self.s, self.s.pipeline, self.s.campaigns
        rng = self.rng("CampaignMember")
        n = p.person.shape[0]
        # Responded: the campaign that brought the person in, when it is synced to Salesforce.
        camp = s.people.campaign[p.person]
        sf = np.where(camp >= 0, c.salesforce_index[np.maximum(camp, 0)], -1)
        responded = np.flatnonzero(sf >= 0)
        # Sent: a later campaign the lead was added to.
        sent = np.flatnonzero(rng.random(n) < 0.5)
        sent_at = p.created[sent] + lognormal_ms(rng, 20 * DAY, 1.0, sent.shape[0])
        sent_camp = np.searchsorted(c.start, sent_at, side="right") - 1
        sent_sf = np.where(sent_camp >= 0, c.salesforce_index[np.maximum(sent_camp, 0)], -1)
        keep = (sent_sf >= 0) & (sent_at <= s.as_of) & (sent_sf != np.where(sf[sent] >= 0, sf[sent], -2))
        sent, sent_at, sent_sf = sent[keep], sent_at[keep], sent_sf[keep]
        lead = np.concatenate([responded, sent])
        campaign = np.concatenate([sf[responded], sent_sf])
        created = np.concatenate([p.created[responded] + rng.integers(MINUTE, 10 * MINUTE, responded.shape[0]), sent_at])
        created = np.minimum(created, s.as_of)
        has_responded = np.concatenate([np.ones(responded.shape[0], dtype=bool), np.zeros(sent.shape[0], dtype=bool)])
        deleted = np.concatenate([self.lead_deleted[responded], self.lead_deleted[sent]])
        modified = np.maximum(created, np.where(deleted, self.lead_modified[lead], created))
        modified = np.where(deleted, modified, late_updates(rng, created, modified, s.as_of))
        order = np.lexsort((lead, created))
        lead, campaign, created, modified = lead[order], campaign[order], created[order], modified[order]
        has_responded, deleted = has_responded[order], deleted[order]
        k = lead.shape[0]
        frame = pl.DataFrame({
            "Id": salesforce_ids("CampaignMember", np.arange(k)), "IsDeleted": deleted,
            "CampaignId": salesforce_ids("Campaign", campaign),
            "LeadId": salesforce_ids("Lead", lead),
            "ContactId": _ids_or_null("Contact", self.contact_of_lead[lead]),
            "Status": _str(np.where(has_responded, vocab.CAMPAIGN_MEMBER_RESPONDED, vocab.CAMPAIGN_MEMBER_SENT)),
            "HasResponded": has_responded,
            "FirstRespondedDate": pl.select(pl.when(pl.Series(has_responded)).then(iso_date(pl.Series(created)))).to_series(),
            "_created": created, "_modified": modified,
        })
        return finish(frame, "CampaignMember")

    def _opportunity_activity(self, rng, count: np.ndarray):
        p = self.s.pipeline
        opp, _ = ranks_within(count)
        span = p.opp_end[opp] - p.opp_created[opp]
        at = p.opp_created[opp] + (span * rng.random(opp.shape[0])).astype(np.int64)
        return opp, at

    def tasks(self) -> pl.DataFrame:
        s, p = self.s, self.s.pipeline
        rng = self.rng("Task")
        lead, at, rank = self.lead_task_lead, self.lead_task_at, self.lead_task_rank
        call = rng.random(lead.shape[0]) < 0.6
        opp, opp_at = self._opportunity_activity(rng, 1 + np.minimum(rng.poisson(1.0, p.opp_lead.shape[0]), 4))
        opp_call = rng.random(opp.shape[0]) < 0.5
        is_call = np.concatenate([call, opp_call])
        when = np.concatenate([at, opp_at])
        subject = np.where(is_call, "Call", "Email")
        subject = np.where(np.concatenate([rank > 0, np.ones(opp.shape[0], dtype=bool)]) & (rng.random(when.shape[0]) < 0.3), "Follow up", subject)
        who_lead = np.concatenate([lead, np.full(opp.shape[0], -1)])
        deleted = np.concatenate([self.lead_deleted[lead], np.zeros(opp.shape[0], dtype=bool)])
        own_delete = (~deleted) & (rng.random(when.shape[0]) < 0.01)
        modified = late_updates(rng, when, when, s.as_of)
        modified = np.where(deleted, np.maximum(modified, self.lead_modified[np.maximum(who_lead, 0)]), modified)
        modified = np.where(own_delete, soft_delete_times(rng, modified, s.as_of), modified)
        who = pl.concat([
            salesforce_ids("Lead", lead),
            salesforce_ids("Contact", self.contact_of_lead[p.opp_lead[opp]]),
        ])
        what = pl.concat([pl.Series([None] * lead.shape[0], dtype=pl.String), salesforce_ids("Opportunity", opp)])
        owner = np.concatenate([self.lead_owner[lead], self.lead_owner[p.opp_lead[opp]]])
        order = np.argsort(when, kind="stable")
        k = when.shape[0]
        frame = pl.DataFrame({
            "IsDeleted": (deleted | own_delete)[order],
            "WhoId": who.gather(order), "WhatId": what.gather(order),
            "OwnerId": self.user_ids.gather(owner[order]),
            "Subject": _str(subject[order]), "Type": _str(np.where(is_call, "Call", "Email")[order]),
            "TaskSubtype": _str(np.where(is_call, "Call", "Email")[order]),
            "Status": _str(np.where(when[order] > s.as_of - DAY, "Not Started", "Completed")),
            "ActivityDate": iso_date(pl.Series(when[order])),
            "_created": when[order], "_modified": modified[order],
        }).with_columns(Id=salesforce_ids("Task", np.arange(k)))
        return finish(frame, "Task")

    def events(self) -> pl.DataFrame:
        s, p = self.s, self.s.pipeline
        rng = self.rng("Event")
        lead = self.lead_event_lead
        n_opps = p.opp_lead.shape[0]
        opp, opp_start = self._opportunity_activity(rng, (rng.random(n_opps) < 0.5).astype(np.int64))
        opp_duration = np.where(rng.random(opp.shape[0]) < 0.5, 30, 60)
        start = np.concatenate([self.lead_event_start, opp_start])
        duration = np.concatenate([self.lead_event_duration, opp_duration])
        logged = np.concatenate([self.lead_event_logged, np.minimum(opp_start + opp_duration * MINUTE + HOUR, s.as_of)])
        start = np.minimum(start, logged - duration * MINUTE)
        deleted = np.concatenate([self.lead_deleted[lead], np.zeros(opp.shape[0], dtype=bool)])
        who_lead = np.concatenate([lead, np.full(opp.shape[0], -1)])
        modified = late_updates(rng, logged, logged, s.as_of)
        modified = np.where(deleted, np.maximum(modified, self.lead_modified[np.maximum(who_lead, 0)]), modified)
        who = pl.concat([salesforce_ids("Lead", lead), salesforce_ids("Contact", self.contact_of_lead[p.opp_lead[opp]])])
        what = pl.concat([pl.Series([None] * lead.shape[0], dtype=pl.String), salesforce_ids("Opportunity", opp)])
        owner = np.concatenate([self.lead_owner[lead], self.lead_owner[p.opp_lead[opp]]])
        subject = np.concatenate([np.full(lead.shape[0], "Discovery call"), np.full(opp.shape[0], "Demo")])
        order = np.argsort(logged, kind="stable")
        k = logged.shape[0]
        frame = pl.DataFrame({
            "IsDeleted": deleted[order], "WhoId": who.gather(order), "WhatId": what.gather(order),
            "OwnerId": self.user_ids.gather(owner[order]), "Subject": _str(subject[order]),
            "Type": _str(np.full(k, "Meeting")), "ActivityDate": iso_date(pl.Series(start[order])),
            "ActivityDateTime": sf_datetime(pl.Series(start[order])),
            "DurationInMinutes": duration[order].astype(np.int64),
            "_created": logged[order], "_modified": modified[order],
        }).with_columns(Id=salesforce_ids("Event", np.arange(k)))
        return finish(frame, "Event")

    def frames(self) -> Iterator[tuple[str, pl.DataFrame]]:
        yield "User", self.users()
        yield "Account", self.accounts()
        yield "Lead", self.leads()
        yield "Contact", self.contacts()
        yield "Opportunity", self.opportunities()
        yield "OpportunityHistory", self.opportunity_history()
        yield "OpportunityContactRole", self.opportunity_contact_roles()
        yield "Campaign", self.campaigns()
        yield "CampaignMember", self.campaign_members()
        yield "Task", self.tasks()
        yield "Event", self.events()
