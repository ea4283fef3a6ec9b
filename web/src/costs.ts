// Bill explorer: the bill's cost by provider, service, account, region or tag over time, from
// /api/v1/costs, currency-aware (every row and total names its currency; the chart shows the
// largest one), with the metric, step, filters, date range, sort and search in the URL.
import { api, CostAnswer } from "./api";
import { disposeCharts, drawChart, titleStyle } from "./charts";
import { axisMoney, escapeHtml, formatPercent } from "./format";
import { Column, dateOf, filterChips, searchRows, sortRows, tableHtml, timeOf, wireFilters, wireSorting } from "./grid";
import { viewWindow, windowQuery } from "./period";
import { emptyState } from "./states";
import { updateView } from "./view";

const DIMENSIONS = ["ProviderName", "ServiceName", "ServiceCategory", "BillingAccountId", "SubAccountName",
                    "RegionId", "ChargeCategory", "ResourceId"];
const METRICS = ["EffectiveCost", "BilledCost", "ListCost", "ContractedCost"];
const STEPS = ["day", "month", "hour"];
const TOP = 8;

// Money in its own currency: "€12.50", "CA$3.00", or "12.50 XYZ" for a code Intl does not know.
export function formatIn(currency: string, value: string | number): string {
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency: currency || "USD" }).format(Number(value));
  } catch {
    return `${Number(value).toFixed(2)} ${currency}`;
  }
}

interface Row {
  key: string;
  currency: string;
  cost: number;
  exact: string;
}

function options(values: string[], selected: string): string {
  return values.map((v) => `<option ${v === selected ? "selected" : ""}>${v}</option>`).join("");
}

