"""The nested parts of marketing emails and forms, shaped as HubSpot's v3 APIs return them.

Shapes from HubSpot's OpenAPI specs (github.com/HubSpot/HubSpot-public-api-spec-collection,
``PublicApiSpecs/Marketing/Marketing Emails/Rollouts/145892/v3/marketingEmails.json`` schema
``PublicEmail`` and ``PublicApiSpecs/Marketing/Forms/Rollouts/144909/v3/forms.json`` schema
``HubSpotFormDefinition``). What makes them hard to load is kept: an email's ``content.widgets`` is
a map keyed by widget id (drag-and-drop emails reuse ``module-<section>-<column>-<n>`` ids, classic
design-manager emails have ids made from a timestamp, unique to the email), ``flexAreas`` nests
sections, columns and widget id lists; a form's ``fieldGroups`` nest fields whose keys depend on the
field type (``options`` on dropdowns, ``validation`` on emails).

Each part is a JSON text (orjson, compact): the generator's frames hold them as string columns and
the data files hold them as JSON (see schema.RAW_JSON). There are at most a few thousand emails and
a dozen forms, so they are built record by record.
"""

from __future__ import annotations

from typing import Any

import orjson

_OFFICE_LOCATION_ID = "5012001"
_SUBSCRIPTIONS = {"campaign": ("211001", "Marketing Information"), "newsletter": ("211002", "Newsletter")}
_STYLE = {
    "backgroundColor": "#EAF0F6", "bodyBorderColor": "#EAF0F6", "bodyBorderWidth": 1, "bodyColor": "#ffffff",
    "emailBodyPadding": "0px", "emailBodyWidth": 600, "primaryFont": "Arial, sans-serif", "primaryFontColor": "#23496d",
    "primaryFontSize": 15, "primaryFontLineHeight": None, "secondaryFont": "Arial, sans-serif",
    "secondaryFontColor": "#23496d", "secondaryFontSize": 12, "linksFont": {"color": "#00a4bd", "underline": True},
    "buttonStyleSettings": {"backgroundColor": "#00a4bd", "cornerRadius": 8,
                            "fontStyle": {"color": "#ffffff", "size": 16, "bold": False}},
    "dividerStyleSettings": {"color": {"color": "#23496d", "opacity": 100}, "height": 1, "lineType": "solid"},
}


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _rich_text(widget_id: str, order: int, html: str) -> dict[str, Any]:
    return {
        "body": {"css_class": "dnd-module", "html": html, "i18nKey": "richText.default", "path": "@hubspot/rich_text",
                 "schema_version": 2, "module_id": 1155639},
        "child_css": {}, "css": {}, "id": widget_id, "module_id": 1155639, "name": widget_id, "order": order,
        "smart_type": None, "styles": {}, "type": "module",
    }


def _button(widget_id: str, order: int, text: str, url: str) -> dict[str, Any]:
    return {
        "body": {"css_class": "dnd-module", "path": "@hubspot/button", "schema_version": 2, "module_id": 1976948,
                 "button_text": text, "destination": {"url": {"href": url, "type": "EXTERNAL"}, "open_in_new_tab": True},
                 "alignment": {"horizontal_align": "CENTER"}},
        "child_css": {}, "css": {}, "id": widget_id, "module_id": 1976948, "name": widget_id, "order": order,
        "smart_type": None, "styles": {}, "type": "module",
    }


