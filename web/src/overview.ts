// Overview: spend in the period, idle share, GPU utilization, spend by resource class (compute,
// storage, network, cache), daily trend by kind with the bill's 14-day forecast and its 80%
// interval after it, top owners.
import { api, Forecast, Gpu, Series, Showback } from "./api";
import { disposeCharts, drawChart, titleStyle } from "./charts";
import { axisMoney, escapeHtml, formatMoney, formatPercent, formatRatio } from "./format";
import { periodQuery } from "./period";
import { NO_ALLOCATIONS } from "./states";

export async function renderOverview(root: HTMLElement): Promise<void> {
  const q = periodQuery();
  const [owners, kinds, classes, daily, gpu, forecast] = await Promise.all([
    api<Showback>(`/api/v1/showback?by=owner${q}`),
    api<Showback>(`/api/v1/showback?by=kind${q}`),
    api<Showback>(`/api/v1/showback?by=class${q}`),
    api<Series>(`/api/v1/showback?by=kind&step=1d${q}`),
    api<Gpu>(`/api/v1/gpu?${q.slice(1)}`),
    api<Forecast>("/api/v1/forecast?days=14"),
  ]);
  disposeCharts();
  if (owners.rows.length === 0) {
    root.innerHTML = NO_ALLOCATIONS;
    return;
  }
  const total = Number(owners.total);
  // Idle is a kind of cost, whoever owns it (an asset's owner keeps its idle by default); the
  // exact sum comes from the API, never from adding rounded numbers here.
  const idle = kinds.rows.find((r) => r.kind === "idle")?.cost ?? "0";
  const ranked = [...owners.rows].sort((a, b) => Number(b.cost) - Number(a.cost));
  const top = ranked.slice(0, 10);
  const days = [...new Set(daily.series.flatMap((s) => s.points.map((p) => p[0].slice(0, 10))))].sort();
  root.innerHTML = `
    <section class="cards">
      <div class="card"><div class="label">Spend</div>
        <div class="value" data-testid="spend">${formatMoney(owners.total)}</div>
        <div class="sub">${days.length} days · ${days[0] ?? ""} to ${days[days.length - 1] ?? ""}${
          Number(owners.estimated ?? 0) !== 0
            ? ` · <span class="estimated" data-testid="spend-estimated">${formatMoney(owners.estimated!)} estimated</span>`
            : ""}</div></div>
      <div class="card"><div class="label">Idle share</div>
        <div class="value" data-testid="idle-share">${formatPercent(Number(idle), total)}</div>
        <div class="sub">${formatMoney(idle)} for capacity nobody requested</div></div>
      <div class="card"><div class="label">GPU utilization</div>
        <div class="value" data-testid="gpu-utilization">${formatRatio(gpu.total.utilization)}</div>
        <div class="sub"><a href="#/gpu">${gpu.nodes.length} GPU nodes</a> · busy GPU-hours / capacity</div></div>
      <div class="card"><div class="label">Owners</div>
        <div class="value">${owners.rows.length}</div>
        <div class="sub">top: ${escapeHtml(ranked[0].owner)}</div></div>
    </section>
    <section class="classes" data-testid="classes">By resource class: ${[...classes.rows]
      .sort((a, b) => Number(b.cost) - Number(a.cost))
      .map(
        (r) => `<span data-class="${escapeHtml(r.class)}"><b>${escapeHtml(r.class)}</b>
          ${formatMoney(r.cost)} (${formatPercent(Number(r.cost), total)})</span>`,
      )
      .join(" · ")}</section>
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

  // The forecast of the bill's total (one currency) continues the trend after its last day.
  const ahead = forecast.rows.filter((r) => r.date > (days[days.length - 1] ?? ""));
  const axis = [...days, ...ahead.map((r) => r.date)];
  const future = (pick: (r: Forecast["rows"][number]) => string) =>
    axis.map((d) => {
      const r = ahead.find((x) => x.date === d);
      return r ? Number(pick(r)) : null;
    });
  document.getElementById("trend")!.dataset.forecastDays = String(ahead.length);
  drawChart("trend", {
    title: {
      text: ahead.length ? "Daily cost by kind, and the forecast" : "Daily cost by kind",
      subtext: ahead.length && forecast.backtest_mape != null
        ? `80% interval; backtest MAPE ${(100 * forecast.backtest_mape).toFixed(1)} %`
        : undefined,
      textStyle: titleStyle,
    },
    tooltip: { trigger: "axis", valueFormatter: (v: number) => formatMoney(v) },
    legend: { bottom: 0 },
    grid: { left: 56, right: 16 },
    xAxis: { type: "category", data: axis },
    yAxis: { type: "value", axisLabel: { formatter: axisMoney } },
    series: [
      ...daily.series.map((s) => ({
        name: s.key.kind,
        type: "bar",
        stack: "cost",
        data: axis.map((d) => Number(s.points.find((p) => p[0].startsWith(d))?.[1] ?? 0)),
      })),
      ...(ahead.length
        ? [
            { name: "forecast", type: "line", data: future((r) => r.forecast) },
            { name: "80% interval", type: "line", lineStyle: { type: "dashed" }, symbol: "none", data: future((r) => r.lower) },
            { name: "80% interval", type: "line", lineStyle: { type: "dashed" }, symbol: "none", data: future((r) => r.upper) },
          ]
        : []),
    ],
  });
  drawChart("owners", {
    title: { text: "Top owners", textStyle: titleStyle },
    tooltip: { valueFormatter: (v: number) => formatMoney(v) },
    grid: { left: 120, right: 24 },
    xAxis: { type: "value", axisLabel: { formatter: axisMoney } },
    yAxis: { type: "category", data: top.map((r) => r.owner).reverse() },
    series: [{ type: "bar", data: top.map((r) => Number(r.cost)).reverse() }],
  });
}
