import type { FastifyReply } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { parseMapping } from "../../simulator/csv-mapping.ts";
import { reportHtml } from "../../simulator/report-html.ts";
import { requireRoles } from "../auth.ts";
import { AppError } from "../errors.ts";
import { maskDeep } from "../mask.ts";
import { handlesFiles } from "../registry/privacy.ts";
import { reportAsSeen, type ServerReport, SimulationService, type SourceRef } from "../simulation.ts";
import type { Store } from "../store/index.ts";
import { exportLines } from "./decision-log.ts";
import { problemSchema, TAGS, versionParams } from "./rule-set-schemas.ts";

export type SimulationRouteOptions = {
  store: Store;
  /** How many simulations may run at once; one more is answered 503 SIMULATOR_BUSY with Retry-After. */
  atOnce: number;
};

/** The largest case text `POST /api/simulations` takes (the body may be a little larger: JSON). */
export const MAX_SIMULATION_TEXT = 16 * 1024 * 1024;
/** The most logged decisions an impact replays. */
export const MAX_IMPACT_DECISIONS = 50_000;

const counts = z.record(z.string(), z.number());
const at = { file: z.string(), line: z.number().optional(), decisionId: z.string().optional() };
const slice = z.object({
  cases: z.number(),
  changed: z.number(),
  outcomeChanged: z.number(),
  fundPayDelta: z.string().describe("sum of fund-pay deltas (yuan, decimal string)"),
});
const coverageEntry = z.object({
  ruleSet: z.string(),
  rule: z.string(),
  type: z.string(),
  citation: z.string().nullable(),
  evaluated: z.number(),
  passed: z.number(),
  failed: z.number(),
  unknown: z.number(),
  decided: z.number(),
});

/** The simulator's report (`yidi simulate --json`), as the API answers it. */
export const reportSchema = z.object({
  sources: z.array(z.string()).describe("the rule sources, the second (if any) the change"),
  files: z.number(),
  seconds: z.number(),
  workers: z.number(),
  casesPerSecond: z.number(),
  totals: z.object({
    cases: z.number(),
    invalid: z.number(),
    undecidable: z.number(),
    decided: z.number(),
    compared: z.number(),
    matched: z.number(),
    mismatched: z.number(),
    unchecked: z.number(),
    logged: z.number(),
    reproduced: z.number(),
    defects: z.number(),
    chainChanged: z.number(),
    comparedSources: z.number(),
    changed: z.number(),
  }),
  outcomes: z.array(counts).describe("outcome counts per source"),
  transitions: z
    .record(z.string(), counts)
    .describe("from outcome (first source) → to outcome (second) → cases"),
  changes: z.object({
    outcome: z.number(),
    validity: z.number(),
    lock: z.number(),
    settlementMode: z.number(),
    dueDate: z.number(),
    missing: z.number(),
    fundPay: z.number(),
  }),
  fundPay: z.object({
    compared: z.number(),
    changed: z.number(),
    sum: z.string(),
    before: z.string(),
    after: z.string(),
    min: z.string().nullable(),
    max: z.string().nullable(),
    buckets: z.array(z.number()).describe("cases per delta bucket (deltaLabels)"),
  }),
  deltaLabels: z.array(z.string()),
  byRegion: z.record(z.string(), slice),
  byCategory: z.record(z.string(), slice),
  byScheme: z.record(z.string(), slice),
  coverage: z.array(
    z.object({
      source: z.string(),
      rules: z.array(coverageEntry),
      neverExercised: z.array(z.object({ ruleSet: z.string(), rule: z.string() })),
    }),
  ),
  failures: z.array(z.object({ ...at, caseId: z.string(), mismatches: z.array(z.string()) })),
  invalidRows: z.array(z.object({ ...at, caseId: z.string().optional(), problems: z.array(problemSchema) })),
  defects: z.array(z.object({ ...at, caseId: z.string(), differences: z.array(z.string()) })),
  changedCases: z.array(
    z.object({
      ...at,
      caseId: z.string(),
      region: z.string(),
      category: z.string().nullable(),
      scheme: z.string(),
      from: z.string(),
      to: z.string(),
      changes: z.array(z.string()),
      fundPayDelta: z.string().nullable(),
      rule: z
        .object({ rule: z.string(), ruleSet: z.string(), before: z.string(), after: z.string() })
        .nullable()
        .describe("the first trace entry that differs: the rule that made the difference"),
    }),
  ),
  dropped: z.object({
    failures: z.number(),
    invalidRows: z.number(),
    defects: z.number(),
    changedCases: z.number(),
  }),
});

