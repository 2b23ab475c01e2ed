// Drives jsforce against `sfconnect simulate --tls` as a Node user would against a real org.
//
// Reads SIM_BASE_URL, SIM_CLIENT_ID and SIM_CLIENT_SECRET from the environment (never argv) and trusts the
// simulator's CA through NODE_EXTRA_CA_CERTS. jsforce does the code exchange itself (Connection.authorize);
// the authorize redirect is followed by hand, as a browser would. Prints one JSON line of what it saw.
const assert = require("node:assert/strict");
const jsforce = require("jsforce");

async function main() {
  const base = process.env.SIM_BASE_URL;
  const oauth2 = new jsforce.OAuth2({
    loginUrl: base,
    clientId: process.env.SIM_CLIENT_ID,
    clientSecret: process.env.SIM_CLIENT_SECRET,
    redirectUri: base + "/services/oauth2/success",
  });
  const authorize = await fetch(oauth2.getAuthorizationUrl({ scope: "api refresh_token" }), { redirect: "manual" });
  assert.equal(authorize.status, 302);
  const code = new URL(authorize.headers.get("location")).searchParams.get("code");
  const conn = new jsforce.Connection({ oauth2, version: "66.0" });
  await conn.authorize(code);
  const seen = {};

  const page = await conn.query("SELECT Id, Username FROM User WHERE IsActive = true ORDER BY Username LIMIT 5");
  assert.equal(page.records.length, 5);
  seen.query_records = page.records.length;

  const everyone = await conn.query("SELECT Id FROM User", { autoFetch: true, maxFetch: 100000 });
  assert.equal(everyone.records.length, everyone.totalSize);
  seen.query_autofetch = everyone.records.length;
  // scanAll is how jsforce 3 asks for queryAll.
  const all = await conn.query("SELECT Id FROM User", { scanAll: true, autoFetch: true, maxFetch: 100000 });
  seen.query_all = all.records.length;

  const me = await conn.query(
    "SELECT Id, Profile.UserLicense.Name FROM User WHERE Profile.Name = 'System Administrator' LIMIT 1",
  );
  seen.relationship_licence = me.records[0].Profile.UserLicense.Name;

  seen.identity_username = (await conn.identity()).username;
  seen.daily_api_max = (await conn.limits()).DailyApiRequests.Max;
  seen.described_objects = (await conn.describeGlobal()).sobjects.map((o) => o.name).sort();
  const userDescribe = await conn.sobject("User").describe();
  seen.user_profile_id_type = userDescribe.fields.find((f) => f.name === "ProfileId").type;
  seen.user_retrieve_username = (await conn.sobject("User").retrieve(me.records[0].Id)).Username;
  const orgId = (await conn.query("SELECT Id FROM Organization")).records[0].Id;
  seen.organization_name = (await conn.sobject("Organization").retrieve(orgId)).Name;
  console.log(JSON.stringify(seen));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
