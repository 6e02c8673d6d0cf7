"""The data contract of ingestion/sandbox/README.md as polars schemas: every object's fields,
in the order they are written, with the types their JSON values have.

Files are read back with these schemas (``mutate``), so a column that is null on every row keeps
its type, and a written record always carries every field of its object (null when unknown).
"""

from __future__ import annotations

import polars as pl

S, B, I, F = pl.String, pl.Boolean, pl.Int64, pl.Float64

_SF_HEAD = {"attributes": pl.Struct({"type": S, "url": S}), "Id": S, "IsDeleted": B}
_SF_TAIL = {"CreatedDate": S, "LastModifiedDate": S, "SystemModstamp": S}


def _sobject(**fields: pl.DataType) -> pl.Schema:
    return pl.Schema({**_SF_HEAD, **fields, **_SF_TAIL})


SALESFORCE: dict[str, pl.Schema] = {
    "User": _sobject(
        Username=S, FirstName=S, LastName=S, Name=S, Email=S, IsActive=B, Department=S, Title=S
    ),
    "Account": _sobject(
        Name=S, Website=S, Industry=S, NumberOfEmployees=I, AnnualRevenue=F, BillingCountry=S, Type=S,
        OwnerId=S, CurrencyIsoCode=S,
    ),
    "Lead": _sobject(
        FirstName=S, LastName=S, Email=S, Company=S, Title=S, Country=S, Status=S, LeadSource=S,
        IsConverted=B, ConvertedDate=S, ConvertedContactId=S, ConvertedAccountId=S,
        ConvertedOpportunityId=S, OwnerId=S,
    ),
    "Contact": _sobject(AccountId=S, FirstName=S, LastName=S, Email=S, Title=S, LeadSource=S, OwnerId=S),
    "Opportunity": _sobject(
        AccountId=S, Name=S, Type=S, StageName=S, Amount=F, CurrencyIsoCode=S, CloseDate=S, IsClosed=B,
        IsWon=B, Probability=F, LeadSource=S, CampaignId=S, OwnerId=S,
    ),
    "OpportunityHistory": _sobject(
        OpportunityId=S, StageName=S, Amount=F, CloseDate=S, Probability=F, CreatedById=S
    ),
    "OpportunityContactRole": _sobject(OpportunityId=S, ContactId=S, Role=S, IsPrimary=B),
    "Campaign": _sobject(
        Name=S, Type=S, Status=S, StartDate=S, EndDate=S, BudgetedCost=F, ActualCost=F, IsActive=B,
        OwnerId=S, CurrencyIsoCode=S,
    ),
    "CampaignMember": _sobject(
        CampaignId=S, LeadId=S, ContactId=S, Status=S, HasResponded=B, FirstRespondedDate=S
    ),
    "Task": _sobject(
        WhoId=S, WhatId=S, OwnerId=S, Subject=S, Type=S, TaskSubtype=S, Status=S, ActivityDate=S
    ),
    "Event": _sobject(
        WhoId=S, WhatId=S, OwnerId=S, Subject=S, Type=S, ActivityDate=S, ActivityDateTime=S,
        DurationInMinutes=I,
    ),
}

CONTACT_PROPERTIES = (
    "email", "firstname", "lastname", "company", "jobtitle", "lifecyclestage",
    "hs_lifecyclestage_subscriber_date", "hs_lifecyclestage_lead_date",
    "hs_lifecyclestage_marketingqualifiedlead_date", "hs_lifecyclestage_salesqualifiedlead_date",
    "hs_lifecyclestage_opportunity_date", "hs_lifecyclestage_customer_date", "hs_analytics_source",
    "hs_analytics_source_data_1", "hubspot_owner_id", "associatedcompanyid", "createdate",
    "lastmodifieddate", "hs_object_id",
)
COMPANY_PROPERTIES = (
    "name", "domain", "industry", "numberofemployees", "country", "hubspot_owner_id", "createdate",
    "hs_lastmodifieddate", "hs_object_id",
)
CAMPAIGN_PROPERTIES = (
    "hs_name", "hs_start_date", "hs_end_date", "hs_goal", "hs_budget_items_sum_amount", "hs_currency_code",
)

_ASSOCIATION = pl.Struct({"id": S, "type": S})

