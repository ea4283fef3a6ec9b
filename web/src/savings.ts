// Waste and savings: what each kind of waste and each owner could save a month, and every
// recommendation with its action; a click opens its evidence, with the daily CPU used against
// requested drawn when the evidence has it. Every figure is /api/v1/recommendations'.
import { api } from "./api";
import { disposeCharts, drawChart, titleStyle } from "./charts";
import { escapeHtml, formatMoney } from "./format";
import { emptyState } from "./states";

interface Recommendation {
  kind: string;
  consumer: string | null;
  asset: string;
  owner: string;
  monthly_savings: string;
  confidence: number;
  evidence: Record<string, unknown> & { daily?: { date: string; cpu_used: string; cpu_requested: string }[] };
  action: string;
}
interface Recommendations {
  from: string;
  to: string;
  total: string;
  by_kind: Record<string, string>;
  by_owner: Record<string, string>;
  rows: Recommendation[];
}

// The evidence as a definition list: nested objects one level deep, the daily series left to
// the chart.
function evidenceList(e: Recommendation["evidence"]): string {
  const item = (k: string, v: unknown): string =>
    typeof v === "object" && v !== null
      ? `<dt>${escapeHtml(k)}</dt><dd>${Object.entries(v as Record<string, unknown>)
          .map(([kk, vv]) => `${escapeHtml(kk)} ${escapeHtml(String(vv))}`)
          .join(" · ")}</dd>`
      : `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(String(v))}</dd>`;
  return `<dl class="evidence">${Object.entries(e)
    .filter(([k]) => k !== "daily")
    .map(([k, v]) => item(k, v))
    .join("")}</dl>`;
}

export async function renderSavings(root: HTMLElement, _arg: string, params: URLSearchParams): Promise<void> {
  const kind = params.get("kind") ?? "";
  const data = await api<Recommendations>(`/api/v1/recommendations${kind ? `?kind=${encodeURIComponent(kind)}` : ""}`);
  disposeCharts();
  if (data.rows.length === 0) {
    root.innerHTML = emptyState(
      "No waste found",
      "No idle GPU, abandoned workload, oversized request, orphaned volume or inefficient batch job in " +
        "the last 14 days (docs/recommendations.md).",
    );
    return;
  }
  const bars = (id: string, title: string, totals: Record<string, string>) => {
    const entries = Object.entries(totals).sort((a, b) => Number(b[1]) - Number(a[1]));
    drawChart(id, {
      title: { text: title, textStyle: titleStyle },
      tooltip: { valueFormatter: (v: number) => formatMoney(v) },
      grid: { left: 120, right: 24 },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: entries.map(([k]) => k || "(none)").reverse() },
      series: [{ type: "bar", data: entries.map(([, v]) => Number(v)).reverse() }],
    });
  };
  root.innerHTML = `
    <section class="cards">
      <div class="card"><div class="label">Savings a month</div>
        <div class="value" data-testid="savings-total">${formatMoney(data.total)}</div>
        <div class="sub">${data.rows.length} recommendations · ${data.from.slice(0, 10)} to ${data.to.slice(0, 10)}</div></div>
      ${Object.entries(data.by_kind)
        .map(([k, v]) => `<div class="card"><div class="label">${escapeHtml(k)}</div>
          <div class="value" data-kind-total="${escapeHtml(k)}">${formatMoney(v)}</div>
          <div class="sub"><a href="#/savings?kind=${encodeURIComponent(k)}">only these</a></div></div>`)
        .join("")}
    </section>
    <section class="charts"><div class="chart" id="by-kind"></div><div class="chart" id="by-owner"></div></section>
    <table data-testid="recommendations"><thead><tr><th>Kind</th><th>Workload or asset</th><th>Owner</th>
      <th class="num">A month</th><th class="num">Confidence</th><th>Action</th></tr></thead><tbody>
    ${data.rows
      .map(
        (r, i) => `<tr class="recommendation" data-row="${i}"><td>${escapeHtml(r.kind)}</td>
          <td>${escapeHtml(r.consumer ?? r.asset)}</td><td>${escapeHtml(r.owner)}</td>
          <td class="num">${formatMoney(r.monthly_savings)}</td><td class="num">${(100 * r.confidence).toFixed(0)} %</td>
          <td>${escapeHtml(r.action)}</td></tr>`,
      )
      .join("")}</tbody></table>
    <section id="evidence" data-testid="evidence"></section>`;
  bars("by-kind", "Savings a month by kind", data.by_kind);
  bars("by-owner", "Savings a month by owner", data.by_owner);
  const open = (i: number) => {
    const r = data.rows[i];
    const section = document.getElementById("evidence")!;
    section.innerHTML = `<h3>Evidence: ${escapeHtml(r.consumer ?? r.asset)}</h3>${evidenceList(r.evidence)}${
      r.evidence.daily ? '<div class="chart" id="evidence-chart"></div>' : ""}`;
    section.dataset.row = String(i);
    if (r.evidence.daily) {
      const days = r.evidence.daily;
      drawChart("evidence-chart", {
        title: { text: "CPU cores a day: used and requested", textStyle: titleStyle },
        tooltip: { trigger: "axis" },
        legend: { bottom: 0 },
        grid: { left: 48, right: 16 },
        xAxis: { type: "category", data: days.map((d) => d.date) },
        yAxis: { type: "value" },
        series: [
          { name: "used", type: "line", data: days.map((d) => Number(d.cpu_used)) },
          { name: "requested", type: "line", data: days.map((d) => Number(d.cpu_requested)) },
        ],
      });
    }
  };
  root.querySelectorAll<HTMLTableRowElement>("tr.recommendation").forEach((tr) =>
    tr.addEventListener("click", () => open(Number(tr.dataset.row))),
  );
}