const sourceSchema = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("published") }),
    z.object({ type: z.literal("version"), id: z.number().int().min(1).max(2_147_483_647) }),
  ])
  .describe(
    "`published`: the published versions, each case decided by those in force at its asOf; `version`: a stored version (a draft, one in review or published) in its rule set's place for every case",
  );

const formatQuery = z.object({
  format: z
    .enum(["json", "html"])
    .default("json")
    .describe("`html`: the report as one self-contained HTML page (charts as inline SVG)"),
});

const send = (reply: FastifyReply, r: ServerReport, format: "json" | "html", title: string) =>
  format === "html"
    ? reply
        .type("text/html; charset=utf-8")
        .header("content-disposition", 'attachment; filename="simulation.html"')
        .send(reportHtml(r, title) as never)
    : reply.type("application/json; charset=utf-8").send(JSON.stringify(r) as never);

/** Seconds a client is asked to wait when the simulator is busy (a replay takes seconds). */
const SIMULATOR_RETRY_AFTER_S = 5;

/**
 * The simulator on the server: `POST /api/simulations` replays cases sent as text under one or
 * two rule sources; `GET /api/rule-sets/versions/:id/impact` replays the last N logged decisions
 * under a version (a draft before approval) against the published rules.
 */
export const simulationRoutes: FastifyPluginAsyncZod<SimulationRouteOptions> = async (r, opts) => {
  const { store } = opts;
  const service = new SimulationService(store);
  const simulators = requireRoles(store, "tester", "approver", "officer", "admin");
  // Each run takes a core for up to seconds: a bounded number at once, so that a few testers (or
  // one hostile client) cannot starve the clerks' decisions on the same server.
  let running = 0;
  const limited = async <T>(run: () => Promise<T>): Promise<T> => {
    if (running >= opts.atOnce)
      throw new AppError("SIMULATOR_BUSY", undefined, undefined, { retryAfter: SIMULATOR_RETRY_AFTER_S });
    running++;
    try {
      return await run();
    } finally {
      running--;
    }
  };

  r.post(
    "/simulations",
    {
      bodyLimit: MAX_SIMULATION_TEXT + 256 * 1024,
      schema: {
        tags: ["simulations"],
        summary:
          "Replay cases (YAML, JSON, JSON Lines, CSV) under one or two rule sources: the simulator's report",
        description:
          "Body: `text` (the cases: YAML or JSON — one case, a list or `{cases: [...]}` —, JSON Lines, an exported decision " +
          "log, or CSV with `mapping`, a column-mapping YAML as in docs/csv-mapping.md), `format` (guessed when left out; " +
          "CSV must be named), `source` (default: published, each case at its asOf) and `against` (a second source: the " +
          "impact of the change). Each case is compared with its `expected`, or a logged decision with the decision first " +
          "given. An invalid case is reported with its line and field and counted; the run goes on. 400 when nothing in " +
          "the text is a case, or for a bad mapping (before the run). `?format=html`: the report as one HTML page. " +
          "ID numbers in the lists are masked for roles that do not handle files. Nothing is logged.",
        querystring: formatQuery,
        body: z.strictObject({
          text: z.string().min(1).max(MAX_SIMULATION_TEXT),
          format: z.enum(["yaml", "json", "jsonl", "csv"]).optional(),
          name: z.string().min(1).max(200).optional().describe("the file's name, used in the report's lines"),
          mapping: z
            .string()
            .max(256 * 1024)
            .optional(),
          source: sourceSchema.default({ type: "published" }),
          against: sourceSchema.optional(),
        }),
        response: { 200: reportSchema },
      },
      onRequest: simulators,
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    (req, reply) =>
      limited(async () => {
        const b = req.body;
        const format = b.format ?? guessFormat(b.text, b.name);
        let mapping: Parameters<SimulationService["runText"]>[2];
        if (b.mapping !== undefined) {
          const m = parseMapping(b.mapping, "mapping");
          if (!m.mapping) throw new AppError("VALIDATION", "the column mapping is not valid", m.problems);
          mapping = m.mapping;
        }
        if (format === "csv" && !mapping)
          throw new AppError(
            "VALIDATION",
            "a CSV text needs a column mapping (`mapping`, docs/csv-mapping.md)",
            [{ code: "required", path: ["body", "mapping"], message: "a CSV text needs a column mapping" }],
          );
        const refs: SourceRef[] = [b.source, ...(b.against ? [b.against] : [])];
        const sources = [];
        for (const ref of refs) sources.push(await service.source(ref));
        const file = b.name ?? `cases.${format}`;
        const report = await service.runText({ file, format, text: b.text }, sources, mapping);
        const t = report.totals;
        if (t.cases === 0 || (t.decided === 0 && t.invalid === t.cases)) {
          const problems = report.invalidRows.flatMap((row) => row.problems).slice(0, 100);
          throw new AppError(
            "CASE_INVALID",
            t.cases === 0 ? "the text holds no case" : `none of the ${t.cases} case(s) is valid`,
            handlesFiles(req.user) ? problems : maskDeep(problems),
          );
        }
        return send(reply, reportAsSeen(report, handlesFiles(req.user)), req.query.format, "yidi simulate");
      }),
  );

  r.get(
    "/rule-sets/versions/:id/impact",
    {
      schema: {
        tags: TAGS,
        summary: "What a version (a draft before approval) would change on the last N logged decisions",
        description:
          "The last `last` decisions of the decision log (default 10,000; decisions made against a draft left out) whose " +
          "insured region lies within the version's region (`region` to choose another; `000000` for all), each replayed " +
          "twice: under the published rules in force at its asOf (which must reproduce the logged decision: a difference " +
          "under the same chain is a defect) and with the version in its rule set's place. The answer is the simulator's " +
          "report: outcome transitions, changed validity, locks, settlement modes, due dates, fund-pay deltas by region, " +
          "category and scheme, and the changed cases (with the logged decision's id) and the rule that made the " +
          "difference. `?format=html`: the report as one HTML page.",
        params: versionParams,
        querystring: formatQuery.extend({
          last: z.coerce.number().int().min(1).max(MAX_IMPACT_DECISIONS).default(10_000),
          region: z
            .string()
            .regex(/^\d{6}$/)
            .optional(),
        }),
        response: { 200: reportSchema },
      },
      onRequest: simulators,
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    (req, reply) =>
      limited(async () => {
        const { spec, version } = await service.version(req.params.id);
        const published = await service.published();
        const region = req.query.region ?? version.region ?? undefined;
        const lines = await exportLines(store, {
          last: req.query.last,
          ...(region && region !== "000000" && { region }),
        });
        const report = await service.runLog(lines, [published, spec]);
        return send(
          reply,
          reportAsSeen(report, handlesFiles(req.user)),
          req.query.format,
          `${version.ruleSetId}@${version.version} — impact on ${lines.length} logged decision(s)`,
        );
      }),
  );
};

/** The format of a text sent without one: JSON Lines when its lines are objects, JSON, else YAML. */
export function guessFormat(text: string, name?: string): "yaml" | "json" | "jsonl" | "csv" {
  const ext = name?.toLowerCase().match(/\.(ya?ml|json|jsonl|ndjson|csv)$/)?.[1];
  if (ext)
    return ext === "yml" ? "yaml" : ext === "ndjson" ? "jsonl" : (ext as "yaml" | "json" | "jsonl" | "csv");
  const t = text.replace(/^\uFEFF/, "").trim();
  if (t.startsWith("[")) return "json";
  if (t.startsWith("{")) {
    const lines = t.split("\n").filter((l) => l.trim() !== "");
    return lines.length > 1 && lines.every((l) => l.trim().startsWith("{") && l.trim().endsWith("}"))
      ? "jsonl"
      : "json";
  }
  return "yaml";
}
