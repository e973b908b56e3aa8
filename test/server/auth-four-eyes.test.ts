import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, PASSWORD, startServer, type TestServer } from "./harness.ts";

/**
 * Four eyes reads the version's complete history: a user holding officer and approver rights
 * who edited a draft may never approve it, however many saves by someone else came after
 * (an editor with autosave makes thousands). It read the last 1,000 audit entries before.
 */
describe.each(DIALECTS)("four eyes from the complete history on $name", (dialect) => {
  let s: TestServer;
  let dual: string;
  beforeAll(async () => {
    s = await startServer(dialect);
    const u = await s.store.users.create({
      username: "dual",
      password: PASSWORD,
      roles: ["officer", "approver"],
    });
    dual = (await s.store.users.startSession(u.id)).token;
  }, 120_000);
  afterAll(async () => s?.close());

  const asDual = (method: string, url: string, payload?: object) =>
    s.app.inject({
      method: method as "GET",
      url,
      headers: { authorization: `Bearer ${dual}` },
      ...(payload && { payload }),
    });

  it("an approver who edited a version cannot publish it after 1,000 later saves by another officer", async () => {
    const history = await s.as("officer", {
      method: "GET",
      url: "/api/rule-sets/history?id=sichuan/panzhihua",
    });
    const pzh = (history.json().versions as { id: number; status: string }[]).find(
      (v) => v.status === "published",
    );
    const created = await s.as("officer", {
      method: "POST",
      url: "/api/rule-sets/drafts",
      payload: { basedOn: pzh?.id, version: "2030-01-01" },
    });
    expect(created.statusCode, created.body).toBe(201);
    const draft = created.json() as { id: number; content: string };

    // dual's one edit (the real path).
    let revision = 1;
    const save = async (token: "dual" | "officer", n: number) => {
      const payload = { content: `${draft.content}\n# save ${n}\n`, revision };
      const r =
        token === "dual"
          ? await asDual("PUT", `/api/rule-sets/drafts/${draft.id}`, payload)
          : await s.as("officer", { method: "PUT", url: `/api/rule-sets/drafts/${draft.id}`, payload });
      expect(r.statusCode, r.body).toBe(200);
      revision = r.json().revision;
    };
    await save("dual", 0);
    // 1,000 autosaves by the officer: a few through the API, the rest as their audit entries
    // (what the API writes for each save), which is all four eyes reads.
    for (let n = 1; n <= 5; n++) await save("officer", n);
    await s.store.transaction(async (tx) => {
      for (let n = 6; n <= 1_000; n++)
        await tx.audit.record({
          actor: "officer",
          action: "ruleset.edit",
          entity: "rule_set_version",
          entityId: draft.id,
          detail: { revision: n },
        });
    });
    for (let n = 1_001; n <= 1_005; n++) await save("officer", n);
    const trail = await s.store.audit.list({
      entity: "rule_set_version",
      entityId: String(draft.id),
      limit: 5000,
    });
    expect(trail.filter((e) => e.action === "ruleset.edit" && e.actor === "officer")).toHaveLength(1_005);

    const submitted = await s.as("officer", {
      method: "POST",
      url: `/api/rule-sets/versions/${draft.id}/submit`,
      payload: { revision },
    });
    expect(submitted.statusCode, submitted.body).toBe(200);
    revision = submitted.json().revision;

    // The editor's buttons say so before the click…
    const actions = await asDual("GET", `/api/rule-sets/versions/${draft.id}/actions`);
    expect(actions.json().approve).toMatchObject({ allowed: false, code: "FOUR_EYES" });
    // …and the approval is refused, as is a rejection.
    const bodies = {
      approve: { revision, effectiveFrom: "2030-01-01" },
      reject: { revision, comment: "no" },
    };
    for (const [action, body] of Object.entries(bodies)) {
      const r = await asDual("POST", `/api/rule-sets/versions/${draft.id}/${action}`, body);
      expect(r.statusCode, r.body).toBe(403);
      expect(r.json().error.code).toBe("FOUR_EYES");
      expect(r.json().error.message).toContain("dual edited version");
    }
    // An approver with no hand on it publishes it.
    const ok = await s.as("approver", {
      method: "POST",
      url: `/api/rule-sets/versions/${draft.id}/approve`,
      payload: { revision, effectiveFrom: "2030-01-01" },
    });
    expect(ok.statusCode, ok.body).toBe(200);
  }, 300_000);
});