def email_content(*, name: str, subject: str, created_ms: int, sections: int, drag_and_drop: bool,
                  landing_url: str) -> str:
    """``content`` of one marketing email: preview text, then ``sections`` sections of one or two
    columns holding rich text and a button."""
    widgets: dict[str, Any] = {
        "preview_text": {"body": {"value": subject}, "id": "preview_text", "name": "preview_text", "label": "Preview Text",
                         "order": 0, "type": "text", "smart_type": None},
    }
    layout = []
    order = 1
    for section in range(sections):
        columns = []
        for column in range(1 + (section % 2)):
            ids = []
            for n, kind in enumerate(("text", "button") if column == 0 and section == sections - 1 else ("text",)):
                widget_id = (f"module-{section}-{column}-{n}" if drag_and_drop
                             else f"module_{created_ms + section * 100 + column * 10 + n}")
                if kind == "text":
                    widgets[widget_id] = _rich_text(widget_id, order, f"<p>{name}: part {section + 1}.</p>")
                else:
                    widgets[widget_id] = _button(widget_id, order, "Read more", landing_url)
                ids.append(widget_id)
                order += 1
            columns.append({"id": f"column-{section}-{column}", "widgets": ids, "width": 12 // (1 + (section % 2))})
        layout.append({"id": f"section-{section}", "columns": columns,
                       "style": {"backgroundType": "CONTENT", "paddingBottom": "10px", "paddingTop": "10px"}})
    content = {
        "templatePath": "@hubspot/email/dnd/plain_text.html" if drag_and_drop else "relay/emails/classic-newsletter.html",
        "plainTextVersion": f"{subject}\n\n{name}\n\nRead more: {landing_url}",
        "flexAreas": {"main": {"boxed": False, "isSingleColumnFullWidth": False, "sections": layout}},
        "widgets": widgets,
        "widgetContainers": {},
        "smartFields": {},
        "styleSettings": _STYLE,
        "themeSettingsValues": {},
    }
    return dumps(content)


def email_from(from_name: str) -> str:
    return dumps({"fromName": from_name, "replyTo": "marketing@relay-sandbox.example", "customReplyTo": None})


def email_to(list_ids: list[int], suppressed_list_id: int) -> str:
    return dumps({
        "contactIds": {"include": [], "exclude": []},
        "contactIlsLists": {"include": [str(i) for i in list_ids], "exclude": [str(suppressed_list_id)]},
        "contactLists": {"include": [str(i) for i in list_ids], "exclude": [str(suppressed_list_id)]},
        "limitSendFrequency": True,
        "suppressGraymail": True,
    })


def email_subscription(newsletter: bool) -> str:
    subscription_id, subscription_name = _SUBSCRIPTIONS["newsletter" if newsletter else "campaign"]
    return dumps({"officeLocationId": _OFFICE_LOCATION_ID, "subscriptionId": subscription_id,
                  "subscriptionName": subscription_name})


def email_stats(counters: dict[str, int], computer_share: float) -> str:
    """``stats`` as the API reports them: counters, ratios (percentages) and opens and clicks by device."""
    if not counters.get("sent"):
        return dumps({"counters": {}, "deviceBreakdown": {}, "qualifierStats": {}, "ratios": {}})
    sent, delivered = counters["sent"], max(counters.get("delivered", 0), 1)

    def by_device(total: int) -> dict[str, int]:
        computer = int(round(total * computer_share))
        return {"computer": computer, "mobile": total - computer, "unknown": 0}

    ratios = {
        "deliveredratio": round(100 * counters.get("delivered", 0) / sent, 2),
        "bounceratio": round(100 * counters.get("bounce", 0) / sent, 2),
        "openratio": round(100 * counters.get("open", 0) / delivered, 2),
        "clickratio": round(100 * counters.get("click", 0) / delivered, 2),
        "clickthroughratio": round(100 * counters.get("click", 0) / max(counters.get("open", 0), 1), 2),
        "unsubscribedratio": round(100 * counters.get("unsubscribed", 0) / delivered, 2),
    }
    return dumps({
        "counters": {"selected": sent, "processed": sent, **counters, "dropped": 0, "spamreport": 0},
        "deviceBreakdown": {"open_device_type": by_device(counters.get("open", 0)),
                            "click_device_type": by_device(counters.get("click", 0))},
        "qualifierStats": {},
        "ratios": ratios,
    })


def email_testing(test_id: str | None) -> str:
    if test_id is None:
        return dumps({"abTestPercentage": 50, "hoursToWait": 4, "isAbVariation": False})
    return dumps({"abStatus": "master", "abSuccessMetric": "OPENS_BY_DELIVERED", "abSampleSizeDefault": "master",
                  "abSamplingDefault": "master", "abTestPercentage": 50, "hoursToWait": 4, "isAbVariation": False,
                  "testId": test_id})


def email_webversion(slug: str) -> str:
    return dumps({"enabled": False, "domain": "", "slug": slug, "title": "", "metaDescription": "",
                  "isPageRedirected": False, "pageExpiryEnabled": False, "expiresAt": None, "url": None})


# -- forms -------------------------------------------------------------------------------------------
def _field(name: str, label: str, field_type: str, required: bool, **extra: Any) -> dict[str, Any]:
    field = {"objectTypeId": "0-1", "name": name, "label": label, "required": required, "hidden": False,
             "fieldType": field_type, "dependentFields": []}
    if field_type == "email":
        field["validation"] = {"blockedEmailDomains": [], "useDefaultBlockList": False}
    return field | extra


def form_field_groups(form_type: str, asks_for_details: bool) -> str:
    """``fieldGroups``: name and email first, then company details, then a dropdown of interests."""
    groups = [
        {"groupType": "default_group", "richTextType": "text", "fields": [
            _field("firstname", "First name", "single_line_text", True),
            _field("lastname", "Last name", "single_line_text", True),
        ]},
        {"groupType": "default_group", "richTextType": "text", "fields": [_field("email", "Email", "email", True)]},
    ]
    if asks_for_details:
        groups.append({"groupType": "default_group", "richTextType": "text", "fields": [
            _field("company", "Company name", "single_line_text", form_type == "hubspot"),
            _field("jobtitle", "Job title", "single_line_text", False),
        ]})
        groups.append({"groupType": "progressive", "richTextType": "text", "fields": [
            _field("interest", "What are you interested in?", "dropdown", False, options=[
                {"label": label, "value": label.lower().replace(" ", "_"), "displayOrder": order, "description": ""}
                for order, label in enumerate(("Attribution", "Funnel reporting", "Data quality", "Other"))
            ]),
        ]})
    return dumps(groups)


def form_configuration(form_type: str, redirect: str | None) -> str:
    return dumps({
        "language": "en", "cloneable": True, "editable": form_type == "hubspot", "archivable": True,
        "recaptchaEnabled": False, "notifyContactOwner": False, "notifyRecipients": [],
        "createNewContactForNewEmail": False, "prePopulateKnownValues": True, "allowLinkToResetKnownValues": False,
        "lifecycleStages": [{"objectTypeId": "0-1", "value": "lead"}],
        "postSubmitAction": {"type": "redirect_url", "value": redirect} if redirect
        else {"type": "thank_you", "value": "Thanks for submitting the form."},
        "embedType": "V4",
    })


def form_display_options(submit_text: str) -> str:
    return dumps({
        "renderRawHtml": False, "theme": "default_style", "submitButtonText": submit_text, "cssClass": "hs-form",
        "style": {"fontFamily": "arial, helvetica, sans-serif", "backgroundWidth": "100%", "labelTextColor": "#33475b",
                  "labelTextSize": "14px", "helpTextColor": "#7C98B6", "helpTextSize": "11px",
                  "legalConsentTextColor": "#33475b", "legalConsentTextSize": "14px", "submitColor": "#ff7a59",
                  "submitAlignment": "left", "submitFontColor": "#ffffff", "submitSize": "12px"},
    })


def form_legal_consent(explicit: bool) -> str:
    if not explicit:
        return dumps({"type": "none"})
    return dumps({
        "type": "explicit_consent_to_process",
        "communicationConsentText": "Relay is committed to protecting and respecting your privacy.",
        "communicationsCheckboxes": [{"subscriptionTypeId": 211001, "label": "I agree to receive other communications.",
                                      "required": False}],
        "consentToProcessText": "To provide you the content requested, we need to store and process your personal data.",
        "consentToProcessCheckboxLabel": "I agree to allow Relay to store and process my personal data.",
        "privacyText": "You may unsubscribe from these communications at any time.",
    })
