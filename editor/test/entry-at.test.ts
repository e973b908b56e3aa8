import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { entryAt } from "../src/entry-at.ts";

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
    expect(entryAt("rules: [", 3)).toBeNull();
  });
});
