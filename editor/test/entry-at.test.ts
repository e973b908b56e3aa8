import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { citationHover, entryAt } from "../src/entry-at.ts";

const text = readFileSync(new URL("../../rules/sichuan/panzhihua/2017-04-12.yaml", import.meta.url), "utf8");
const at = (needle: string) => entryAt(text, text.indexOf(needle) + 2);

describe("the entry under the cursor", () => {
  it("is the rule, with the clause it encodes", () => {
    expect(at("conditions: { fact: insured.cardStatus")).toEqual({
      section: "rules",
      key: "card-authenticated",
      citation: { document: "攀医保〔2017〕10号", clause: "三" },
    });
  });

  it("follows a YAML alias to the citation it shares", () => {
    expect(at("long_term_resident: *two-years")?.citation).toEqual({
      document: "攀医保〔2017〕10号",
      clause: "四(一)2(1)",
    });
  });

  it("is nothing outside the sections, or in text that does not parse", () => {
    expect(at("id: sichuan/panzhihua")).toBeNull();
    expect(at("effective: { from")).toBeNull();
    expect(entryAt("rules: [", 3)).toBeNull();
  });
});

describe("the hover over an entry", () => {
  const labels = { citation: "依据", noCitation: "（此条目未注明依据）", note: "说明" };

  it("shows the rule, its document and clause, and how the clause is read", () => {
    const entry = at("conditions: { fact: insured.inBenefitPeriod");
    if (!entry) throw new Error("no entry under the cursor");
    expect(entry.key).toBe("insurance-in-force");
    const md = citationHover(entry, labels);
    expect(md).toContain("rules › `insurance-in-force`");
    expect(md).toContain("依据: 〔攀医保〔2017〕10号 三〕");
    expect(md).toContain("说明: 鉴权时“进一步核实备案人员参保情况”");
  });

  it("says so when an entry cites nothing", () => {
    const md = citationHover({ section: "materials", key: "x", citation: null }, labels);
    expect(md).toContain("（此条目未注明依据）");
  });
});
