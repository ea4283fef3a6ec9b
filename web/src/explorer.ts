// Allocation explorer: allocated cost grouped by owner, namespace, controller, consumer or a
// label, with filters, a custom date range, comparison with the previous period, sortable
// columns, search, request vs usage efficiency, and a URL that holds the whole view. An owner
// drills down to its daily cost by resource and its consumers, with a CSV of the rows shown.
import { api, apiIfAllowed, Series, Showback, ShowbackRow } from "./api";
import { disposeCharts, drawChart, titleStyle } from "./charts";
import { axisMoney, escapeHtml, formatAmount, formatMoney, formatPercent } from "./format";
import {
  Column, dateOf, filterChips, searchRows, sortRows, tableHtml, timeOf, wireFilters, wireSorting,
} from "./grid";
import { previousWindow, viewWindow, windowQuery } from "./period";
import { COST_TERMS, emptyState, NO_ALLOCATIONS } from "./states";
import { routeHref, updateView } from "./view";

const GROUPS = ["owner", "namespace", "controller", "consumer", "asset", "service", "class"];
// Keys the usage API groups by too, so their rows can show request, usage and efficiency.
const usageKey = (k: string) => ["namespace", "controller", "consumer", "asset"].includes(k) || k.startsWith("label.");

interface Usage {
  request: number;
  usage: number;
}

interface Row {
  key: string;
  cost: number;
  exact: string; // the API's decimal text
  estimated: number;
  previous: number | null;
  cpu?: Usage;
  memory?: Usage;
}

// The CSV shown for download; the previous one is released when the page is drawn again.
let csvUrl = "";

function csv(rows: ShowbackRow[], columns: string[]): string {
  const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [columns.join(","), ...rows.map((r) => columns.map((c) => cell(r[c] ?? "")).join(","))].join("\n");
}

interface UsageAnswer {
  rows: Record<string, string>[];
}

// request and usage per group key and resource, from /api/v1/usage, with the view's filters
// applied here (the usage API has none); null when a filter's key is not a usage key, or the
// caller may not read usage.
async function usageByKey(by: string, where: string[], q: string): Promise<[Map<string, Usage>, Map<string, Usage>] | null> {
  const filterKeys = where.map((w) => w.split("=")[0]);
  if (!usageKey(by) || !filterKeys.every(usageKey)) return null;
  const keys = [...new Set([by, ...filterKeys])];
  // Usage is the platform's: a token scoped to owners may not read it, and sees cost alone.
  const answer = await apiIfAllowed<UsageAnswer>(`/api/v1/usage?by=${keys.join(",")}&limit=100000${q}`);
  if (answer === null) return null;
  const cpu = new Map<string, Usage>();
  const memory = new Map<string, Usage>();
  for (const r of answer.rows) {
    const kept = where.every((w) => {
      const [key, ...value] = w.split("=");
      return value.join("=").split(",").includes(r[key] ?? "");
    });
    if (!kept || (r.resource !== "cpu" && r.resource !== "memory")) continue;
    const into = r.resource === "cpu" ? cpu : memory;
    const sum = into.get(r[by]) ?? { request: 0, usage: 0 };
    sum.request += Number(r.request);
    sum.usage += Number(r.usage);
    into.set(r[by], sum);
  }
  return [cpu, memory];
}

const efficiency = (u?: Usage) =>
  u && u.request > 0 ? formatPercent(u.usage, u.request) : "–";

function toolbar(by: string, params: URLSearchParams, from: string, to: string): string {
  const label = by.startsWith("label.") ? by.slice(6) : "";
  const options = [...GROUPS, "label"]
    .map((g) => `<option value="${g}" ${(label ? "label" : by) === g ? "selected" : ""}>${g}</option>`)
    .join("");
  return `<form class="toolbar" id="view-form" data-testid="toolbar">
      <label>Group by <select name="by" data-testid="group-by">${options}</select></label>
      <input name="label" data-testid="label-key" placeholder="label key, e.g. team" value="${escapeHtml(label)}"
        ${label ? "" : "hidden"}>
      <label>From <input type="date" name="from" data-testid="from" value="${from}"></label>
      <label>To <input type="date" name="to" data-testid="to" value="${to}"></label>
      <label><input type="checkbox" name="compare" data-testid="compare" ${params.get("compare") ? "checked" : ""}>
        Compare with the previous period</label>
      <input type="search" name="q" data-testid="search" placeholder="Search" value="${escapeHtml(params.get("q") ?? "")}">
      <button type="submit" data-testid="apply">Apply</button>
    </form>
    <form class="toolbar filters" id="filter-form">
      ${filterChips(params)}
      <select name="key" data-testid="filter-key">${[...GROUPS, "label.team"].map((g) => `<option>${g}</option>`).join("")}</select>
      <input name="value" data-testid="filter-value" placeholder="value (a,b for either)">
      <button type="submit" data-testid="add-filter">Add filter</button>
    </form>`;
}

