"""Fixed vocabularies the generator draws from: names, places, industries and each API's enums."""

from __future__ import annotations

FIRST_NAMES = (
    "Aaron Abigail Adam Adrian Aisha Alan Albert Alex Alice Amelia Amir Ana Andrea Andrew Angela Anna "
    "Anthony Arjun Ava Barbara Ben Bianca Brandon Brian Camila Carla Carlos Carmen Caroline Charles "
    "Charlotte Chen Chloe Chris Claire Claudia Daniel David Deborah Diana Diego Dmitri Elena Eli Elif "
    "Elizabeth Emily Emma Eric Ethan Eva Fatima Felix Fiona Francesca Frank Gabriel George Grace Hannah "
    "Harper Hassan Helen Henry Hiro Ian Ingrid Isaac Isabel Jack Jacob James Jan Jane Jasmine Jason Javier "
    "Jennifer Jessica Joao John Jonas Jose Joseph Julia Julien Karen Karim Kate Kevin Klaus Laura Leah Leo "
    "Liam Lina Lisa Lucas Lucia Luis Maria Mark Marta Mateo Matthew Max Maya Mei Mia Michael Miguel Mohammed "
    "Nadia Natalie Nathan Nina Noah Nora Olga Oliver Olivia Omar Oscar Paul Pedro Peter Priya Rachel Rafael "
    "Rebecca Richard Robert Rosa Ryan Sam Samuel Sara Sebastian Sofia Sophie Stefan Steven Susan Thomas "
    "Tom Valentina Victor Victoria William Yara Yusuf Zoe"
).split()

LAST_NAMES = (
    "Adams Ahmed Alvarez Andersen Bailey Baker Becker Bennett Berg Bianchi Brown Campbell Carter Castro "
    "Chen Clark Collins Cook Cooper Costa Cruz Davies Davis Diaz Dubois Edwards Evans Fernandez Fischer "
    "Fleming Garcia Gomez Gonzalez Green Hall Hansen Harris Hernandez Hill Hoffmann Hughes Ivanov Jackson "
    "Jansen Johnson Jones Kaur Kelly Khan Kim King Klein Koch Kowalski Kumar Larsen Lee Lewis Lopez Martin "
    "Martinez Meyer Miller Mitchell Moore Morales Moreau Morgan Murphy Murray Nguyen Nielsen Novak O'Brien "
    "Olsen Ortiz Park Patel Perez Peters Petit Phillips Ramirez Reed Reyes Richardson Rivera Roberts "
    "Robinson Rodriguez Rossi Russo Sanchez Santos Schmidt Schneider Scott Shah Silva Singh Smith Song "
    "Stewart Taylor Thomas Thompson Torres Turner Wagner Walker Wang Ward Watson Weber White Williams "
    "Wilson Wood Wright Wu Yamamoto Young Zhang Zimmermann"
).split()

JOB_TITLES = (
    "CEO", "CTO", "CFO", "COO", "VP Sales", "VP Marketing", "VP Engineering", "Head of Data",
    "Marketing Manager", "Sales Manager", "Data Analyst", "Data Engineer", "Software Engineer",
    "Product Manager", "Operations Manager", "IT Director", "Account Executive", "Consultant",
    "Procurement Lead", "Business Analyst", "Founder", "Director of Finance", "RevOps Manager",
)

COMPANY_WORDS_A = (
    "Acme Apex Arc Atlas Aurora Beacon Blue Bright Cedar Cloud Cobalt Crest Delta Echo Ember Evergreen "
    "Falcon Fusion Golden Granite Harbor Helix Horizon Iron Juniper Keystone Lumen Maple Meridian Nimbus "
    "North Nova Oak Orbit Peak Pine Pioneer Polar Prime Quantum Radiant Red River Sage Silver Solar "
    "Spark Summit Terra True Vector Vertex Vista Willow Zenith"
).split()

COMPANY_WORDS_B = (
    "Analytics Bio Capital Cloud Data Digital Dynamics Energy Foods Health Industries Labs Logistics "
    "Media Networks Partners Robotics Security Software Solutions Systems Technologies Telecom Ventures Works"
).split()

COMPANY_WORDS_C = ("", "", "", "", "Group", "Global", "International", "Partners", "Holdings", "Collective", "Co")

# (country, company suffix, web top-level domain, currency)
COUNTRIES = (
    ("United States", "Inc.", "com", "USD"),
    ("United States", "LLC", "com", "USD"),
    ("Canada", "Ltd.", "ca", "USD"),
    ("United Kingdom", "Ltd", "co.uk", "GBP"),
    ("Ireland", "Ltd", "ie", "EUR"),
    ("Germany", "GmbH", "de", "EUR"),
    ("France", "SAS", "fr", "EUR"),
    ("Netherlands", "B.V.", "nl", "EUR"),
    ("Spain", "S.L.", "es", "EUR"),
    ("Italy", "S.r.l.", "it", "EUR"),
)
COUNTRY_WEIGHTS = (0.30, 0.12, 0.06, 0.16, 0.04, 0.12, 0.07, 0.05, 0.04, 0.04)

