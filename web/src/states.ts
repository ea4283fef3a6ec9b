// What a page shows when there is nothing to show yet, or when loading failed.
import { escapeHtml } from "./format";

export function emptyState(title: string, hint: string): string {
  return `<div class="state" data-testid="empty"><h3>${escapeHtml(title)}</h3><p>${hint}</p></div>`;
}

export function errorState(message: string): string {
  return `<div class="state error" data-testid="error"><h3>Could not load this page</h3>
    <p>${escapeHtml(message)}</p><button type="button" id="retry">Retry</button></div>`;
}

export const NO_ALLOCATIONS = emptyState(
  "No allocated cost yet",
  "Load a bill (<code>tally ingest focus FILE</code>) and usage (<code>tally collect prometheus</code>, " +
    "<code>tally ingest usage-csv</code>), then <code>tally allocate</code>, or list sources in " +
    "tally.yaml and let <code>tally serve</code> do it. <code>make run</code> loads the demo platform.",
);
