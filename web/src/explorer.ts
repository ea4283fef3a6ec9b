// Allocation explorer: owners, then one owner's consumers and resources, with CSV download.
import { api, Showback } from "./api";
import { escapeHtml, formatMoney } from "./format";

function csv(rows: Record<string, string>[], columns: string[]): string {
  const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [columns.join(","), ...rows.map((r) => columns.map((c) => cell(r[c] ?? "")).join(","))].join("\n");
}

export async function renderExplorer(root: HTMLElement, owner: string): Promise<void> {
  if (!owner) {
    const data = await api<Showback>("/api/v1/showback?by=owner");
    root.innerHTML = `<h2>Allocation by owner</h2>
      <table data-testid="owners"><thead><tr><th>Owner</th><th class="num">Cost</th></tr></thead><tbody>
      ${data.rows
        .map(
          (r) => `<tr><td><a href="#/explorer/${encodeURIComponent(r.owner)}">${escapeHtml(r.owner)}</a></td>
            <td class="num">${formatMoney(r.cost)}</td></tr>`,
        )
        .join("")}</tbody></table>`;
    return;
  }
  const data = await api<Showback>("/api/v1/showback?by=owner,consumer,resource");
  const rows = data.rows.filter((r) => r.owner === owner);
  const total = rows.reduce((sum, r) => sum + Number(r.cost), 0);
  const columns = ["consumer", "resource", "cost"];
  const href = URL.createObjectURL(new Blob([csv(rows, columns)], { type: "text/csv" }));
  root.innerHTML = `<h2><a href="#/explorer">Owners</a> / ${escapeHtml(owner)}</h2>
    <p>Total <strong data-testid="owner-total">${formatMoney(String(total))}</strong>
      · <a download="${escapeHtml(owner)}.csv" href="${href}">Download CSV</a></p>
    ${rows.length === 0 ? `<p class="muted">No allocated cost for this owner.</p>` : ""}
    <table data-testid="consumers"><thead><tr><th>Consumer</th><th>Resource</th><th class="num">Cost</th></tr></thead>
    <tbody>${rows
      .map(
        (r) => `<tr><td>${escapeHtml(r.consumer)}</td><td>${escapeHtml(r.resource || "–")}</td>
          <td class="num">${formatMoney(r.cost)}</td></tr>`,
      )
      .join("")}</tbody></table>`;
}
