// Data sources: the data's window, each usage source's health (complete hours, freshness, last
// run and error), and the recent bill ingests.
import { api, Sources } from "./api";
import { disposeCharts } from "./charts";
import { escapeHtml, formatAge, formatHour } from "./format";
import { emptyState } from "./states";

const count = new Intl.NumberFormat("en-US");

// Health is the last run's outcome; how fresh the data is shows beside it, since a nightly CSV
// and a Prometheus collected every 5 minutes are fresh on different scales.
function health(s: Sources["usage"][number]): [string, string] {
  if (s.last_error) return ["error", "error"];
  if (!s.last_hour) return ["stale", "no complete hour"];
  return ["ok", "ok"];
}

function hourEnd(t: string | null): string | null {
  return t ? new Date(Date.parse(t) + 3_600_000).toISOString() : null;
}

export async function renderSources(root: HTMLElement): Promise<void> {
  const data = await api<Sources>("/api/v1/sources");
  disposeCharts();
  const window = data.window
    ? `<p class="muted" data-testid="window">Data from ${formatHour(data.window.from)} to ${formatHour(data.window.to)}.</p>`
    : "";
  const usage = data.usage.length
    ? `<table data-testid="sources"><thead><tr><th>Source</th><th>Health</th><th class="num">Complete hours</th><th class="num">Rows</th>
      <th>Newest hour</th><th>Last run</th><th>Last error</th></tr></thead><tbody>
    ${data.usage
      .map((s) => {
        const [cls, text] = health(s);
        return `<tr><td>${escapeHtml(s.name)}</td><td><span class="health ${cls}">${text}</span></td>
          <td class="num">${s.complete_hours}</td><td class="num" data-source-rows="${escapeHtml(s.name)}">${count.format(s.facts)}</td>
          <td>${formatHour(s.last_hour)} <span class="muted">(ended ${formatAge(hourEnd(s.last_hour))})</span></td><td title="${s.last_run ?? ""}">${formatAge(s.last_run)}</td>
          <td class="${s.last_error ? "error" : "muted"}">${escapeHtml(s.last_error || "none")}</td></tr>`;
      })
      .join("")}</tbody></table>`
    : emptyState(
        "No usage sources yet",
        "Usage arrives from <code>tally collect prometheus</code>, Prometheus remote_write to " +
          "<code>/api/v1/write</code>, <code>tally ingest usage-csv</code>, or the sources listed in tally.yaml.",
      );
  const ingests = data.ingests.length
    ? `<table data-testid="ingests"><thead><tr><th>Run</th><th>Format</th><th>Committed</th><th class="num">Files</th>
      <th class="num">Rows</th><th class="num">Problems</th></tr></thead><tbody>
    ${data.ingests
      .map(
        (r) => `<tr><td>${r.id}</td><td>${escapeHtml(r.format)}</td><td>${formatHour(r.committed_at)}</td>
          <td class="num">${r.files}</td><td class="num">${r.rows}</td>
          <td class="num ${r.problems ? "error" : ""}">${r.problems}</td></tr>`,
      )
      .join("")}</tbody></table>`
    : emptyState("No bills ingested yet", "Run <code>tally ingest focus FILE</code> (or aws-cur, gcp, azure, oci).");
  const a = data.allocation;
  const allocation = a.allocated_hours
    ? `<p data-testid="allocation"><span class="health ${a.dirty_hours ? "stale" : "ok"}">${
        a.dirty_hours ? `${a.dirty_hours} hours to redo` : "current"
      }</span> Allocation: <strong>${a.allocated_hours}</strong> hours allocated, ${formatHour(a.first_hour)} to
      ${formatHour(a.last_hour)}${
        a.dirty_hours
          ? `; their usage or bills changed since, and <code>tally allocate</code> or <code>tally serve</code>
             with a tally.yaml will redo them`
          : ""
      }.</p>`
    : emptyState("Nothing allocated yet", "Run <code>tally allocate</code>, or <code>tally serve --config tally.yaml</code>.");
  root.innerHTML = `${window}<h2>Allocation</h2>${allocation}<h2>Usage sources</h2>${usage}<h2>Bill ingests</h2>${ingests}`;
}