# Salesforce picklist values (upper case) beside HubSpot's internal values (lower case).
INDUSTRIES = (
    ("Technology", "COMPUTER_SOFTWARE"), ("Finance", "FINANCIAL_SERVICES"), ("Healthcare", "HOSPITAL_HEALTH_CARE"),
    ("Retail", "RETAIL"), ("Manufacturing", "MECHANICAL_OR_INDUSTRIAL_ENGINEERING"), ("Education", "EDUCATION_MANAGEMENT"),
    ("Media", "MEDIA_PRODUCTION"), ("Energy", "OIL_ENERGY"), ("Telecommunications", "TELECOMMUNICATIONS"),
    ("Transportation", "LOGISTICS_AND_SUPPLY_CHAIN"),
)

FREE_MAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "proton.me")

LIFECYCLE_STAGES = (
    "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer",
)

# HubSpot original source, its share of people, and the Salesforce LeadSource sales usually records for it.
ANALYTICS_SOURCES = (
    ("ORGANIC_SEARCH", 0.24, "Web"),
    ("PAID_SEARCH", 0.14, "Advertisement"),
    ("EMAIL_MARKETING", 0.13, "Email"),
    ("SOCIAL_MEDIA", 0.08, "Web"),
    ("PAID_SOCIAL", 0.09, "Advertisement"),
    ("REFERRALS", 0.10, "Partner Referral"),
    ("DIRECT_TRAFFIC", 0.12, "Web"),
    ("OFFLINE", 0.10, "Trade Show"),
)
# Sources that come from a campaign (the person's first touch carries a campaign).
CAMPAIGN_SOURCES = ("PAID_SEARCH", "EMAIL_MARKETING", "PAID_SOCIAL", "OFFLINE")
SOURCE_DATA_1 = {
    "ORGANIC_SEARCH": ("google", "bing", "duckduckgo"),
    "PAID_SEARCH": ("google", "bing"),
    "EMAIL_MARKETING": ("newsletter", "nurture"),
    "SOCIAL_MEDIA": ("linkedin.com", "twitter.com", "facebook.com"),
    "PAID_SOCIAL": ("LinkedIn", "Facebook"),
    "REFERRALS": ("g2.com", "capterra.com", "partner-portal.com"),
    "DIRECT_TRAFFIC": ("",),
    "OFFLINE": ("IMPORT", "CRM_UI", "INTEGRATION"),
}
OTHER_LEAD_SOURCES = ("Web", "Phone Inquiry", "Purchased List", "Other", "Trade Show", "Partner Referral")

LEAD_STATUS_OPEN = "Open - Not Contacted"
LEAD_STATUS_WORKING = "Working - Contacted"
LEAD_STATUS_QUALIFIED = "Qualified"
LEAD_STATUS_UNQUALIFIED = "Unqualified"
LEAD_STATUS_NURTURING = "Nurturing"

OPPORTUNITY_STAGES = (
    "Prospecting", "Qualification", "Needs Analysis", "Proposal", "Negotiation", "Closed Won", "Closed Lost",
)
STAGE_PROBABILITY = (10, 20, 40, 60, 80, 100, 0)
OPEN_STAGES = 5
WON = 5
LOST = 6

CURRENCIES = ("USD", "EUR", "GBP")
# Rough value of one unit of each currency in USD, so amounts are comparable across currencies.
USD_PER_UNIT = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27}

CAMPAIGN_TYPES = ("Email", "Webinar", "Conference", "Advertisement", "Content", "Partners")
CAMPAIGN_THEMES = (
    "Data Summit", "Revenue Ops Webinar", "Spring Launch", "Product Tour", "Analytics Guide", "Partner Day",
    "Customer Stories", "Holiday Promo", "Security Briefing", "Pipeline Playbook", "AI Roadshow", "Benchmark Report",
)
CAMPAIGN_MEMBER_SENT = "Sent"
CAMPAIGN_MEMBER_RESPONDED = "Responded"

CONTACT_ROLES = ("Decision Maker", "Economic Buyer", "Technical Buyer", "Evaluator", "Influencer")

FORM_NAMES = (
    "Contact us", "Request a demo", "Newsletter sign-up", "Download the report", "Webinar registration",
    "Free trial", "Pricing enquiry", "Event registration", "Partner enquiry", "Whitepaper download",
)

# Forms that are not HubSpot's own (the forms API lists them only when asked for their formTypes):
# a pop-up ("flow") and a website form HubSpot captures ("captured"); the rest are "hubspot".
FORM_TYPES = {"Newsletter sign-up": "flow", "Event registration": "captured"}

EMAIL_EVENT_TYPES = ("SENT", "DELIVERED", "OPEN", "CLICK", "BOUNCE", "STATUSCHANGE")
HUBSPOT_PORTAL_ID = 24681357
HUBSPOT_EMAIL_APP_ID = 113

SALESFORCE_API_VERSION = "v61.0"
