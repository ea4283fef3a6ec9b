// One way to show numbers everywhere: money in USD with cents, amounts with their unit, shares
// in percent, times in UTC as the API gives them.
const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const amount = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

// The API sends exact decimal strings; the page shows them rounded to cents.
export function formatMoney(exact: string | number): string {
  return money.format(Number(exact));
}

export function formatAmount(exact: string | number, unit: string): string {
  return `${amount.format(Number(exact))} ${unit}`;
}

export function formatPercent(part: number, whole: number): string {
  return whole === 0 ? "–" : `${((100 * part) / whole).toFixed(1)} %`;
}

// A ratio the API computed ("0.4821"), or "" when it has no denominator.
export function formatRatio(ratio: string | undefined): string {
  return ratio ? `${(100 * Number(ratio)).toFixed(1)} %` : "–";
}

// "2026-05-01T13:00:00Z" -> "2026-05-01 13:00 UTC"
export function formatHour(t: string | null): string {
  return t ? `${t.slice(0, 10)} ${t.slice(11, 16)} UTC` : "–";
}

// How long ago, from the browser's clock: "3 h ago", "2 d ago".
export function formatAge(t: string | null, now = Date.now()): string {
  if (!t) return "never";
  const minutes = Math.max(0, Math.round((now - Date.parse(t)) / 60_000));
  if (minutes < 60) return `${minutes} min ago`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h ago`;
  return `${Math.round(minutes / 1440)} d ago`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

// The money axis labels of every chart.
export function axisMoney(v: number): string {
  return v >= 1000 ? `$${(v / 1000).toFixed(v >= 10000 ? 0 : 1)}k` : `$${v}`;
}