function wireToolbar(root: HTMLElement, params: URLSearchParams): void {
  const form = root.querySelector<HTMLFormElement>("#view-form")!;
  const group = form.elements.namedItem("by") as HTMLSelectElement;
  const label = form.elements.namedItem("label") as HTMLInputElement;
  group.addEventListener("change", () => (label.hidden = group.value !== "label"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const v = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
    const by = group.value === "label" ? `label.${label.value.trim() || "team"}` : group.value;
    updateView({
      by,
      from: v("from") ? timeOf(v("from")) : null,
      to: v("to") ? timeOf(v("to"), true) : null,
      compare: (form.elements.namedItem("compare") as HTMLInputElement).checked ? "1" : null,
      q: v("q").trim() || null,
    });
  });
  wireFilters(root, root.querySelector<HTMLFormElement>("#filter-form")!, params);
  wireSorting(root, params, "cost");
}

async function renderGroups(root: HTMLElement, params: URLSearchParams): Promise<void> {
  const by = params.get("by") ?? "owner";
  const where = params.getAll("where");
  const w = viewWindow(params);
  const filter = where.map((x) => `&where=${encodeURIComponent(x)}`).join("");
  const compare = params.get("compare") === "1" && w !== null;
  const [data, previous, usage] = await Promise.all([
    api<Showback>(`/api/v1/showback?by=${encodeURIComponent(by)}&limit=100000${filter}${windowQuery(w)}`),
    compare ? api<Showback>(`/api/v1/showback?by=${encodeURIComponent(by)}&limit=100000${filter}${windowQuery(previousWindow(w!))}`) : null,
    usageByKey(by, where, windowQuery(w)),
  ]);
  const before = new Map((previous?.rows ?? []).map((r) => [r[by], r.cost]));
  const keys = new Set([...data.rows.map((r) => r[by]), ...before.keys()]);
  const current = new Map(data.rows.map((r) => [r[by], r]));
  let rows: Row[] = [...keys].map((key) => {
    const r = current.get(key);
    return {
      key,
      cost: Number(r?.cost ?? 0),
      exact: r?.cost ?? "0",
      estimated: Number(r?.estimated ?? 0),
      previous: compare ? Number(before.get(key) ?? 0) : null,
      cpu: usage?.[0].get(key),
      memory: usage?.[1].get(key),
    };
  });
  rows = searchRows(rows, params, (r) => r.key);
  const total = Number(data.total);
  const estimated = Number(data.estimated ?? 0);
  const columns: Column<Row>[] = [
    {
      key: "key", label: by, sort: (r) => r.key,
      cell: (r) => by === "owner"
        ? `<a href="${routeHref("explorer", r.key, new URLSearchParams(windowParams(params)))}">${escapeHtml(r.key)}</a>`
        : escapeHtml(r.key || "(none)"),
    },
    { key: "cost", label: "Cost", num: true, sort: (r) => r.cost, cell: (r) => formatMoney(r.exact) },
  ];
  if (estimated !== 0) {
    columns.push({ key: "estimated", label: "Estimated", num: true, sort: (r) => r.estimated,
                   cell: (r) => (r.estimated ? `<span class="estimated">${formatMoney(r.estimated)}</span>` : "–") });
  }
  columns.push({ key: "share", label: "Share", num: true, sort: (r) => r.cost, cell: (r) => formatPercent(r.cost, total) });
  if (compare) {
    columns.push(
      { key: "previous", label: "Previous period", num: true, sort: (r) => r.previous ?? 0, cell: (r) => formatMoney(r.previous ?? 0) },
      { key: "change", label: "Change", num: true, sort: (r) => r.cost - (r.previous ?? 0),
        cell: (r) => change(r.cost, r.previous ?? 0) },
    );
  }
  if (usage) {
    columns.push(
      { key: "cpu_request", label: "CPU requested", num: true, sort: (r) => r.cpu?.request ?? 0,
        cell: (r) => (r.cpu ? formatAmount(r.cpu.request, "core-h") : "–") },
      { key: "cpu_usage", label: "CPU used", num: true, sort: (r) => r.cpu?.usage ?? 0,
        cell: (r) => (r.cpu ? formatAmount(r.cpu.usage, "core-h") : "–") },
      { key: "cpu_efficiency", label: "CPU efficiency", num: true,
        sort: (r) => (r.cpu?.request ? r.cpu.usage / r.cpu.request : -1), cell: (r) => efficiency(r.cpu) },
      { key: "memory_efficiency", label: "Memory efficiency", num: true,
        sort: (r) => (r.memory?.request ? r.memory.usage / r.memory.request : -1), cell: (r) => efficiency(r.memory) },
    );
  }
  const sorted = sortRows(rows, columns, params, "cost");
  const previousTotal = previous ? Number(previous.total) : 0;
  const foot = `<tfoot><tr><td>Total</td><td class="num" data-testid="total">${formatMoney(data.total)}</td>
    ${estimated !== 0 ? `<td class="num">${formatMoney(data.estimated!)}</td>` : ""}<td></td>
    ${compare ? `<td class="num" data-testid="previous-total">${formatMoney(previous!.total)}</td><td class="num">${change(total, previousTotal)}</td>` : ""}
    ${usage ? "<td></td><td></td><td></td><td></td>" : ""}</tr></tfoot>`;
  root.innerHTML = `<h2>Allocation by ${escapeHtml(by)}</h2>
    ${toolbar(by, params, w ? dateOf(w.from) : "", w ? dateOf(w.to, true) : "")}
    <p class="muted" data-testid="window">${w ? `${dateOf(w.from)} to ${dateOf(w.to, true)}` : "All data"}
      ${compare ? ` · compared with ${dateOf(previousWindow(w!).from)} to ${dateOf(previousWindow(w!).to, true)}` : ""}
      · ${sorted.length} rows${estimated !== 0 ? ` · <span class="estimated">${formatMoney(data.estimated!)} estimated</span>` : ""}
      ${usage ? "" : " · request and usage columns show for namespace, controller, consumer, asset and label views"}</p>
    ${data.rows.length === 0 && !compare ? emptyState("No allocated cost in this view", "Widen the dates or remove a filter.")
      : tableHtml("groups", columns, sorted, params, "cost", foot)}
    ${COST_TERMS}`;
  wireToolbar(root, params);
}

