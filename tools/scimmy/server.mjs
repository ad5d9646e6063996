// An independent SCIM 2.0 server for wpimport's interoperability tests:
// SCIMMY and scimmy-routers (npm, MIT) on express, with the small
// in-memory store they leave to the application. wpimport did not write
// the protocol side, so the tests that meet it find where our client and
// our emulator agree with each other but not with others. Known ways it
// differs from the RFC and from the emulator: no ETags, `eq` on userName
// matches case-sensitively, itemsPerPage echoes the requested count.
//
// Run: TOKEN=t node server.mjs  → prints "LISTENING <base URL>" on stdout.
// A request without "Authorization: Bearer <TOKEN>" gets a plain-text
// 401, as some services answer.
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";

const token = process.env.TOKEN || "test-token";
const users = new Map();
const groups = new Map();
let nextId = 1;

const now = () => new Date().toISOString();

function store(map, resource, data) {
  const id = resource.id ?? String(nextId++);
  if (resource.id && !map.has(id)) throw new SCIMMY.Types.Error(404, null, `Resource ${id} not found`);
  if (map === users) {
    for (const [other, u] of users) {
      if (other !== id && u.userName.toLowerCase() === String(data.userName).toLowerCase())
        throw new SCIMMY.Types.Error(409, "uniqueness", `userName ${data.userName} is taken`);
      if (other !== id && data.externalId && u.externalId === data.externalId)
        throw new SCIMMY.Types.Error(409, "uniqueness", `externalId ${data.externalId} is taken`);
    }
  }
  const created = map.get(id)?.meta?.created ?? now();
  const value = {...data, id, meta: {created, lastModified: now()}};
  map.set(id, value);
  return value;
}

function read(map, resource) {
  if (resource.id) {
    const v = map.get(resource.id);
    if (!v) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
    return v;
  }
  const all = [...map.values()];
  return resource.filter ? resource.filter.match(all) : all;
}

function dispose(map, resource) {
  if (!map.delete(resource.id)) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
}

SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false);
SCIMMY.Resources.declare(SCIMMY.Resources.User)
  .ingress((resource, data) => store(users, resource, data))
  .egress((resource) => read(users, resource))
  .degress((resource) => dispose(users, resource));
SCIMMY.Resources.declare(SCIMMY.Resources.Group)
  .ingress((resource, data) => store(groups, resource, data))
  .egress((resource) => read(groups, resource))
  .degress((resource) => dispose(groups, resource));
SCIMMY.Config.set({patch: true, filter: {supported: true, maxResults: 200}, bulk: {supported: true, maxOperations: 50, maxPayloadSize: 1048576}, sort: false, etag: false});

const app = express();
app.use("/scim", (req, res, next) => {
  if (req.get("Authorization") !== `Bearer ${token}`) {
    res.status(401).type("text/plain").send("Unauthorized");
    return;
  }
  next();
});
app.use("/scim", new SCIMMYRouters({type: "bearer", docUri: "https://example.com/auth", handler: () => "wpimport"}));

const server = app.listen(Number(process.env.PORT || 0), "127.0.0.1", () => {
  console.log(`LISTENING http://127.0.0.1:${server.address().port}/scim`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
