// Allocation explorer: owners, then one owner's daily cost by resource and its consumers and
// resources, with a CSV download of exactly the rows shown.
import { api, Series, Showback, ShowbackRow } from "./api";
import { disposeCharts, drawChart, titleStyle } from "./charts";
import { axisMoney, escapeHtml, formatMoney, formatPercent } from "./format";
import { periodQuery } from "./period";
import { emptyState, NO_ALLOCATIONS } from "./states";

// The CSV shown for download; the previous one is released when the page is drawn again.
let csvUrl = "";

function csv(rows: ShowbackRow[], columns: string[]): string {
  const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [columns.join(","), ...rows.map((r) => columns.map((c) => cell(r[c] ?? "")).join(","))].join("\n");
}

async function renderOwners(root: HTMLElement, q: string): Promise<void> {
  const data = await api<Showback>(`/api/v1/showback?by=owner${q}`);
  if (data.rows.length === 0) {
    root.innerHTML = NO_ALLOCATIONS;
    return;
  }
  const total = Number(data.total);
  const rows = [...data.rows].sort((a, b) => Number(b.cost) - Number(a.cost));
  root.innerHTML = `<h2>Allocation by owner</h2>
    <p class="muted">Total ${formatMoney(data.total)}. Pick an owner to see its consumers and resources.
      <code>__idle__</code> is capacity nobody requested; <code>__unallocated__</code> is cost that
      matched no asset and no owner rule.</p>
    <table data-testid="owners"><thead><tr><th>Owner</th><th class="num">Cost</th><th class="num">Share</th>
      <th class="bar-cell"></th></tr></thead><tbody>
      ${rows
        .map(
          (r) => `<tr><td><a href="#/explorer/${encodeURIComponent(r.owner)}">${escapeHtml(r.owner)}</a></td>
            <td class="num">${formatMoney(r.cost)}</td>
            <td class="num">${formatPercent(Number(r.cost), total)}</td>
            <td class="bar-cell"><span class="bar" style="width:${total ? (100 * Number(r.cost)) / total : 0}%"></span></td></tr>`,
        )
        .join("")}</tbody></table>`;
}

async function renderOwner(root: HTMLElement, owner: string, q: string): Promise<void> {
  const [owners, detail, daily] = await Promise.all([
    api<Showback>(`/api/v1/showback?by=owner${q}`),
    api<Showback>(`/api/v1/showback?by=owner,consumer,resource,kind${q}`),
    api<Series>(`/api/v1/showback?by=owner,resource&step=1d${q}`),
  ]);
  const rows = detail.rows
    .filter((r) => r.owner === owner)
    .sort((a, b) => Number(b.cost) - Number(a.cost));
  // The owner's exact total from the API, not a sum of numbers rounded here.
  const total = owners.rows.find((r) => r.owner === owner)?.cost ?? "0";
  const columns = ["consumer", "resource", "kind", "cost"];
  if (csvUrl) URL.revokeObjectURL(csvUrl);
  csvUrl = URL.createObjectURL(new Blob([csv(rows, columns)], { type: "text/csv" }));
  const href = csvUrl;
  const series = daily.series.filter((s) => s.key.owner === owner);
  const days = [...new Set(daily.series.flatMap((s) => s.points.map((p) => p[0].slice(0, 10))))].sort();
  root.innerHTML = `<h2><a href="#/explorer">Owners</a> / ${escapeHtml(owner)}</h2>
    <p>Total <strong data-testid="owner-total">${formatMoney(total)}</strong>
      · ${rows.length} consumer-resource rows
      · <a download="${escapeHtml(owner)}.csv" href="${href}" data-testid="csv">Download CSV</a></p>
    ${
      rows.length === 0
        ? emptyState("No allocated cost for this owner in the period", "Pick another period or owner.")
        : `<div class="chart wide" id="owner-trend"></div>
    <table data-testid="consumers"><thead><tr><th>Consumer</th><th>Resource</th><th>Kind</th>
      <th class="num">Cost</th></tr></thead>
    <tbody>${rows
      .map(
        (r) => `<tr><td>${escapeHtml(r.consumer)}</td><td>${escapeHtml(r.resource || "–")}</td>
          <td><span class="kind ${escapeHtml(r.kind)}">${escapeHtml(r.kind)}</span></td>
          <td class="num">${formatMoney(r.cost)}</td></tr>`,
      )
      .join("")}</tbody></table>`
    }`;
  if (rows.length === 0) return;
  drawChart("owner-trend", {
    title: { text: `Daily cost of ${owner} by resource`, textStyle: titleStyle },
    tooltip: { trigger: "axis", valueFormatter: (v: number) => formatMoney(v) },
    legend: { bottom: 0 },
    grid: { left: 56, right: 16 },
    xAxis: { type: "category", data: days },
    yAxis: { type: "value", axisLabel: { formatter: axisMoney } },
    series: series.map((s) => ({
      name: s.key.resource || "(none)",
      type: "bar",
      stack: "cost",
      data: days.map((d) => Number(s.points.find((p) => p[0].startsWith(d))?.[1] ?? 0)),
    })),
  });
}

export async function renderExplorer(root: HTMLElement, owner: string): Promise<void> {
  disposeCharts();
  const q = periodQuery();
  return owner ? renderOwner(root, owner, q) : renderOwners(root, q);
}
