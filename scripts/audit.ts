/**
 * The dependency audit CI runs (issue #12): `npm audit --omit=dev --audit-level=high` — the
 * packages the server ships, not the build and test tools. Exits 1 when an advisory of high or
 * critical severity applies; 0 with the counts otherwise. When the advisory service cannot be
 * reached (no network, a registry mirror without the audit endpoint, a 5xx), it says so plainly
 * and exits 0: that is not a finding, and it must not hide one either — any other failure of
 * `npm audit` (no lockfile, say) exits 2.
 *
 * Usage: npx tsx scripts/audit.ts
 */
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";

/** Error codes of a request that never got an answer. */
const NETWORK = new Set([
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNABORTED",
  "CERT_HAS_EXPIRED",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
]);
const FAILING = ["high", "critical"];

/**
 * What an `npm audit --json` run means: `{ exit, message }`. `stdout` is its JSON (npm writes an
 * error as JSON too with --json), `stderr` its warnings.
 */
type Advisory = { title?: string; url?: string };
type Vulnerability = {
  severity: string;
  range?: string;
  via?: (string | Advisory)[];
  fixAvailable?: boolean | object;
};
type Report = {
  metadata?: { vulnerabilities?: Record<string, number> };
  vulnerabilities?: Record<string, Vulnerability>;
  error?: { code?: string; summary?: string };
  code?: string;
  message?: string;
  statusCode?: number;
};

export function judge(stdout: string, stderr = ""): { exit: 0 | 1 | 2; message: string } {
  let report: Report | undefined;
  try {
    report = JSON.parse(stdout) as Report;
  } catch {
    report = undefined;
  }
  const counts = report?.metadata?.vulnerabilities;
  if (counts && typeof counts === "object") {
    const findings = Object.entries(report?.vulnerabilities ?? {})
      .filter(([, v]) => FAILING.includes(v.severity))
      .map(([name, v]) => {
        const via = (v.via ?? [])
          .map((x) => (typeof x === "string" ? x : `${x.title ?? ""} ${x.url ?? ""}`.trim()))
          .join("; ");
        const fix =
          v.fixAvailable === true
            ? "fix: npm audit fix"
            : v.fixAvailable
              ? "fix: major upgrade"
              : "no fix yet";
        return `  ${v.severity.padEnd(8)} ${name} ${v.range ?? ""} — ${via} (${fix})`;
      });
    const summary = ["critical", "high", "moderate", "low", "info"]
      .map((l) => `${counts[l] ?? 0} ${l}`)
      .join(", ");
    if (findings.length)
      return {
        exit: 1,
        message: `dependency audit: FAILED — advisories of high or critical severity (${summary}):\n${findings.join("\n")}`,
      };
    return { exit: 0, message: `dependency audit: passed (${summary}; production dependencies)` };
  }
  const err = report?.error ?? {};
  const code = err.code ?? report?.code;
  const status = report?.statusCode;
  const text = `${report?.message ?? ""} ${err.summary ?? ""} ${stderr}`;
  const unreachable =
    (typeof code === "string" && NETWORK.has(code)) ||
    (typeof status === "number" && (status === 404 || status === 405 || status >= 500)) ||
    /audit endpoint returned an error|request to \S+ failed|network|fetch failed|getaddrinfo|socket hang up/i.test(
      text,
    );
  if (unreachable) {
    const why = [code, report?.message ?? err.summary ?? status].filter(Boolean).join(": ") || stderr.trim();
    return {
      exit: 0,
      message:
        `dependency audit: NOT RUN — the advisory service could not be reached (${why}). ` +
        "This is not a pass: run `npm audit --omit=dev --audit-level=high` where the registry answers.",
    };
  }
  return {
    exit: 2,
    message: `dependency audit: npm audit failed for another reason:\n${stdout.trim() || stderr.trim()}`,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const run = spawnSync("npm", ["audit", "--omit=dev", "--audit-level=high", "--json"], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const { exit, message } = judge(
    run.stdout ?? "",
    `${run.stderr ?? ""}${run.error ? String(run.error) : ""}`,
  );
  (exit === 1 || exit === 2 ? console.error : console.log)(message);
  process.exit(exit);
}
