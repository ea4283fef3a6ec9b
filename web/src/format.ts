// One way to show numbers everywhere: money in USD with cents, shares in percent.
const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });

// The API sends exact decimal strings; the page shows them rounded to cents.
export function formatMoney(exact: string): string {
  return money.format(Number(exact));
}

export function formatPercent(part: number, whole: number): string {
  return whole === 0 ? "–" : `${((100 * part) / whole).toFixed(1)} %`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}
