// Data sources: each usage source's complete hours, freshness and last error; recent ingests.
import { api } from "./api";
import { escapeHtml } from "./format";

interface Sources {
  usage: { name: string; complete_hours: number; last_hour: string | null; last_run: string | null; last_error: string }[];
  ingests: { id: number; format: string; committed_at: string; files: number; rows: number; problems: number }[];
}

export async function renderSources(root: HTMLElement): Promise<void> {
  const data = await api<Sources>("/api/v1/sources");
  root.innerHTML = `<h2>Usage sources</h2>
    <table data-testid="sources"><thead><tr><th>Source</th><th class="num">Complete hours</th>
      <th>Newest hour</th><th>Last run</th><th>Last error</th></tr></thead><tbody>
    ${data.usage
      .map(
        (s) => `<tr><td>${escapeHtml(s.name)}</td><td class="num">${s.complete_hours}</td>
          <td>${s.last_hour ?? "–"}</td><td>${s.last_run ?? "–"}</td>
          <td class="${s.last_error ? "error" : ""}">${escapeHtml(s.last_error || "none")}</td></tr>`,
      )
      .join("")}</tbody></table>
    <h2>Bill ingests</h2>
    <table><thead><tr><th>Run</th><th>Format</th><th>Committed</th><th class="num">Files</th>
      <th class="num">Rows</th><th class="num">Problems</th></tr></thead><tbody>
    ${data.ingests
      .map(
        (r) => `<tr><td>${r.id}</td><td>${escapeHtml(r.format)}</td><td>${r.committed_at}</td>
          <td class="num">${r.files}</td><td class="num">${r.rows}</td><td class="num">${r.problems}</td></tr>`,
      )
      .join("")}</tbody></table>`;
}
