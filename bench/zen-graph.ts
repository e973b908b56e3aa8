/**
 * Builds the GoRules JDM decision graph (bench/panzhihua.jdm.json) of Panzhihua's whole filing
 * decision — eligibility, materials, the paper form, extension, outcome, validity and settlement
 * mode — from the compiled policy of the chain national@2016-12-13 → sichuan/panzhihua@2017-04-12
 * (in force 2017-04-12 … 2019-05-31): one expression per condition leaf, per all/any/not node and
 * per rule (true / false / null for unknown, as the engine's tri-state), then one node for the
 * verdicts. zen-engine runs it on a flat input (`zenInput`): the case's facts, `.` → `_`.
 *
 * `npx tsx bench/zen-graph.ts` rewrites the JSON; the bench checks that zen-engine, the engine and
 * the hand-written function agree on every case before it times any of them.
 */
import { writeFileSync } from "node:fs";
import { caseFacts, requestCategory } from "../engine/case-facts.ts";
import type { Condition, Leaf } from "../engine/conditions.ts";
import type { Facts } from "../engine/facts.ts";
import { Decider, type Policy } from "../engine/index.ts";
import { regionPrefix } from "../engine/regions.ts";
import type { Case } from "../engine/schema/case.ts";
import { readRuleFiles } from "../simulator/rule-files.ts";

export const ZEN_GRAPH_FILE = new URL("./panzhihua.jdm.json", import.meta.url);
/** The dates of the one chain the graph encodes. */
export const ZEN_FROM = "2017-04-12";
export const ZEN_TO = "2019-05-31";

const NULL = "__null__";
const key = (fact: string) => `f_${fact.replaceAll(".", "_")}`;
const lit = (v: unknown) => (v === null ? `'${NULL}'` : typeof v === "string" ? `'${v}'` : JSON.stringify(v));
const RANK = (x: string) => `(${x} == '3A' ? 4 : ${x} == '3' ? 3 : ${x} == '2' ? 2 : ${x} == '1' ? 1 : 0)`;
const LEVELS = "['unrated', '1', '2', '3', '3A']";
const isDate = (x: string) => `(${x} != null and ${x} != '${NULL}')`;

/** The flat input zen-engine is given: every fact of the case, and the paper form's fields. */
export function zenInput(c: Case, policy: Policy): Record<string, unknown> {
  const facts: Facts = caseFacts(c, policy);
  const out: Record<string, unknown> = {};
  for (const k in facts) {
    const v = facts[k as keyof Facts];
    if (v !== undefined) out[key(k)] = v === null ? NULL : v;
  }
  const form = c.filing.form;
  if (form) {
    const dest = c.filing.destination;
    const known: Record<string, unknown> = {
      name: c.applicant.name,
      category: requestCategory(c),
      destinationProvince: dest?.region,
      destinationCity: dest?.region,
      destinationCounty: dest?.region,
      treatmentPlace: dest?.region,
      hospitalName: dest?.hospital?.name,
      hospitalLevel: dest?.hospital?.level,
    };
    out.form = true;
    for (const f of policy.formFields.flatMap((ff) => ff.required)) {
      const v = form[f as keyof typeof form] ?? (f in known ? known[f] : true);
      if (v !== undefined && v !== null && v !== "") out[`form_${f}`] = true;
    }
  }
  return out;
}

type Expr = { id: string; key: string; value: string };

