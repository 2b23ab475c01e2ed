"""Drives simple-salesforce against `sfconnect simulate --tls` as a user would against a real org.

Reads SIM_BASE_URL, SIM_CLIENT_ID and SIM_CLIENT_SECRET from the environment (never argv) and trusts the
simulator's CA through REQUESTS_CA_BUNDLE. Gets a token through the simulator's OAuth web server flow, makes
each call, asserts what a user would rely on, and prints one JSON line of what it saw for the Rust test.
"""
import json
import os
import sys
import urllib.parse

import requests
from simple_salesforce import Salesforce

base = os.environ["SIM_BASE_URL"]
client_id = os.environ["SIM_CLIENT_ID"]
client_secret = os.environ["SIM_CLIENT_SECRET"]
callback = base + "/services/oauth2/success"

session = requests.Session()
authorize = session.get(
    base + "/services/oauth2/authorize",
    params={"response_type": "code", "client_id": client_id, "redirect_uri": callback, "scope": "api refresh_token"},
    allow_redirects=False,
    timeout=30,
)
assert authorize.status_code == 302, (authorize.status_code, authorize.text[:300])
code = urllib.parse.parse_qs(urllib.parse.urlparse(authorize.headers["Location"]).query)["code"][0]
token = session.post(
    base + "/services/oauth2/token",
    data={
        "grant_type": "authorization_code",
        "code": code,
        "client_id": client_id,
        "client_secret": client_secret,
        "redirect_uri": callback,
    },
    timeout=30,
)
assert token.status_code == 200, (token.status_code, token.text[:300])
grant = token.json()

sf = Salesforce(instance_url=grant["instance_url"], session_id=grant["access_token"], session=session)
seen = {"version": sf.sf_version}

page = sf.query("SELECT Id, Username FROM User WHERE IsActive = true ORDER BY Username LIMIT 5")
assert page["done"] and len(page["records"]) == 5, page
seen["query_records"] = len(page["records"])

everyone = sf.query_all("SELECT Id FROM User")
assert everyone["totalSize"] > 2000, everyone["totalSize"]
assert len(everyone["records"]) == everyone["totalSize"], (len(everyone["records"]), everyone["totalSize"])
assert len({r["Id"] for r in everyone["records"]}) == everyone["totalSize"], "pages overlap"
seen["query_all_total"] = everyone["totalSize"]

me = sf.query(
    "SELECT Id, Profile.Name, Profile.UserLicense.Name FROM User WHERE Profile.Name = 'System Administrator' LIMIT 1"
)
record = me["records"][0]
seen["relationship_licence"] = record["Profile"]["UserLicense"]["Name"]
user_id = record["Id"]

limits = sf.limits()
seen["daily_api_max"] = limits["DailyApiRequests"]["Max"]
seen["is_sandbox"] = sf.is_sandbox()

everything = sf.describe()
seen["described_objects"] = sorted(o["name"] for o in everything["sobjects"])

user_describe = sf.User.describe()
fields = {f["name"]: f for f in user_describe["fields"]}
seen["user_profile_id_type"] = fields["ProfileId"]["type"]
seen["user_profile_id_reference_to"] = fields["ProfileId"]["referenceTo"]

user = sf.User.get(user_id)
seen["user_get_username"] = user["Username"]
org_id = sf.query("SELECT Id FROM Organization")["records"][0]["Id"]
organization = sf.Organization.get(org_id)
seen["organization_name"] = organization["Name"]

resources = sf.restful("")
seen["resources_have_sobjects"] = "sobjects" in resources and "query" in resources

userinfo = sf.oauth2("userinfo")
seen["userinfo_user_id"] = userinfo["user_id"]

print(json.dumps(seen))
sys.stdout.flush()
