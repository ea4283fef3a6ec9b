// Budgets, KPIs and anomalies: each budget's spend against its amount with the burn-down drawn;
// the platform's and each owner's KPIs; the cost anomalies with impact and root cause. Every
// figure is the API's (/api/v1/budgets, /kpis, /anomalies).
import { api } from "./api";
import { disposeCharts, drawChart, titleStyle } from "./charts";
import { axisMoney, escapeHtml, formatMoney } from "./format";
import { periodQuery } from "./period";
import { emptyState, NO_ALLOCATIONS } from "./states";

interface Budget {
  name: string;
  owner?: string;
  where?: string[];
  period: string;
  as_of: string | null;
  currency: string;
  amount: string;
  actual: string;
  actual_percent: number;
  forecast: string;
  lower: string;
  upper: string;
  forecast_percent: number;
  crossed: { actual: number[]; forecast: number[] };
  children: string[];
  burn_down: { date: string; actual: string | null; forecast: string | null; ideal: string }[];
}

interface KpiSet {
  owner: string | null;
  total: string;
  coverage: number | null;
  idle_share: number | null;
  gpu_utilization: number | null;
  efficiency: { resource: string; unit: string; ratio: number | null }[];
  unit_costs: { name: string; per_unit: string | null }[];
}

interface Anomaly {
  id: string;
  date?: string;
  hour?: string;
  currency: string;
  actual: string;
  expected: string;
  impact: string;
  state: string;
  root_cause: { dimension: string; value: string; share: number }[];
  [key: string]: unknown;
}

const share = (v: number | null | undefined): string => (v == null ? "–" : `${(100 * v).toFixed(1)} %`);

export async function renderBudgets(root: HTMLElement): Promise<void> {
  const data = await api<{ rows: Budget[]; warnings: string[] }>("/api/v1/budgets");
  disposeCharts();
  if (data.rows.length === 0) {
    root.innerHTML = emptyState(
      "No budgets yet",
      "Add a <code>budgets:</code> section to tally.yaml (an owner path or bill filters, an amount, " +
        "thresholds) and run <code>tally serve --config tally.yaml</code>. See docs/budgets.md.",
    );
    return;
  }
  root.innerHTML = `
    ${data.warnings.map((w) => `<p class="warning">${escapeHtml(w)}</p>`).join("")}
    <table data-testid="budgets"><thead><tr><th>Budget</th><th>Scope</th><th>Period</th><th class="num">Amount</th>
      <th class="num">Actual</th><th class="num">Forecast</th><th>Crossed</th></tr></thead><tbody>
    ${data.rows
      .map(
        (b) => `<tr data-budget="${escapeHtml(b.name)}"><td>${escapeHtml(b.name)}${
          b.children.length ? `<div class="muted">children: ${b.children.map(escapeHtml).join(", ")}</div>` : ""
        }</td><td>${escapeHtml(b.owner ? `owner ${b.owner}` : (b.where ?? []).join(" "))}</td>
        <td>${escapeHtml(b.period)}${b.as_of ? `<div class="muted">as of ${b.as_of}</div>` : ""}</td>
        <td class="num">${formatMoney(b.amount)}</td>
        <td class="num" data-testid="actual">${formatMoney(b.actual)}<div class="muted">${b.actual_percent.toFixed(1)} %</div></td>
        <td class="num">${formatMoney(b.forecast)}<div class="muted">${b.forecast_percent.toFixed(1)} % (${formatMoney(b.lower)} – ${formatMoney(b.upper)})</div></td>
        <td class="${b.crossed.actual.length || b.crossed.forecast.length ? "error" : "muted"}">${[
          ...b.crossed.actual.map((t) => `actual ${t} %`),
          ...b.crossed.forecast.map((t) => `forecast ${t} %`),
        ].join(", ") || "none"}</td></tr>`,
      )
      .join("")}</tbody></table>
    <section class="charts">${data.rows.map((_, i) => `<div class="chart" id="burn-${i}"></div>`).join("")}</section>`;
  data.rows.forEach((b, i) => {
    const dates = b.burn_down.map((d) => d.date);
    drawChart(`burn-${i}`, {
      title: { text: `${b.name}: burn-down ${b.period}`, textStyle: titleStyle },
      tooltip: { trigger: "axis", valueFormatter: (v: number) => formatMoney(v) },
      legend: { bottom: 0 },
      grid: { left: 56, right: 16 },
      xAxis: { type: "category", data: dates },
      yAxis: { type: "value", axisLabel: { formatter: axisMoney } },
      series: [
        { name: "actual", type: "line", data: b.burn_down.map((d) => (d.actual == null ? null : Number(d.actual))) },
        { name: "forecast", type: "line", lineStyle: { type: "dashed" },
          data: b.burn_down.map((d) => (d.forecast == null ? null : Number(d.forecast))) },
        { name: "budget", type: "line", lineStyle: { type: "dotted" }, data: b.burn_down.map((d) => Number(d.ideal)) },
      ],
    });
  });
}