export function buildGraph(policy: Policy): object {
  const exprs: Expr[] = [];
  let n = 0;
  const emit = (value: string, name = `c${n++}`) => {
    exprs.push({ id: name, key: name, value });
    return `$.${name}`;
  };
  const tri = (cond: Condition): string => {
    if ("all" in cond || "any" in cond) {
      const parts = ("all" in cond ? cond.all : cond.any).map(tri);
      const [decisive, other] = "all" in cond ? ["false", "true"] : ["true", "false"];
      return emit(
        `(${parts.map((p) => `${p} == ${decisive}`).join(" or ")}) ? ${decisive} : ((${parts.map((p) => `${p} == null`).join(" or ")}) ? null : ${other})`,
      );
    }
    if ("not" in cond) {
      const p = tri(cond.not);
      return emit(`${p} == null ? null : not ${p}`);
    }
    return emit(leaf(cond));
  };
  const leaf = ({ fact, operator, value }: Leaf): string => {
    const a = key(fact);
    const ref =
      typeof value === "object" && value !== null && !Array.isArray(value)
        ? key((value as { fact: string }).fact)
        : undefined;
    const b = ref ?? lit(value);
    const known = ref ? `${a} != null and ${ref} != null` : `${a} != null`;
    const bool = (() => {
      switch (operator) {
        case "equal":
          return `${a} == ${b}`;
        case "notEqual":
          return `${a} != ${b}`;
        case "in":
          return `${a} in ${b}`;
        case "contains":
          return `${b} in ${a}`;
        case "containsAny":
          return `some(${b}, # in ${a})`;
        case "greaterThan":
          return `${a} > ${b}`;
        case "greaterThanInclusive":
          return `${a} >= ${b}`;
        case "levelAbove":
          return `${a} in ${LEVELS} and ${b} in ${LEVELS} and ${RANK(a)} > ${RANK(b)}`;
        case "inRegion":
          return `startsWith(${a}, '${regionPrefix(String(value))}')`;
        case "notInRegion":
          return `not startsWith(${a}, '${regionPrefix(String(value))}')`;
        case "dateAfter":
          return `${isDate(a)} and ${isDate(b)} and d(${a}) > d(${b})`;
        case "dateBefore":
          return `${isDate(a)} and ${isDate(b)} and d(${a}) < d(${b})`;
        case "dateOnOrBefore":
          return `${isDate(a)} and ${isDate(b)} and d(${a}) <= d(${b})`;
        default:
          throw new Error(`the graph builder has no translation of operator ${operator}`);
      }
    })();
    return `(${known}) ? (${bool}) : null`;
  };

  const kind = key("kind");
  const category = key("filing.category");
  const states: { id: string; ref: string; type: string; onFail: string; material?: string }[] = [];
  for (const rule of policy.rules) {
    const scope = [`${kind} in [${[...rule.kinds].map(lit).join(", ")}]`];
    if (rule.categories) scope.push(`${category} in [${[...rule.categories].map(lit).join(", ")}]`);
    const w = rule.when ? tri(rule.when) : undefined;
    const c = tri(rule.conditions);
    const result = w ? emit(`(${w} == null and ${c} == true) ? true : ${c}`) : c;
    const ref = emit(
      `not (${scope.join(" and ")})${w ? ` or ${w} == false` : ""} ? 'out' : ${result} == true ? 'pass' : ${result} == null ? 'unknown' : 'fail'`,
      `r_${rule.id.replaceAll(/[^a-zA-Z0-9]/g, "_")}`,
    );
    const m = rule.material;
    states.push({
      id: rule.id,
      ref,
      type: rule.type,
      onFail: rule.onFail,
      ...(m && { material: "id" in m ? m.id : m.anyOf.join("|") }),
    });
  }
  const elig = states.filter((s) => s.type === "eligibility");
  const any = (xs: string[]) => (xs.length ? xs.join(" or ") : "false");
  emit(any(elig.filter((s) => s.onFail === "reject").map((s) => `${s.ref} == 'fail'`)), "rejected");
  emit(any(elig.filter((s) => s.onFail === "manual_review").map((s) => `${s.ref} == 'fail'`)), "manual");
  emit(any(elig.map((s) => `${s.ref} == 'unknown'`)), "unknown");
  emit(
    `filter([${states
      .filter((s) => s.material)
      .map((s) => `${s.ref} == 'fail' or ${s.ref} == 'unknown' ? '${s.material}' : null`)
      .join(", ")}], # != null)`,
    "missingMaterials",
  );
  const required = [...new Set(policy.formFields.flatMap((f) => f.required))];
  emit(
    `${kind} in ['filing', 'change'] and form == true and not (${required.map((f) => `form_${f} == true`).join(" and ")})`,
    "formMissing",
  );
  const extendable = [...policy.validity].filter(([, v]) => v.extension).map(([k]) => lit(k));
  emit(`${kind} == 'extend' and not (${category} in [${extendable.join(", ")}])`, "extensionRejected");
  emit(
    "$.rejected or $.extensionRejected ? 'rejected' : len($.missingMaterials) > 0 or $.unknown or $.formMissing ? 'incomplete' : $.manual ? 'manual_review' : 'approved'",
    "outcome",
  );

  // Validity of an approved filing (from, until, single use, change lock; an extension's new until).
  const validity = (cat: string) => policy.validity.get(cat) ?? policy.validity.get("default");
  const period = (p: string) => {
    const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$/.exec(p);
    if (!m) throw new Error(`period ${p}`);
    return [m[1] && `.add('${m[1]}y')`, m[2] && `.add('${m[2]}M')`, m[3] && `.add('${m[3]}d')`]
      .filter(Boolean)
      .join("");
  };
  const lastDay = (from: string, p: string | null | undefined) =>
    p ? `d(${from})${period(p)}.sub('1d').format('%Y-%m-%d')` : "null";
  const cats = [...policy.categories.keys()];
  const byCategory = (f: (cat: string) => string) =>
    cats.reduceRight((acc, cat) => `${category} == '${cat}' ? ${f(cat)} : ${acc}`, f("default"));
  emit(
    `$.outcome != 'approved' or ${kind} == 'revoke' ? null : ${kind} == 'extend' ? ${byCategory((cat) => {
      const v = validity(cat);
      const until = v?.extension
        ? `d(${key("previous.validUntil")})${period(v.extension)}.format('%Y-%m-%d')`
        : key("previous.validUntil");
      return `{from: ${key("previous.approvedOn")}, until: ${until}, singleUse: ${v?.singleUse}, changeLockedUntil: null, extensions: ${key("previous.extensions")} + 1}`;
    })} : ${byCategory((cat) => {
      const v = validity(cat);
      return `{from: ${key("asOf")}, until: ${lastDay(key("asOf"), v?.duration)}, singleUse: ${v?.singleUse}, changeLockedUntil: ${lastDay(key("asOf"), v?.changeLock)}}`;
    })}`,
    "validity",
  );

  // Settlement mode: the category's entry, else the default; dated changes; networked hospitals.
  const field = (cat: string, f: "inProvince" | "crossProvince" | "unfiled") => {
    const entries = [policy.settlement.get(cat), policy.settlement.get("default")];
    for (const e of entries) {
      if (!e) continue;
      let expr = e[f] == null ? undefined : lit(e[f]);
      for (const ch of e.changes ?? []) {
        if (ch[f] !== undefined)
          expr = `d(${key("asOf")}) >= d('${ch.from}') ? ${lit(ch[f])} : ${expr ?? "null"}`;
      }
      if (expr) return expr;
    }
    return "null";
  };
  const cross = key("filing.crossProvince");
  emit(
    `${kind} == 'revoke' ? null : $.outcome == 'rejected' ? ${byCategory((cat) => field(cat, "unfiled"))} : ${cross} == true ? ${byCategory((cat) => field(cat, "crossProvince"))} : ${cross} == false ? ${byCategory((cat) => field(cat, "inProvince"))} : null`,
    "mode0",
  );
  emit(
    `$.mode0 == 'direct' and ${key("filing.destination.hospital.networked")} == false ? 'reimbursement' : $.mode0`,
    "settlementMode",
  );

  return {
    contentType: "application/vnd.gorules.decision",
    nodes: [
      { id: "request", type: "inputNode", name: "Request", position: { x: 0, y: 0 } },
      {
        id: "decide",
        type: "expressionNode",
        name: "Panzhihua filing decision",
        position: { x: 300, y: 0 },
        content: { expressions: exprs },
      },
      {
        id: "answer",
        type: "expressionNode",
        name: "Answer",
        position: { x: 600, y: 0 },
        content: {
          expressions: ["outcome", "missingMaterials", "validity", "settlementMode"].map((k) => ({
            id: `o_${k}`,
            key: k,
            value: k,
          })),
        },
      },
      { id: "response", type: "outputNode", name: "Response", position: { x: 900, y: 0 } },
    ],
    edges: [
      { id: "e1", sourceId: "request", targetId: "decide", type: "edge" },
      { id: "e2", sourceId: "decide", targetId: "answer", type: "edge" },
      { id: "e3", sourceId: "answer", targetId: "response", type: "edge" },
    ],
  };
}

export function panzhihuaPolicy(decider: Decider): Policy {
  const r = decider.policyFor("510402", ZEN_FROM);
  if (!r.ok) throw new Error(r.problem.message);
  return r.policy;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const decider = new Decider(readRuleFiles().ruleSets);
  writeFileSync(ZEN_GRAPH_FILE, `${JSON.stringify(buildGraph(panzhihuaPolicy(decider)), null, 1)}\n`);
  console.log(`wrote ${ZEN_GRAPH_FILE.pathname}`);
}
