// @vitest-environment happy-dom
import "./setup.ts";
import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Decision } from "../src/api/types.ts";
import { DecisionCard } from "../src/components/decision-card.tsx";
import { caseOf } from "../src/desk/desk-model.ts";
import { renderIn } from "./render.tsx";

const settled = (provenance: "official" | "secondary" | "illustrative") =>
  ({
    caseId: "desk-settlement",
    asOf: "2025-03-10",
    kind: "settlement",
    outcome: "approved",
    category: "retired_resettled",
    ruleSets: [{ id: "jiangxi/nanchang", version: "2025-01-01" }],
    reasons: [],
    missingMaterials: [],
    missingFields: [],
    validity: null,
    settlementMode: "direct",
    processing: { immediate: true, dueDate: null, workingDays: null },
    benefits: {
      eligibleCost: "27000.00",
      deductible: "800.00",
      ratio: "0.85",
      fundPay: "22270.00",
      personalPay: "7730.00",
      provenance,
    },
    warnings: [],
    trace: [],
  }) as unknown as Decision;

describe("a settlement at the desk", () => {
  it("shows the money as the decision gives it, and says when the figures are not official", () => {
    renderIn(<DecisionCard decision={settled("illustrative")} />);
    expect(screen.getByTestId("fund-pay").textContent).toBe("22270.00 元");
    expect(screen.getByText("7730.00 元")).toBeTruthy();
    expect(screen.getByTestId("benefits-provenance").textContent).toBe("示例性标准，非官方");
  });

  it("marks nothing for official figures", () => {
    renderIn(<DecisionCard decision={settled("official")} />);
    expect(screen.queryByTestId("benefits-provenance")).toBeNull();
  });

  it("makes a settlement case with the costs as decimal strings, the year's payments nested", () => {
    const c = caseOf({
      asOf: "2025-03-10",
      kind: "settlement",
      fields: {
        "insured.region": "360102",
        "settlement.admission": "2025-03-01",
        "settlement.discharge": "2025-03-10",
        "settlement.hospitalLevel": "3",
        "settlement.totalCost": "30000.10",
        "settlement.selfPayCost": "",
        "settlement.yearToDate.fundPaid": " 1200.50 ",
      },
      materials: [],
    });
    expect(c.settlement).toEqual({
      admission: "2025-03-01",
      discharge: "2025-03-10",
      hospitalLevel: "3",
      totalCost: "30000.10",
      yearToDate: { fundPaid: "1200.50" },
    });
  });
});