export async function renderKpis(root: HTMLElement): Promise<void> {
  const data = await api<{ platform: KpiSet | null; owners: KpiSet[]; commitments: { currency: string; utilization: number | null; coverage: number | null }[] }>(
    `/api/v1/kpis?${periodQuery().slice(1)}`,
  );
  disposeCharts();
  // A token scoped to owners gets no platform set (it is the whole bill's): its cards show its
  // owner's set when it has one owner.
  const p = data.platform ?? (data.owners.length === 1 ? data.owners[0] : null);
  if (p === null ? data.owners.length === 0 : Number(p.total) === 0) {
    root.innerHTML = NO_ALLOCATIONS;
    return;
  }
  const unit = (set: KpiSet, name: string): string => {
    const u = set.unit_costs.find((x) => x.name === name);
    return u?.per_unit ? formatMoney(u.per_unit) : "–";
  };
  const eff = (set: KpiSet, resource: string): string =>
    share(set.efficiency.find((e) => e.resource === resource)?.ratio);
  const cards = p === null ? "" : `
    <section class="cards">
      <div class="card"><div class="label">Allocation coverage</div>
        <div class="value" data-testid="coverage">${share(p.coverage)}</div>
        <div class="sub">cost with a real owner</div></div>
      <div class="card"><div class="label">Idle share</div>
        <div class="value" data-testid="kpi-idle">${share(p.idle_share)}</div></div>
      <div class="card"><div class="label">CPU efficiency</div>
        <div class="value">${eff(p, "cpu")}</div><div class="sub">usage / request</div></div>
      <div class="card"><div class="label">GPU utilization</div>
        <div class="value">${share(p.gpu_utilization)}</div><div class="sub">weighted by GPU cost</div></div>
    </section>
    <p class="classes">Unit costs: per core-hour ${unit(p, "core-hour")} · per GPU-hour ${unit(p, "gpu-hour")} ·
      per TiB-month ${unit(p, "tib-month")}${data.commitments
        .filter((c) => c.utilization != null)
        .map((c) => ` · commitments ${escapeHtml(c.currency)}: utilization ${share(c.utilization)}, coverage ${share(c.coverage)}`)
        .join("")}</p>`;
  root.innerHTML = `${cards}
    <table data-testid="kpis"><thead><tr><th>Owner</th><th class="num">Cost</th><th class="num">Idle share</th>
      <th class="num">CPU eff.</th><th class="num">Memory eff.</th><th class="num">GPU util.</th>
      <th class="num">Per core-hour</th><th class="num">Per GPU-hour</th></tr></thead><tbody>
    ${data.owners
      .map(
        (o) => `<tr><td>${escapeHtml(o.owner ?? "")}</td><td class="num" data-kpi-owner="${escapeHtml(o.owner ?? "")}">${formatMoney(o.total)}</td>
        <td class="num">${share(o.idle_share)}</td><td class="num">${eff(o, "cpu")}</td><td class="num">${eff(o, "memory")}</td>
        <td class="num">${share(o.gpu_utilization)}</td><td class="num">${unit(o, "core-hour")}</td><td class="num">${unit(o, "gpu-hour")}</td></tr>`,
      )
      .join("")}</tbody></table>`;
}

export async function renderAnomalies(root: HTMLElement, _arg: string, params: URLSearchParams): Promise<void> {
  const by = params.get("by") ?? "owner";
  const data = await api<{ rows: Anomaly[]; series: number; periods: number }>(
    `/api/v1/anomalies?by=${encodeURIComponent(by)}`,
  );
  disposeCharts();
  const picker = `<p>Per <select data-testid="anomaly-by">${["owner", "ServiceName", "Tags.team", "SubAccountId"]
    .map((k) => `<option${k === by ? " selected" : ""}>${k}</option>`)
    .join("")}</select> <span class="muted">${data.series} series × ${data.periods} days examined</span></p>`;
  const body = data.rows.length
    ? `<table data-testid="anomalies"><thead><tr><th>Day</th><th>${escapeHtml(by)}</th><th class="num">Actual</th>
        <th class="num">Expected</th><th class="num">Impact</th><th>Root cause</th><th>State</th></tr></thead><tbody>
      ${data.rows
        .map(
          (a) => `<tr data-anomaly="${a.id}"><td>${escapeHtml(a.date ?? a.hour ?? "")}</td><td>${escapeHtml(String(a[by] ?? ""))}</td>
          <td class="num">${formatMoney(a.actual)}</td><td class="num">${formatMoney(a.expected)}</td>
          <td class="num error" data-testid="impact">${formatMoney(a.impact)}</td>
          <td>${a.root_cause.map((c) => `${escapeHtml(c.dimension)} = ${escapeHtml(c.value)} (${(100 * c.share).toFixed(0)} %)`).join("<br>")}</td>
          <td>${escapeHtml(a.state)}</td></tr>`,
        )
        .join("")}</tbody></table>`
    : emptyState("No anomalies", "No day's cost is far from its seasonal baseline (docs/anomalies.md).");
  root.innerHTML = picker + body;
  root.querySelector("[data-testid=anomaly-by]")?.addEventListener("change", (e) => {
    location.hash = `#/anomalies?by=${encodeURIComponent((e.target as HTMLSelectElement).value)}`;
  });
}
