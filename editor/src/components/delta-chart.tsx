import { BarChart } from "echarts/charts";
import { GridComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

/** A bar per fund-pay delta bucket (yuan): how many settlements moved by how much (ECharts, canvas). */
export function DeltaChart({
  labels,
  counts,
  height = 260,
}: {
  labels: string[];
  counts: number[];
  height?: number;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current);
    const mid = labels.findIndex((l) => l.startsWith("0 "));
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 16, top: 16, bottom: 60 },
      xAxis: { type: "category", data: labels, axisLabel: { rotate: 30, fontSize: 11 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        {
          type: "bar",
          data: counts.map((v, i) => ({
            value: v,
            itemStyle: { color: mid >= 0 && i < mid ? "#cf1322" : "#389e0d" },
          })),
          label: {
            show: true,
            position: "top",
            formatter: (p: { value: number }) => (p.value ? p.value : ""),
          },
        },
      ],
    });
    const resize = () => chart.resize();
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      chart.dispose();
    };
  }, [labels, counts]);
  return <div ref={ref} style={{ width: "100%", height }} data-testid="delta-chart" />;
}
