// @vitest-environment happy-dom
import "./setup.ts";
import { fireEvent, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { TraceEntry } from "../src/api/types.ts";
import { TraceView } from "../src/components/trace-view.tsx";
import { renderIn } from "./render.tsx";

const trace: TraceEntry[] = [
  {
    rule: "resettled-retired",
    type: "eligibility",
    ruleSet: "sichuan/panzhihua@2017-04-12",
    result: true,
    effect: "pass",
    conditions: {
      fact: "insured.status",
      operator: "equal",
      value: "retired",
      factResult: "retired",
      valueResult: "retired",
      result: true,
    },
    citation: { document: "攀医保〔2017〕10号", clause: "一(一)" },
  },
  {
    rule: "long-term-two-years",
    type: "eligibility",
    ruleSet: "sichuan/panzhihua@2017-04-12",
    result: false,
    effect: "reject",
    conditions: {
      all: [
        {
          fact: "filing.residenceYears",
          operator: "greaterThanInclusive",
          value: 2,
          factResult: 1,
          valueResult: 2,
          result: false,
        },
        {
          fact: "filing.hukouMoved",
          operator: "equal",
          value: true,
          factResult: undefined,
          valueResult: true,
          result: "unknown",
        },
      ],
      result: false,
    },
  },
  {
    rule: "validity.retired_resettled",
    type: "validity",
    ruleSet: "sichuan/panzhihua@2017-04-12",
    result: true,
    detail: { changeLock: "P2Y", changeLockedUntil: "2019-05-31" },
  },
];

const open = (rule: string) => {
  const header = document.querySelector(`[data-rule="${rule}"]`);
  if (!header) throw new Error(`no rule ${rule}`);
  fireEvent.click(header);
};

describe("the trace view", () => {
  it("lists every rule evaluated with its result, rule set and citation", () => {
    renderIn(<TraceView trace={trace} />);
    const rules = [...document.querySelectorAll("[data-rule]")].map((e) => [
      e.getAttribute("data-rule"),
      e.getAttribute("data-result"),
    ]);
    expect(rules).toEqual([
      ["resettled-retired", "true"],
      ["long-term-two-years", "false"],
      ["validity.retired_resettled", "true"],
    ]);
    expect(screen.getByText("〔攀医保〔2017〕10号 一(一)〕")).toBeTruthy();
  });

  it("colours each condition green, red or grey, with the fact value that decided it", () => {
    renderIn(<TraceView trace={trace} />);
    open("long-term-two-years");
    const years = document.querySelector('[data-fact="filing.residenceYears"]');
    expect(years?.className).toContain("yidi-cond-false");
    expect(years?.textContent).toContain("filing.residenceYears greaterThanInclusive 2");
    expect(years?.textContent).toContain("filing.residenceYears = 1");
    const hukou = document.querySelector('[data-fact="filing.hukouMoved"]');
    expect(hukou?.className).toContain("yidi-cond-unknown");
    expect(hukou?.textContent).toContain("filing.hukouMoved = 未知");
    open("resettled-retired");
    expect(document.querySelector('[data-fact="insured.status"]')?.className).toContain("yidi-cond-true");
  });

  it("shows a step's detail, such as the change lock it computed", () => {
    renderIn(<TraceView trace={trace} />);
    open("validity.retired_resettled");
    expect(document.body.textContent).toContain('"changeLockedUntil": "2019-05-31"');
  });

  it("narrows to the rules that failed or could not be decided", () => {
    renderIn(<TraceView trace={trace} />);
    fireEvent.click(screen.getByText("✗ / ? (1)"));
    expect([...document.querySelectorAll("[data-rule]")].map((e) => e.getAttribute("data-rule"))).toEqual([
      "long-term-two-years",
    ]);
  });
});
