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

// What the special owners and kinds of cost mean, shown beside the tables that hold them.
export const COST_TERMS = `<details class="terms" data-testid="terms"><summary>What idle, shared, unallocated and
  estimated cost mean</summary><dl>
  <dt><code>__idle__</code> (idle)</dt><dd>Capacity paid for that no workload requested or used. It stays
    with the asset's owner when a rule names one.</dd>
  <dt>shared</dt><dd>Cost a shared-cost stage of tally.yaml moved from a pool (e.g. the platform's
    namespaces) to the owners that benefit, in proportion, evenly or by fixed percentages.</dd>
  <dt><code>__unallocated__</code></dt><dd>Bill lines that name no asset tally knows: support, tax, SaaS,
    a managed service without telemetry. Owned through their tags when a rule matches.</dd>
  <dt>estimated</dt><dd>Cost of nodes and volumes no bill line names, priced at instance or reference
    prices until a bill arrives. Never added to the billed total in the reconciliation.</dd>
</dl></details>`;

export function notFoundState(route: string): string {
  return `<div class="state" data-testid="not-found"><h3>Page not found</h3>
    <p>There is no page <code>${escapeHtml(route)}</code>. Go to the <a href="#/overview">overview</a>,
    the <a href="#/costs">bill explorer</a> or the <a href="#/explorer">allocation explorer</a>.</p></div>`;
}

// Sign-in (tally serve --auth required): a token from `tally tokens create`, or an OIDC JWT.
export function signInState(message: string): string {
  return `<div class="state" data-testid="sign-in"><h3>Sign in to tally</h3>
    <p>This server needs a token: ask an admin for one (<code>tally tokens create</code>) or paste
    your identity provider's token. It is kept in this tab's memory only.</p>
    <form id="sign-in-form"><input id="token" type="password" autocomplete="off"
      placeholder="tly_..." aria-label="token" required />
      <button type="submit">Sign in</button></form>
    ${message ? `<p class="error" data-testid="sign-in-error">${escapeHtml(message)}</p>` : ""}</div>`;
}

export function forbiddenState(message: string): string {
  return `<div class="state" data-testid="forbidden"><h3>Not for your token</h3>
    <p>${escapeHtml(message)}</p><p>Pages within your role and owners are in the menu; an admin can
    give you a token with more (<code>tally tokens create --role ... --owner ...</code>).</p></div>`;
}
