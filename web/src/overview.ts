// Overview: spend in the window, daily trend, top owners, idle share.
import * as echarts from "echarts";
import { api, Series, Showback } from "./api";
import { escapeHtml, formatMoney, formatPercent } from "./format";

export async function renderOverview(root: HTMLElement): Promise<void> {
  const [owners, daily] = await Promise.all([
    api<Showback>("/api/v1/showback?by=owner"),
    api<Series>("/api/v1/showback?by=kind&step=1d"),
  ]);
  const total = Number(owners.total);
  const idle = owners.rows.find((r) => r.owner === "__idle__");
  const top = [...owners.rows].sort((a, b) => Number(b.cost) - Number(a.cost)).slice(0, 10);
  root.innerHTML = `
    <section class="cards">
      <div class="card"><div class="label">Spend</div>
        <div class="value" data-testid="spend">${formatMoney(owners.total)}</div></div>
      <div class="card"><div class="label">Idle share</div>
        <div class="value" data-testid="idle-share">${formatPercent(Number(idle?.cost ?? 0), total)}</div></div>
      <div class="card"><div class="label">Owners</div>
        <div class="value">${owners.rows.length}</div></div>
    </section>
    <section class="charts">
      <div class="chart" id="trend"></div>
      <div class="chart" id="owners"></div>
    </section>
    <table><thead><tr><th>Owner</th><th class="num">Cost</th><th class="num">Share</th></tr></thead>
      <tbody>${top
        .map(
          (r) => `<tr><td><a href="#/explorer/${encodeURIComponent(r.owner)}">${escapeHtml(r.owner)}</a></td>
            <td class="num" data-owner="${escapeHtml(r.owner)}">${formatMoney(r.cost)}</td>
            <td class="num">${formatPercent(Number(r.cost), total)}</td></tr>`,
        )
        .join("")}</tbody></table>`;

  const days = [...new Set(daily.series.flatMap((s) => s.points.map((p) => p[0].slice(0, 10))))].sort();
  echarts.init(document.getElementById("trend")!).setOption({
    animation: false,
    title: { text: "Daily cost by kind", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    xAxis: { type: "category", data: days },
    yAxis: { type: "value", axisLabel: { formatter: (v: number) => `$${v}` } },
    series: daily.series.map((s) => ({
      name: s.key.kind,
      type: "bar",
      stack: "cost",
      data: days.map((d) => Number(s.points.find((p) => p[0].startsWith(d))?.[1] ?? 0)),
    })),
  });
  echarts.init(document.getElementById("owners")!).setOption({
    animation: false,
    title: { text: "Top owners", textStyle: { fontSize: 14 } },
    tooltip: {},
    xAxis: { type: "value", axisLabel: { formatter: (v: number) => `$${v}` } },
    yAxis: { type: "category", data: top.map((r) => r.owner).reverse() },
    series: [{ type: "bar", data: top.map((r) => Number(r.cost)).reverse() }],
    grid: { left: 120 },
  });
}
