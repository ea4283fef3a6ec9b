// ECharts on the pages: one place that creates charts, resizes them with the window, and
// disposes of the previous page's charts when a page is drawn again (live updates redraw often).
// Only the parts of ECharts the pages use are bundled.
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

let live: echarts.ECharts[] = [];

export function disposeCharts(): void {
  for (const c of live) c.dispose();
  live = [];
}

export function drawChart(id: string, option: echarts.EChartsCoreOption): void {
  const el = document.getElementById(id);
  if (!el) return;
  const chart = echarts.init(el);
  chart.setOption({ animation: false, ...option });
  live.push(chart);
}

window.addEventListener("resize", () => live.forEach((c) => c.resize()));

export const titleStyle = { fontSize: 14, fontWeight: 600 };