// The window of the view as URL parameters, so a drill-down keeps it.
function windowParams(params: URLSearchParams): Record<string, string> {
  const from = params.get("from"), to = params.get("to");
  return from && to ? { from, to } : {};
}

function change(now: number, before: number): string {
  const diff = now - before;
  const sign = diff > 0 ? "+" : diff < 0 ? "−" : "";
  const pct = before !== 0 ? ` (${sign}${Math.abs((100 * diff) / before).toFixed(1)} %)` : "";
  return `<span class="${diff > 0 ? "up" : diff < 0 ? "down" : ""}">${sign}${formatMoney(Math.abs(diff))}${pct}</span>`;
}

async function renderOwner(root: HTMLElement, owner: string, params: URLSearchParams): Promise<void> {
  const q = windowQuery(viewWindow(params));
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
  root.innerHTML = `<h2><a href="${routeHref("explorer", "", new URLSearchParams(windowParams(params)))}">Owners</a> / ${escapeHtml(owner)}</h2>
    <p>Total <strong data-testid="owner-total">${formatMoney(total)}</strong>
      · ${rows.length} consumer-resource rows
      · <a download="${escapeHtml(owner)}.csv" href="${href}" data-testid="csv">Download CSV</a></p>
    ${
      rows.length === 0
        ? emptyState("No allocated cost for this owner in the period", "Pick another period or owner.")
        : `<div class="chart wide" id="owner-trend"></div>
    <div class="table-wrap"><table data-testid="consumers"><thead><tr><th>Consumer</th><th>Resource</th><th>Kind</th>
      <th class="num">Cost</th></tr></thead>
    <tbody>${rows
      .map(
        (r) => `<tr><td>${escapeHtml(r.consumer)}</td><td>${escapeHtml(r.resource || "–")}</td>
          <td><span class="kind ${escapeHtml(r.kind)}">${escapeHtml(r.kind)}</span></td>
          <td class="num">${formatMoney(r.cost)}</td></tr>`,
      )
      .join("")}</tbody></table></div>`
    }
    ${COST_TERMS}`;
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

export async function renderExplorer(root: HTMLElement, owner: string, params: URLSearchParams): Promise<void> {
  disposeCharts();
  if (owner) return renderOwner(root, owner, params);
  const probe = await api<Showback>("/api/v1/showback?by=kind");
  if (probe.rows.length === 0) {
    root.innerHTML = NO_ALLOCATIONS;
    return;
  }
  return renderGroups(root, params);
}
