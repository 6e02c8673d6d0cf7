"""The one story both systems tell: who the people, companies, reps and campaigns are, and when
each person moved through the funnel. Salesforce and HubSpot records are both read off this.

Everything here is column-wise numpy: one array per attribute, one row per person (or company,
user, campaign, lead...), so a million people cost a few vector operations, not a million loops.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ingestion.sandbox.generator import vocab
from ingestion.sandbox.generator.randomness import lognormal_ms, pick, stream

MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR
HISTORY_DAYS = 730

# Share of people whose funnel stops at each stage (subscriber .. customer).
TARGET_STAGE_WEIGHTS = (0.24, 0.39, 0.19, 0.06, 0.06, 0.06)
SUBSCRIBER, LEAD, MQL, SQL, OPPORTUNITY, CUSTOMER = range(6)


@dataclass
class Users:
    n: int
    first: pl.Series
    last: pl.Series
    email: pl.Series
    is_sales: np.ndarray
    is_active: np.ndarray
    title: pl.Series
    created: np.ndarray
    sales_reps: np.ndarray  # indices of users in the sales department
    marketers: np.ndarray


@dataclass
class Companies:
    n: int
    name: pl.Series
    domain: pl.Series
    country: np.ndarray  # index into vocab.COUNTRIES
    industry: np.ndarray  # index into vocab.INDUSTRIES
    employees: np.ndarray
    owner: np.ndarray  # user index
    created: np.ndarray
    has_people: np.ndarray


@dataclass
class Campaigns:
    n: int
    name: pl.Series
    type: np.ndarray
    start: np.ndarray  # sorted ascending
    end: np.ndarray
    created: np.ndarray
    budget: np.ndarray
    currency: np.ndarray  # index into vocab.CURRENCIES
    owner: np.ndarray
    in_salesforce: np.ndarray
    salesforce_index: np.ndarray  # row in the Salesforce Campaign file, -1 when not synced


@dataclass
class People:
    n: int
    first: pl.Series
    last: pl.Series
    email: pl.Series  # as HubSpot holds it (lower case); null for people without one
    title: pl.Series
    company: np.ndarray
    source: np.ndarray  # index into vocab.ANALYTICS_SOURCES
    campaign: np.ndarray  # first-touch campaign index, -1 when none
    is_other: np.ndarray  # lifecyclestage "other"
    stage_at: np.ndarray  # (n, 6) epoch ms of reaching each stage
    reached: np.ndarray  # highest stage index reached by as_of
    owner: np.ndarray  # sales rep (user index)


@dataclass
class Pipeline:
    """Sales' side of each MQL: the lead, its follow-up, conversion and opportunity."""

    person: np.ndarray  # person index per lead (primary leads only)
    created: np.ndarray
    followed: np.ndarray
    first_follow: np.ndarray  # epoch ms (meaningless where not followed)
    follow_limit: np.ndarray  # follow-ups on the lead happen before this
    status: np.ndarray  # lead status string per lead
    converted: np.ndarray
    converted_at: np.ndarray
    # Opportunities, one per lead that reached the opportunity stage.
    opp_lead: np.ndarray  # lead row per opportunity
    opp_created: np.ndarray
    opp_final_stage: np.ndarray  # index into vocab.OPPORTUNITY_STAGES
    opp_last_open_stage: np.ndarray  # the furthest open stage passed through
    opp_end: np.ndarray  # close time for closed, last stage change for open
    opp_amount_usd: np.ndarray


@dataclass
class Story:
    seed: int
    as_of: int
    start: int
    users: Users
    companies: Companies
    campaigns: Campaigns
    people: People
    pipeline: Pipeline


def _names(rng: np.random.Generator, n: int) -> tuple[pl.Series, pl.Series]:
    first = pl.Series(vocab.FIRST_NAMES).gather(rng.integers(0, len(vocab.FIRST_NAMES), n))
    last = pl.Series(vocab.LAST_NAMES).gather(rng.integers(0, len(vocab.LAST_NAMES), n))
    return first, last


def unique_emails(local: pl.Series, domain: pl.Series) -> pl.Series:
    """``local@domain``, numbering repeats (anna.smith, anna.smith2, ...) so every address is unique."""
    frame = pl.DataFrame({"local": local, "domain": domain}).with_columns(
        key=pl.col("local") + "@" + pl.col("domain")
    )
    frame = frame.with_columns(n=pl.col("key").cum_count().over("key"))
    suffix = pl.when(pl.col("n") > 1).then(pl.col("n").cast(pl.String)).otherwise(pl.lit(""))
    return frame.select(pl.col("local") + suffix + "@" + pl.col("domain")).to_series()


