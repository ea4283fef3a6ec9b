// Tables both explorers draw the same way: sortable columns (the sort is part of the view, so a
// link keeps it), a search over the row keys, and the toolbar's filter chips.
import { escapeHtml } from "./format";
import { updateView } from "./view";

export interface Column<R> {
  key: string;
  label: string;
  num?: boolean;
  sort: (r: R) => string | number; // what the column sorts by
  cell: (r: R) => string; // its HTML
}

// The rows in the view's order: sort=<column key>, dir=asc|desc (default: `fallback`, desc).
export function sortRows<R>(rows: R[], columns: Column<R>[], params: URLSearchParams, fallback: string): R[] {
  const column = columns.find((c) => c.key === (params.get("sort") ?? fallback)) ?? columns[0];
  const sign = (params.get("dir") ?? "desc") === "asc" ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = column.sort(a), y = column.sort(b);
    return sign * (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y)));
  });
}

// The rows whose `text` holds the view's search (q), ignoring case.
export function searchRows<R>(rows: R[], params: URLSearchParams, text: (r: R) => string): R[] {
  const q = (params.get("q") ?? "").trim().toLowerCase();
  return q ? rows.filter((r) => text(r).toLowerCase().includes(q)) : rows;
}

export function tableHtml<R>(testid: string, columns: Column<R>[], rows: R[], params: URLSearchParams,
                             fallback: string, foot = ""): string {
  const sorted = params.get("sort") ?? fallback;
  const dir = params.get("dir") ?? "desc";
  const head = columns
    .map((c) => {
      const arrow = c.key === sorted ? (dir === "asc" ? " ▲" : " ▼") : "";
      return `<th class="${c.num ? "num " : ""}sortable" data-sort="${c.key}" title="Sort by ${escapeHtml(c.label)}">${escapeHtml(c.label)}${arrow}</th>`;
    })
    .join("");
  const body = rows
    .map((r) => `<tr>${columns.map((c) => `<td${c.num ? ' class="num"' : ""} data-col="${c.key}">${c.cell(r)}</td>`).join("")}</tr>`)
    .join("");
  return `<div class="table-wrap"><table data-testid="${testid}"><thead><tr>${head}</tr></thead>
    <tbody>${body}</tbody>${foot}</table></div>`;
}

// Clicking a header sorts by it; clicking it again reverses the order.
export function wireSorting(root: HTMLElement, params: URLSearchParams, fallback: string): void {
  for (const th of root.querySelectorAll<HTMLElement>("th[data-sort]")) {
    th.addEventListener("click", () => {
      const key = th.dataset.sort!;
      const same = (params.get("sort") ?? fallback) === key;
      const dir = same && (params.get("dir") ?? "desc") === "desc" ? "asc" : "desc";
      updateView({ sort: key, dir });
    });
  }
}

// The view's filters (where=KEY=VALUE, repeated) as chips, each with a remove button.
export function filterChips(params: URLSearchParams): string {
  return params
    .getAll("where")
    .map((w, i) => {
      const [key, ...value] = w.split("=");
      return `<span class="chip" data-testid="filter">${escapeHtml(key)} = ${escapeHtml(value.join("=") || "(none)")}
        <button type="button" data-remove-filter="${i}" title="Remove this filter">×</button></span>`;
    })
    .join("");
}

// The form that adds a filter (a "key" select and a "value" input), and the chips' remove
// buttons.
export function wireFilters(root: HTMLElement, form: HTMLFormElement, params: URLSearchParams): void {
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const key = (form.elements.namedItem("key") as HTMLSelectElement).value;
    const value = (form.elements.namedItem("value") as HTMLInputElement).value.trim();
    updateView({ where: [...params.getAll("where"), `${key}=${value}`] });
  });
  wireFilterChips(root, params);
}

function wireFilterChips(root: HTMLElement, params: URLSearchParams): void {
  for (const b of root.querySelectorAll<HTMLElement>("[data-remove-filter]")) {
    b.addEventListener("click", () => {
      const rest = params.getAll("where").filter((_, i) => String(i) !== b.dataset.removeFilter);
      updateView({ where: rest });
    });
  }
}

// "2026-05-03T00:00:00Z" as the date input shows it, and back; `to` is exclusive, the input's
// last day inclusive.
export function dateOf(t: string, end = false): string {
  return new Date(Date.parse(t) - (end ? 86_400_000 : 0)).toISOString().slice(0, 10);
}
export function timeOf(date: string, end = false): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + (end ? 86_400_000 : 0)).toISOString().replace(".000Z", "Z");
}