HUBSPOT: dict[str, pl.Schema] = {
    "contacts": pl.Schema({
        "id": S,
        "properties": pl.Struct({name: S for name in CONTACT_PROPERTIES}),
        "createdAt": S, "updatedAt": S, "archived": B, "archivedAt": S,
        "associations": pl.Struct({"companies": pl.Struct({"results": pl.List(_ASSOCIATION)})}),
    }),
    "companies": pl.Schema({
        "id": S,
        "properties": pl.Struct({name: S for name in COMPANY_PROPERTIES}),
        "createdAt": S, "updatedAt": S, "archived": B, "archivedAt": S,
    }),
    "owners": pl.Schema({
        "id": S, "email": S, "firstName": S, "lastName": S, "userId": I, "createdAt": S, "updatedAt": S,
        "archived": B, "teams": pl.List(pl.Struct({"id": S, "name": S, "primary": B})),
    }),
    "campaigns": pl.Schema({
        "id": S, "properties": pl.Struct({name: S for name in CAMPAIGN_PROPERTIES}),
        "createdAt": S, "updatedAt": S, "archived": B,
    }),
    "marketing_emails": pl.Schema({
        "id": S, "name": S, "subject": S, "campaign": S, "campaignName": S, "type": S, "state": S, "isAb": B,
        "isPublished": B, "isTransactional": B, "language": S, "emailTemplateMode": S, "subcategory": S,
        "folderIdV2": I, "publishDate": S, "publishedAt": S, "createdAt": S, "updatedAt": S, "archived": B,
        "createdById": S, "updatedById": S, "primaryEmailCampaignId": I,
        "allEmailCampaignIds": S, "from": S, "to": S, "subscriptionDetails": S, "content": S, "stats": S,
        "testing": S, "webversion": S,
    }),
    "email_events": pl.Schema({
        "id": S, "created": I, "type": S, "recipient": S, "emailCampaignId": I, "portalId": I, "appId": I,
        "sentBy": pl.Struct({"id": S, "created": I}),
    }),
    "forms": pl.Schema({
        "id": S, "name": S, "formType": S, "createdAt": S, "updatedAt": S, "archived": B, "archivedAt": S,
        "fieldGroups": S, "configuration": S, "displayOptions": S, "legalConsentOptions": S,
    }),
    "form_submissions": pl.Schema({
        "formId": S, "conversionId": S, "submittedAt": I,
        "values": pl.List(pl.Struct({"name": S, "value": S})), "pageUrl": S,
    }),
}

# Fields whose values are nested JSON of no fixed shape (maps keyed by widget id, lists of field
# groups): frames hold them as JSON text, the files as the JSON itself (files.py writes and reads them).
RAW_JSON: dict[str, tuple[str, ...]] = {
    "hubspot/marketing_emails": (
        "allEmailCampaignIds", "from", "to", "subscriptionDetails", "content", "stats", "testing", "webversion",
    ),
    "hubspot/forms": ("fieldGroups", "configuration", "displayOptions", "legalConsentOptions"),
}

# Object key ("salesforce/Lead") -> schema, in the order files are written and counted.
OBJECTS: dict[str, pl.Schema] = {
    **{f"salesforce/{name}": schema for name, schema in SALESFORCE.items()},
    **{f"hubspot/{name}": schema for name, schema in HUBSPOT.items()},
}

# The field that moves when a record changes, per object, and how it is encoded.
MODIFIED_FIELD: dict[str, tuple[str, str]] = {
    **{key: ("SystemModstamp", "salesforce") for key in OBJECTS if key.startswith("salesforce/")},
    "hubspot/contacts": ("updatedAt", "hubspot"),
    "hubspot/companies": ("updatedAt", "hubspot"),
    "hubspot/owners": ("updatedAt", "hubspot"),
    "hubspot/campaigns": ("updatedAt", "hubspot"),
    "hubspot/marketing_emails": ("updatedAt", "hubspot"),
    "hubspot/forms": ("updatedAt", "hubspot"),
    "hubspot/email_events": ("created", "epoch_ms"),
    "hubspot/form_submissions": ("submittedAt", "epoch_ms"),
}

# The field that identifies a record, per object.
ID_FIELD: dict[str, str] = {
    **{key: "Id" for key in OBJECTS if key.startswith("salesforce/")},
    **{key: "id" for key in OBJECTS if key.startswith("hubspot/")},
    "hubspot/form_submissions": "conversionId",
}
