import { describe, expect, it } from "vitest";
import { beyondCalendar, nthWorkingDayAfter } from "../../engine/working-days.ts";
import { decideCase, idNumber } from "../helpers.ts";

describe("Chinese working-day calendar", () => {
  // Spring Festival 2025: 1-28 … 2-4 off; Sunday 1-26 and Saturday 2-8 are make-up working days.
  it("counts 20 working days across the 2025 Spring Festival", () => {
    expect(nthWorkingDayAfter("2025-01-24", 1)).toBe("2025-01-26");
    expect(nthWorkingDayAfter("2025-01-24", 3)).toBe("2025-02-05");
    expect(nthWorkingDayAfter("2025-01-24", 20)).toBe("2025-02-27");
  });

  // National Day 2025: 10-1 … 10-8 off; Sunday 9-28 and Saturday 10-11 are make-up working days.
  it("counts 20 working days across the 2025 National Day holiday", () => {
    expect(nthWorkingDayAfter("2025-09-26", 1)).toBe("2025-09-28");
    expect(nthWorkingDayAfter("2025-09-26", 4)).toBe("2025-10-09");
    expect(nthWorkingDayAfter("2025-09-26", 20)).toBe("2025-10-30");
  });

  it("knows when a span runs past the published calendar", () => {
    expect(beyondCalendar("2026-12-01", "2027-01-05")).toBe(true);
    expect(beyondCalendar("2026-01-01", "2026-02-05")).toBe(false);
  });

  it("gives a Fushun claim-back filing its 20-working-day due date, and warns past the calendar", () => {
    const fushun = (asOf: string) =>
      decideCase({
        id: "fs",
        asOf,
        applicant: { idNumber: idNumber("1960-05-05", "male", "210402") },
        insured: { region: "210402", scheme: "employee", status: "retired" },
        filing: {
          category: "emergency",
          destination: { region: "110000" },
          emergency: { setting: "outpatient", cardSettled: false, diagnoses: ["S72.001"] },
          materials: ["ss_card"],
        },
      });
    const d = fushun("2025-09-26");
    expect(d.outcome).toBe("approved");
    expect(d.processing).toEqual({ immediate: false, dueDate: "2025-10-30", workingDays: 20 });
    expect(d.warnings.map((w) => w.code)).not.toContain("calendar.beyond");
    expect(fushun("2026-12-10").warnings.map((w) => w.code)).toContain("calendar.beyond");
  });
});
