"""Pages become Arrow tables typed like the columns dlt knows, or stay dicts where Arrow cannot type
them, so that dlt's schema contract decides about those as before."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pyarrow as pa
from dlt.common.schema import Schema

from ingestion.arrow_pages import as_page, as_pages

UTC = timezone.utc


def _schema(table: str | None = None, **columns: str) -> Schema:
    schema = Schema("test")
    if table:
        schema.update_table(
            {"name": table, "columns": {name: {"name": name, "data_type": kind} for name, kind in columns.items()}}
        )
    return schema


def test_salesforce_page_is_typed_by_describe():
    records = [
        {"Id": "00Q1", "SystemModstamp": "2024-03-05T14:22:01.000+0000", "ConvertedDate": "2024-03-05",
         "Amount": 10, "IsDeleted": False, "Rating__c": None},
        {"Id": "00Q2", "SystemModstamp": "2024-03-06T01:00:00.250+0000", "ConvertedDate": None,
         "Amount": 2.5, "IsDeleted": True, "Rating__c": None},
    ]
    declared = {"Id": "text", "SystemModstamp": "timestamp", "ConvertedDate": "date", "Amount": "double",
                "IsDeleted": "bool", "Rating__c": "text"}
    page = as_page(records, "lead", declared, key="Id", schema=_schema())

    assert isinstance(page, pa.Table)
    assert page.schema.field("SystemModstamp").type == pa.timestamp("us", tz="UTC")
    assert page.schema.field("ConvertedDate").type == pa.date32()
    assert page.schema.field("Amount").type == pa.float64()
    assert page.schema.field("Rating__c").type == pa.string()  # all null, still the declared type
    assert not page.schema.field("Id").nullable
    assert page.to_pylist()[1] == {
        "Id": "00Q2", "SystemModstamp": datetime(2024, 3, 6, 1, 0, 0, 250000, tzinfo=UTC), "ConvertedDate": None,
        "Amount": 2.5, "IsDeleted": True, "Rating__c": None,
    }
    assert page.to_pylist()[0]["ConvertedDate"] == date(2024, 3, 5)


def test_properties_are_lifted_and_objects_flattened():
    records = [
        {"id": "1", "properties": {"email": "a@b.c", "id": "shadow"}, "sentBy": {"id": "s1", "created": 5}},
        {"id": "2", "properties": {"email": None, "lifecyclestage": "lead"}, "sentBy": {"id": "s2", "created": 6}},
    ]
    page = as_page(records, "contacts", {"email": "text"}, lift="properties", schema=_schema())

    assert isinstance(page, pa.Table)
    assert page.column_names == ["id", "sentBy__id", "sentBy__created", "email", "lifecyclestage"]
    assert page.to_pylist()[0] == {"id": "1", "sentBy__id": "s1", "sentBy__created": 5, "email": "a@b.c",
                                   "lifecyclestage": None}


def test_a_field_only_later_records_carry_is_kept():
    records = [{"id": "1", "created": 5}, {"id": "2", "created": 6, "browser": "Firefox"}]
    page = as_page(records, "email_events", {"created": "bigint"}, schema=_schema())

    assert isinstance(page, pa.Table)
    assert page.column("browser").to_pylist() == [None, "Firefox"]


def test_a_value_contradicting_a_known_type_goes_row_by_row():
    # a type learned by an earlier run, contradicted by the whole page
    schema = _schema("email_events", email_campaign_id="bigint")
    records = [{"id": "e1", "emailCampaignId": "campaign-abc", "created": 1}]
    assert as_page(records, "email_events", {"created": "bigint"}, schema=schema) == records

    # a declared timestamp that does not parse; the row-by-row path still gets parsed cursors
    records = [
        {"Id": "1", "SystemModstamp": "2024-03-05T14:22:01.000+0000", "NumberOfEmployees": "lots"},
        {"Id": "2", "SystemModstamp": "2024-03-05T14:22:02.000+0000", "NumberOfEmployees": 3},
    ]
    page = as_page(records, "account", {"SystemModstamp": "timestamp", "NumberOfEmployees": "bigint"},
                   schema=_schema())
    assert isinstance(page, list)
    assert page[0]["SystemModstamp"] == datetime(2024, 3, 5, 14, 22, 1, tzinfo=UTC)
    assert page[0]["NumberOfEmployees"] == "lots"


def test_lists_go_row_by_row():
    # dlt's row-by-row path makes the child table `owners__teams` of them
    owners = [{"id": "1", "teams": [{"id": "t", "name": "Sales", "primary": True}]}]
    assert as_page(owners, "owners", {}, schema=_schema()) == owners


def test_new_iso_text_is_detected_as_timestamp_like_dlt_does():
    page = as_page([{"id": "1", "publishDate": "2024-03-05T14:22:01Z"}], "marketing_emails", {}, schema=_schema())
    assert page.schema.field("publishDate").type == pa.timestamp("us", tz="UTC")


def test_pages_are_combined_in_order_and_a_row_by_row_page_keeps_its_place():
    pages = [
        [{"id": "1", "n": 1}],
        [{"id": "2", "extra": "x"}],  # a field of this page only: null elsewhere
        [{"id": "3", "n": "three"}],  # contradicts the `n` learned below: row by row
        [{"id": "4", "n": 4}],
    ]
    schema = _schema("t", n="bigint")
    items = list(as_pages(pages, "t", {}, batch_rows=10, schema=schema))

    assert [type(item) for item in items] == [pa.Table, list, pa.Table]
    assert items[0].to_pylist() == [{"id": "1", "n": 1, "extra": None}, {"id": "2", "n": None, "extra": "x"}]
    assert items[1] == [{"id": "3", "n": "three"}]
    assert items[2].to_pylist() == [{"id": "4", "n": 4}]

    batches = list(as_pages([[{"id": str(i)}] for i in range(5)], "t", {}, batch_rows=2, schema=schema))
    assert [batch.num_rows for batch in batches] == [2, 2, 1]