export async function renderCosts(root: HTMLElement, _arg: string, params: URLSearchParams): Promise<void> {
  disposeCharts();
  const by = params.get("by") ?? "ServiceName";
  const metric = params.get("metric") ?? "EffectiveCost";
  const step = params.get("step") ?? "day";
  const w = viewWindow(params);
  const where = params.getAll("where").map((x) => `&where=${encodeURIComponent(x)}`).join("");
  const base = `/api/v1/costs?by=${encodeURIComponent(by)},BillingCurrency&metric=${metric}${where}${windowQuery(w)}`;
  const [table, series] = await Promise.all([
    api<CostAnswer>(`${base}&limit=100000`),
    api<CostAnswer>(`${base}&step=${step}&limit=100000`),
  ]);
  const currencies = Object.keys(table.totals);
  // The chart's currency: the one with the most cost.
  const main = [...currencies].sort((a, b) => Number(table.totals[b]) - Number(table.totals[a]))[0] ?? "";
  const shareOf = (r: Row) => formatPercent(r.cost, Number(table.totals[r.currency || "(none)"] ?? 0));
  let rows: Row[] = table.rows.map((r) => ({
    key: r[by] ?? "(null)",
    currency: r.BillingCurrency ?? "",
    cost: Number(r[metric]),
    exact: r[metric] ?? "0",
  }));
  rows = searchRows(rows, params, (r) => `${r.key} ${r.currency}`);
  const columns: Column<Row>[] = [
    { key: "key", label: by, sort: (r) => r.key, cell: (r) => escapeHtml(r.key) },
    { key: "currency", label: "Currency", sort: (r) => r.currency, cell: (r) => escapeHtml(r.currency || "(none)") },
    { key: "cost", label: metric, num: true, sort: (r) => r.cost, cell: (r) => formatIn(r.currency, r.exact) },
    { key: "share", label: "Share of its currency", num: true, sort: (r) => r.cost, cell: shareOf },
  ];
  const sorted = sortRows(rows, columns, params, "cost");
  const totals = currencies
    .map((c) => `<div class="card"><div class="label">${metric}, ${escapeHtml(c)}</div>
      <div class="value" data-testid="total-${escapeHtml(c)}">${formatIn(c === "(none)" ? "" : c, table.totals[c])}</div></div>`)
    .join("");
  root.innerHTML = `<h2>Bill explorer</h2>
    <form class="toolbar" id="costs-form" data-testid="costs-toolbar">
      <label>Group by <select name="by" data-testid="costs-by">${options(DIMENSIONS.includes(by) ? DIMENSIONS : [...DIMENSIONS, by], by)}</select></label>
      <input name="tag" data-testid="costs-tag" placeholder="or a tag key, e.g. team" value="${by.startsWith("Tags.") ? escapeHtml(by.slice(5)) : ""}">
      <label>Metric <select name="metric" data-testid="costs-metric">${options(METRICS, metric)}</select></label>
      <label>Step <select name="step" data-testid="costs-step">${options(STEPS, step)}</select></label>
      <label>From <input type="date" name="from" data-testid="costs-from" value="${w ? dateOf(w.from) : ""}"></label>
      <label>To <input type="date" name="to" data-testid="costs-to" value="${w ? dateOf(w.to, true) : ""}"></label>
      <input type="search" name="q" data-testid="costs-search" placeholder="Search" value="${escapeHtml(params.get("q") ?? "")}">
      <button type="submit" data-testid="costs-apply">Apply</button>
    </form>
    <form class="toolbar filters" id="costs-filter">
      ${filterChips(params)}
      <select name="key" data-testid="costs-filter-key">${options(DIMENSIONS, "ServiceCategory")}</select>
      <input name="value" data-testid="costs-filter-value" placeholder="value (a,b for either)">
      <button type="submit" data-testid="costs-add-filter">Add filter</button>
    </form>
    ${table.warnings.map((x) => `<p class="warning">${escapeHtml(x)}</p>`).join("")}
    ${table.rows.length === 0
      ? emptyState("No bill lines in this view", "Widen the dates, remove a filter, or ingest a bill: <code>tally ingest auto DIR</code>.")
      : `<section class="cards" data-testid="costs-totals">${totals}</section>
         <div class="chart wide" id="costs-trend"></div>
         ${tableHtml("costs", columns, sorted, params, "cost")}`}`;
  wire(root, params);
  if (table.rows.length === 0) return;
  // The top groups of the chart's currency, per period; the rest as "other".
  const inMain = series.rows.filter((r) => (r.BillingCurrency ?? "") === (main === "(none)" ? "" : main));
  const byGroup = new Map<string, number>();
  for (const r of inMain) byGroup.set(r[by] ?? "(null)", (byGroup.get(r[by] ?? "(null)") ?? 0) + Number(r[metric]));
  const top = [...byGroup.entries()].sort((a, b) => b[1] - a[1]).slice(0, TOP).map(([k]) => k);
  const periods = [...new Set(inMain.map((r) => r.period ?? ""))].sort();
  const value = (group: string | null, period: string) =>
    inMain
      .filter((r) => r.period === period && (group === null ? !top.includes(r[by] ?? "(null)") : (r[by] ?? "(null)") === group))
      .reduce((s, r) => s + Number(r[metric]), 0);
  const groups: (string | null)[] = byGroup.size > TOP ? [...top, null] : top;
  drawChart("costs-trend", {
    title: { text: `${metric} by ${by} per ${step}${currencies.length > 1 ? `, in ${main}` : ""}`, textStyle: titleStyle },
    tooltip: { trigger: "axis", valueFormatter: (v: number) => formatIn(main === "(none)" ? "" : main, v) },
    legend: { bottom: 0, type: "scroll" },
    grid: { left: 56, right: 16 },
    xAxis: { type: "category", data: periods.map((p) => (step === "hour" ? p.slice(0, 16) : p.slice(0, 10))) },
    yAxis: { type: "value", axisLabel: { formatter: axisMoney } },
    series: groups.map((g) => ({ name: g ?? "other", type: "bar", stack: "cost", data: periods.map((p) => value(g, p)) })),
  });
}

function wire(root: HTMLElement, params: URLSearchParams): void {
  const form = root.querySelector<HTMLFormElement>("#costs-form")!;
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const v = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value.trim();
    updateView({
      by: v("tag") ? `Tags.${v("tag")}` : v("by"),
      metric: v("metric"),
      step: v("step"),
      from: v("from") ? timeOf(v("from")) : null,
      to: v("to") ? timeOf(v("to"), true) : null,
      q: v("q") || null,
    });
  });
  wireFilters(root, root.querySelector<HTMLFormElement>("#costs-filter")!, params);
  wireSorting(root, params, "cost");
}