def _local_part(first: pl.Series, last: pl.Series) -> pl.Series:
    clean = lambda s: s.str.to_lowercase().str.replace_all("[^a-z]", "")  # noqa: E731
    return clean(first) + "." + clean(last)


def _users(seed: int, n_people: int, start: int) -> Users:
    rng = stream(seed, "users")
    n = int(min(2000, 6 + n_people // 1000))
    first, last = _names(rng, n)
    email = unique_emails(_local_part(first, last), pl.Series(["relay-sandbox.example"] * n))
    is_sales = np.ones(n, dtype=bool)
    marketers = np.arange(0, n, 5)  # every fifth user works in marketing (at least two)
    marketers = np.unique(np.concatenate([marketers, [1]]))
    is_sales[marketers] = False
    is_active = rng.random(n) > 0.06
    is_active[:2] = True
    titles = np.where(is_sales, "Account Executive", "Marketing Manager").astype(object)
    titles[np.flatnonzero(is_sales)[:1]] = "VP Sales"
    titles[marketers[:1]] = "VP Marketing"
    created = start - 400 * DAY + rng.integers(0, 300 * DAY, n)
    return Users(
        n=n, first=first, last=last, email=email, is_sales=is_sales, is_active=is_active,
        title=pl.Series(titles.tolist(), dtype=pl.String), created=np.sort(created),
        sales_reps=np.flatnonzero(is_sales), marketers=marketers,
    )


def _companies(seed: int, n_people: int, start: int, users: Users) -> Companies:
    rng = stream(seed, "companies")
    n = max(20, n_people // 8)
    # "Blue Harbor Analytics Group": enough combinations that few names need a number to be unique.
    words_a = pl.Series(vocab.COMPANY_WORDS_A)
    i = rng.integers(0, words_a.len(), n)
    j = (i + rng.integers(1, words_a.len(), n)) % words_a.len()
    a = pl.select(
        pl.when(pl.Series(rng.random(n) < 0.7)).then(words_a.gather(i) + " " + words_a.gather(j)).otherwise(words_a.gather(i))
    ).to_series()
    b = pl.Series(vocab.COMPANY_WORDS_B).gather(rng.integers(0, len(vocab.COMPANY_WORDS_B), n))
    tail = pl.Series(vocab.COMPANY_WORDS_C).gather(rng.integers(0, len(vocab.COMPANY_WORDS_C), n))
    b = pl.select(pl.when(tail == "").then(b).otherwise(b + " " + tail)).to_series()
    country = pick(rng, vocab.COUNTRY_WEIGHTS, n)
    suffix = pl.Series([c[1] for c in vocab.COUNTRIES]).gather(country)
    tld = pl.Series([c[2] for c in vocab.COUNTRIES]).gather(country)
    base = pl.DataFrame({"a": a, "b": b, "suffix": suffix, "tld": tld}).with_columns(
        stem=pl.col("a") + " " + pl.col("b")
    )
    base = base.with_columns(k=pl.col("stem").cum_count().over("stem"))
    numbered = pl.when(pl.col("k") > 1).then(" " + pl.col("k").cast(pl.String)).otherwise(pl.lit(""))
    base = base.with_columns(
        name=pl.col("stem") + numbered + " " + pl.col("suffix"),
        domain=(pl.col("a") + pl.col("b")).str.to_lowercase().str.replace_all(" ", "", literal=True)
        + pl.when(pl.col("k") > 1).then(pl.col("k").cast(pl.String)).otherwise(pl.lit(""))
        + "."
        + pl.col("tld"),
    )
    employees = np.maximum(2, rng.lognormal(np.log(120), 1.4, n)).astype(np.int64)
    created = start - 200 * DAY + rng.integers(0, (HISTORY_DAYS + 100) * DAY, n)
    has_people = np.ones(n, dtype=bool)
    has_people[n - max(1, n // 20) :] = False  # the last 5% never get a person: prospects nobody met
    return Companies(
        n=n, name=base["name"], domain=base["domain"], country=country,
        industry=rng.integers(0, len(vocab.INDUSTRIES), n), employees=employees,
        owner=users.sales_reps[rng.integers(0, users.sales_reps.shape[0], n)], created=created,
        has_people=has_people,
    )


def _campaigns(seed: int, n_people: int, start: int, as_of: int, users: Users) -> Campaigns:
    rng = stream(seed, "campaigns")
    n = int(np.clip(n_people // 1500, 12, 400))
    n_planned = max(1, n // 20)
    begin = np.sort(rng.integers(start - 30 * DAY, as_of - 7 * DAY, n - n_planned))
    planned = np.sort(rng.integers(as_of + 3 * DAY, as_of + 60 * DAY, n_planned))
    starts = (np.concatenate([begin, planned]) // DAY) * DAY
    ends = starts + rng.integers(14, 120, n) * DAY
    created = starts - rng.integers(1, 30, n) * DAY - rng.integers(0, DAY, n)
    created = np.minimum(created, as_of - HOUR)
    kind = rng.integers(0, len(vocab.CAMPAIGN_TYPES), n)
    theme = pl.Series(vocab.CAMPAIGN_THEMES).gather(rng.integers(0, len(vocab.CAMPAIGN_THEMES), n))
    month = pl.from_epoch(pl.Series(starts), time_unit="ms").dt.strftime("%Y-%m")
    names = pl.DataFrame({"stem": month + " " + theme})
    names = names.with_columns(k=pl.col("stem").cum_count().over("stem")).select(
        pl.col("stem") + pl.when(pl.col("k") > 1).then(" #" + pl.col("k").cast(pl.String)).otherwise(pl.lit(""))
    ).to_series()
    in_salesforce = rng.random(n) < 0.85
    sf_index = np.where(in_salesforce, np.cumsum(in_salesforce) - 1, -1)
    return Campaigns(
        n=n, name=names, type=kind, start=starts, end=ends, created=created,
        budget=np.round(rng.lognormal(np.log(20_000), 0.7, n), -2),
        currency=pick(rng, (0.7, 0.2, 0.1), n), owner=users.marketers[rng.integers(0, users.marketers.shape[0], n)],
        in_salesforce=in_salesforce, salesforce_index=sf_index,
    )


def _people(seed: int, n: int, start: int, as_of: int, users: Users, companies: Companies, campaigns: Campaigns) -> People:
    rng = stream(seed, "people")
    first, last = _names(rng, n)
    populated = int(companies.has_people.sum())
    # A few big companies, many small ones.
    company = np.minimum((populated * rng.random(n) ** 1.6).astype(np.int64), populated - 1)
    free_mail = rng.random(n) < 0.10
    free = pl.Series(vocab.FREE_MAIL_DOMAINS).gather(rng.integers(0, len(vocab.FREE_MAIL_DOMAINS), n))
    domain = pl.select(pl.when(pl.Series(free_mail)).then(free).otherwise(companies.domain.gather(company))).to_series()
    email = unique_emails(_local_part(first, last), domain)
    has_email = rng.random(n) > 0.04
    email = pl.select(pl.when(pl.Series(has_email)).then(email).otherwise(None)).to_series()
    title = pl.Series(vocab.JOB_TITLES).gather(rng.integers(0, len(vocab.JOB_TITLES), n))
    source = pick(rng, [s[1] for s in vocab.ANALYTICS_SOURCES], n)
    # People without an email came in offline (imports, events), never through a form.
    source = np.where(has_email, source, [s[0] for s in vocab.ANALYTICS_SOURCES].index("OFFLINE"))

    span = as_of - start
    created = start + (span * rng.random(n) ** 0.8).astype(np.int64)
    gaps = np.stack(
        [
            np.zeros(n, dtype=np.int64),
            lognormal_ms(rng, 4 * DAY, 1.0, n),  # subscriber -> lead
            lognormal_ms(rng, 10 * DAY, 0.9, n),  # lead -> MQL
            lognormal_ms(rng, 8 * DAY, 0.8, n),  # MQL -> SQL (sales works the lead)
            rng.integers(2 * MINUTE, 40 * MINUTE, n),  # SQL -> opportunity: created on conversion, synced back
            lognormal_ms(rng, 40 * DAY, 0.6, n),  # opportunity -> customer (closed won)
        ],
        axis=1,
    )
    stage_at = created[:, None] + np.cumsum(gaps, axis=1)
    target = pick(rng, TARGET_STAGE_WEIGHTS, n)
    # A stage counts as reached only if it happened a day before as_of, leaving room for what follows it.
    happened = np.sum(stage_at[:, 1:] <= as_of - DAY, axis=1)
    reached = np.minimum(target, happened)
    # Leads need to reach MQL by form or email; no-email people stop being worked at lead unless sales met them.
    stage_at = np.where(np.arange(6)[None, :] <= reached[:, None], stage_at, -1)

    campaign = np.full(n, -1, dtype=np.int64)
    campaign_sourced = np.isin(source, [i for i, s in enumerate(vocab.ANALYTICS_SOURCES) if s[0] in vocab.CAMPAIGN_SOURCES])
    latest = np.searchsorted(campaigns.start, created, side="right") - 1
    back = rng.geometric(0.5, n) - 1
    chosen = latest - back
    campaign = np.where(campaign_sourced & (chosen >= 0), chosen, np.where(campaign_sourced & (latest >= 0), latest, -1))

    owner_rep = np.where(
        rng.random(n) < 0.8,
        companies.owner[company],
        users.sales_reps[rng.integers(0, users.sales_reps.shape[0], n)],
    )
    return People(
        n=n, first=first, last=last, email=email, title=title, company=company, source=source,
        campaign=campaign, is_other=rng.random(n) < 0.02, stage_at=stage_at, reached=reached, owner=owner_rep,
    )


def _pipeline(seed: int, as_of: int, people: People) -> Pipeline:
    rng = stream(seed, "pipeline")
    person = np.flatnonzero(people.reached >= MQL)
    n = person.shape[0]
    reached = people.reached[person]
    mql_at = people.stage_at[person, MQL]
    created = mql_at + rng.integers(1 * MINUTE, 20 * MINUTE, n)
    converted = reached >= SQL
    converted_at = np.where(converted, people.stage_at[person, SQL], -1)
    # Some MQLs are never followed up: the handoff problem sales and marketing argue about.
    followed = converted | (rng.random(n) > 0.35)
    delay = lognormal_ms(rng, 5 * HOUR, 1.4, n)
    first_follow = created + delay
    follow_limit = np.where(converted, converted_at, as_of)
    first_follow = np.where(converted, np.minimum(first_follow, created + (converted_at - created) // 2), first_follow)
    followed &= first_follow <= follow_limit
    status = np.full(n, vocab.LEAD_STATUS_OPEN, dtype=object)
    worked = followed & ~converted
    worked_status = np.array([vocab.LEAD_STATUS_WORKING, vocab.LEAD_STATUS_NURTURING, vocab.LEAD_STATUS_UNQUALIFIED], dtype=object)
    status[worked] = worked_status[pick(rng, (0.5, 0.25, 0.25), int(worked.sum()))]
    status[converted] = vocab.LEAD_STATUS_QUALIFIED

    opp_lead = np.flatnonzero(reached >= OPPORTUNITY)
    m = opp_lead.shape[0]
    opp_person = person[opp_lead]
    opp_created = converted_at[opp_lead]
    won = people.reached[opp_person] >= CUSTOMER
    age = as_of - opp_created
    lost = ~won & (age > 90 * DAY) & (rng.random(m) < 0.85)
    final = np.where(won, vocab.WON, np.where(lost, vocab.LOST, rng.integers(0, vocab.OPEN_STAGES, m)))
    last_open = np.where(won, vocab.OPEN_STAGES - 1, np.where(lost, rng.integers(0, vocab.OPEN_STAGES, m), final))
    customer_at = people.stage_at[opp_person, CUSTOMER]
    lost_end = opp_created + np.minimum(lognormal_ms(rng, 35 * DAY, 0.6, m), np.maximum(age - HOUR, HOUR))
    open_end = opp_created + (np.maximum(age, HOUR) * rng.uniform(0.1, 1.0, m)).astype(np.int64)
    end = np.where(won, customer_at - rng.integers(5 * MINUTE, 30 * MINUTE, m), np.where(lost, lost_end, open_end))
    end = np.clip(end, opp_created + MINUTE, as_of)
    return Pipeline(
        person=person, created=created, followed=followed, first_follow=first_follow,
        follow_limit=follow_limit, status=status, converted=converted, converted_at=converted_at,
        opp_lead=opp_lead, opp_created=opp_created, opp_final_stage=final.astype(np.int64),
        opp_last_open_stage=last_open.astype(np.int64), opp_end=end,
        opp_amount_usd=rng.lognormal(np.log(14_000), 0.8, m),
    )


def tell(people: int, seed: int, as_of: int) -> Story:
    """The whole story for ``people`` people, as of epoch-ms ``as_of``."""
    start = as_of - HISTORY_DAYS * DAY
    users = _users(seed, people, start)
    companies = _companies(seed, people, start, users)
    campaigns = _campaigns(seed, people, start, as_of, users)
    persons = _people(seed, people, start, as_of, users, companies, campaigns)
    pipeline = _pipeline(seed, as_of, persons)
    # A company exists (in both systems) before the first person from it shows up.
    np.minimum.at(companies.created, persons.company, persons.stage_at[:, SUBSCRIBER] - HOUR)
    return Story(
        seed=seed, as_of=as_of, start=start, users=users, companies=companies, campaigns=campaigns,
        people=persons, pipeline=pipeline,
    )
