import { LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

echarts.use([LineChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, CanvasRenderer]);

export type UsageChartData = {
  months: string[];
  series: { name: string; usagePercent: (number | null)[] }[];
  thresholds: { name: string; level: string; percent: number }[];
};

const LINE_COLOR: Record<string, string> = { yellow: "#faad14", red: "#f5222d", normal: "#8c8c8c" };

/** The ECharts option of a usage chart: a line per province pair, a dashed line at each threshold. */
export function usageOption(data: UsageChartData): echarts.EChartsCoreOption {
  return {
    tooltip: { trigger: "axis", valueFormatter: (v: unknown) => (v == null ? "—" : `${v} %`) },
    legend: { top: 0 },
    grid: { left: 48, right: 90, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.months },
    yAxis: {
      type: "value",
      axisLabel: { formatter: "{value} %" },
      max: (v: { max: number }) => Math.max(100, Math.ceil(v.max / 10) * 10),
    },
    series: data.series.map((s, i) => ({
      name: s.name,
      type: "line",
      // a month without figures is a gap, not a line drawn through it; a lone month still shows as a point
      connectNulls: false,
      showAllSymbol: true,
      symbol: "circle",
      symbolSize: 7,
      data: s.usagePercent,
      ...(i === 0 && {
        markLine: {
          symbol: "none",
          // the threshold's name carries its percent already (红色预警 90%)
          label: { formatter: "{b}", position: "end" },
          data: data.thresholds.map((th) => ({
            name: th.name,
            yAxis: th.percent,
            lineStyle: { color: LINE_COLOR[th.level] ?? "#8c8c8c", type: "dashed" },
          })),
        },
      }),
    })),
  };
}

/** A line chart of monthly prepayment usage with the 70 % and 90 % lines (ECharts, canvas). */
export function UsageChart({ data, height = 320 }: { data: UsageChartData; height?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current);
    chart.setOption(usageOption(data));
    const resize = () => chart.resize();
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      chart.dispose();
    };
  }, [data]);
  return <div ref={ref} style={{ width: "100%", height }} data-testid="usage-chart" />;
}
