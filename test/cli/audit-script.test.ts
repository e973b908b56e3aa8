import { describe, expect, it } from "vitest";
import { judge } from "../../scripts/audit.ts";

/**
 * The CI's dependency audit (scripts/audit.ts): fails on a high or critical advisory, passes
 * without one, and says plainly — without failing — when the advisory service cannot be reached.
 */
const report = (severities: Record<string, string>) =>
  JSON.stringify({
    auditReportVersion: 2,
    vulnerabilities: Object.fromEntries(
      Object.entries(severities).map(([name, severity]) => [
        name,
        {
          name,
          severity,
          range: "<1.2.3",
          via: [{ title: `${name} advisory`, url: `https://github.com/advisories/GHSA-${name}` }],
          fixAvailable: true,
        },
      ]),
    ),
    metadata: {
      vulnerabilities: {
        info: 0,
        low: Object.values(severities).filter((s) => s === "low").length,
        moderate: Object.values(severities).filter((s) => s === "moderate").length,
        high: Object.values(severities).filter((s) => s === "high").length,
        critical: Object.values(severities).filter((s) => s === "critical").length,
        total: Object.keys(severities).length,
      },
    },
  });

describe("the dependency audit", () => {
  it("fails on a high or critical advisory and names the package, the advisory and the fix", () => {
    const r = judge(report({ "fast-xml": "critical", lodash: "moderate" }));
    expect(r.exit).toBe(1);
    expect(r.message).toContain("critical fast-xml <1.2.3 — fast-xml advisory");
    expect(r.message).toContain("npm audit fix");
    expect(r.message).not.toContain("lodash <");
    expect(judge(report({ a: "high" })).exit).toBe(1);
  });

  it("passes with only moderate or lower advisories, and gives the counts", () => {
    const r = judge(report({ lodash: "moderate", b: "low" }));
    expect(r).toEqual({ exit: 0, message: expect.stringContaining("0 critical, 0 high, 1 moderate, 1 low") });
    expect(judge(report({})).exit).toBe(0);
  });

  it.each([
    [
      "no network",
      JSON.stringify({
        error: { code: "ENOTFOUND", summary: "request to https://registry.npmjs.org failed" },
      }),
    ],
    [
      "a registry without the audit endpoint",
      JSON.stringify({ message: "405 Method Not Allowed - POST …/advisories/bulk", statusCode: 405 }),
    ],
    ["a 503 from the service", JSON.stringify({ message: "503 Service Unavailable", statusCode: 503 })],
    ["nothing on stdout", ""],
  ])("says plainly that it was not run, without failing, for %s", (_what, stdout) => {
    const r = judge(
      stdout,
      _what === "nothing on stdout" ? "npm error audit endpoint returned an error" : "",
    );
    expect(r.exit).toBe(0);
    expect(r.message).toMatch(/^dependency audit: NOT RUN — the advisory service could not be reached/);
    expect(r.message).toContain("This is not a pass");
  });

  it("fails for any other error of npm audit (no lockfile)", () => {
    const r = judge(
      JSON.stringify({ error: { code: "ENOLOCK", summary: "This command requires an existing lockfile." } }),
    );
    expect(r.exit).toBe(2);
  });
});
