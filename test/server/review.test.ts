import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { summarizeChanges } from "../../server/review/change-summary.ts";
import { verdict } from "../../server/review/four-eyes.ts";
import { lifecycles } from "../../server/review/timeline.ts";
import { RuleSetValidator } from "../../server/review/validation.ts";
import type { AuditEntry } from "../../server/store/audit.ts";
import type { RuleSetVersionSummary } from "../../server/store/rule-sets.ts";

/** The review logic without HTTP or a database. */
const PZH = readFileSync(
  join(import.meta.dirname, "..", "..", "rules", "sichuan", "panzhihua", "2017-04-12.yaml"),
  "utf8",
);

describe("change summary", () => {
  it("tells periods and figures in the officer's words", () => {
    const data = (s: string) => ({
      validity: { retired_resettled: { changeLock: s.includes("6M") ? "P6M" : "P2Y", singleUse: false } },
      benefits: { t: { levels: { "3": { deductible: "800", ratio: s.includes("6M") ? "0.9" : "0.85" } } } },
      rules: { a: { message: "x" }, ...(s.includes("6M") ? { b: { message: "y" } } : {}) },
      materials: s.includes("6M") ? { old: null } : {},
    });
    const changes = summarizeChanges(data("2Y"), data("6M"));
    expect(changes.map((c) => c.message.zh)).toEqual([
      "新增规则「b」",
      "删除继承的材料要求「old」",
      "有效期「异地安置退休人员」：变更限制期：2 年 → 6 个月",
      "待遇标准「t」：三级医院支付比例：85% → 90%",
    ]);
    expect(changes[2]?.message.en).toBe(
      'validity "retiree resettled elsewhere": change lock: 2 years → 6 months',
    );
    expect(changes[2]?.fields).toEqual([{ path: "changeLock", before: "P2Y", after: "P6M" }]);
  });
});

describe("four eyes", () => {
  const v = { id: 7, status: "in_review" as const, author: "wang", submittedBy: "wang" };
  const trail = [{ actor: "li", action: "ruleset.edit" }] as AuditEntry[];
  it("bars whoever wrote, edited or submitted a version from deciding on it, and says why", () => {
    expect(verdict("approve", v, trail, { username: "zhao", roles: ["approver"] })).toEqual({
      allowed: true,
    });
    expect(verdict("approve", v, trail, { username: "li", roles: ["approver"] })).toMatchObject({
      allowed: false,
      code: "FOUR_EYES",
      reason: { en: "li edited version 7; another approver must decide" },
    });
    expect(verdict("reject", v, [], { username: "wang", roles: ["admin"] })).toMatchObject({
      code: "FOUR_EYES",
    });
    expect(verdict("edit", v, [], { username: "wang", roles: ["officer"] })).toMatchObject({
      code: "INVALID_STATE",
    });
    expect(verdict("withdraw", v, [], { username: "zhao", roles: ["approver"] })).toMatchObject({
      code: "FORBIDDEN",
    });
  });
});

describe("timeline", () => {
  it("marks a published version superseded once a later one is in force", () => {
    const at = (id: number, effectiveFrom: string, status = "published") =>
      ({ id, ruleSetId: "x", effectiveFrom, status }) as RuleSetVersionSummary;
    const l = lifecycles(
      [at(1, "2017-01-01"), at(2, "2020-01-01"), at(3, "2030-01-01"), at(4, "2031-01-01", "draft")],
      "2025-01-01",
    );
    expect([...l.values()]).toEqual(["superseded", "published", "published", "draft"]);
  });
});

describe("validation", () => {
  it("reports schema and lint problems together, and caches the published versions it parses", () => {
    const validator = new RuleSetValidator(2);
    const content = PZH.replace("changeLock: P2Y", "changeLock: soon").replace(
      "citation: { document: 攀医保〔2017〕10号, clause: 一(二) }",
      "citation: { document: 没有的文件, clause: 一(二) }",
    );
    const problems = validator.validate(
      { ruleSetId: "sichuan/panzhihua", version: "2017-04-12", content },
      [],
    );
    expect(problems.map((p) => p.code)).toContain("lint");
    expect(problems[0]?.path).toEqual(["validity", "retired_resettled", "changeLock"]);
    expect(problems.every((p) => p.line && p.column)).toBe(true);
    const syntax = validator.validate({ ruleSetId: "a", version: "1", content: "a: [\n" }, []);
    expect(syntax.every((p) => p.code === "yaml")).toBe(true);
    const v = { ruleSetId: "sichuan/panzhihua", version: "2017-04-12", content: PZH, hash: "h1" };
    expect(validator.load(v)).toBe(validator.load(v));
  });
});
