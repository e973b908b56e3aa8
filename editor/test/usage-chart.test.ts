import { describe, expect, it } from "vitest";
import { usageOption } from "../src/components/usage-chart.tsx";

describe("prepayment usage chart", () => {
  it("plots a province pair's months with dashed lines at 70 % and 90 %", () => {
    const option = usageOption({
      months: ["2026-01", "2026-02", "2026-03"],
      series: [{ name: "四川省 → 海南省", usagePercent: [55.5, null, 92.1] }],
      thresholds: [
        { name: "黄色预警", level: "yellow", percent: 70 },
        { name: "红色预警", level: "red", percent: 90 },
      ],
    }) as {
      xAxis: { data: string[] };
      series: { name: string; data: (number | null)[]; markLine: { data: { yAxis: number }[] } }[];
    };
    expect(option.xAxis.data).toEqual(["2026-01", "2026-02", "2026-03"]);
    expect(option.series[0]?.name).toBe("四川省 → 海南省");
    // a month without figures stays a gap, not a zero
    expect(option.series[0]?.data).toEqual([55.5, null, 92.1]);
    expect(option.series[0]?.markLine.data.map((l) => l.yAxis)).toEqual([70, 90]);
  });
});
