// Policies: each policy's plan (what it matches, what it would do and save, what is exempt or
// why it aborted) and what policies did to each target, with Approve and Object for the ones
// waiting (an operator's token; docs/policies.md). Every figure is /api/v1/policies'.
import { api, apiPost } from "./api";
import { disposeCharts } from "./charts";
import { escapeHtml, formatMoney } from "./format";
import { emptyState } from "./states";

interface PlannedAction {
  id: string;
  target_id: string;
  target: string;
  owner: string;
  action: string;
  what: string;
  monthly_savings: string;
}
interface PolicyPlan {
  name: string;
  mode: string;
  resource: string;
  candidates: number;
  matched: number;
  exempt: { target: string; why: string }[];
  aborted: string;
  monthly_savings: string;
  actions: PlannedAction[];
}
interface PolicyTarget {
  id: string;
  policy: string;
  target: string;
  owner: string;
  state: string;
  due_at: string | null;
  decided_by: string;
  monthly_savings: string;
  realization: string; // "", measuring, realized, not realized
  realized_savings: string | null;
}
interface Policies {
  policies: PolicyPlan[];
  monthly_savings: string;
  targets: PolicyTarget[];
}

// What an applied target saved, once an allocation after the change measured it.
function realized(t: PolicyTarget): string {
  if (t.realized_savings !== null) return formatMoney(t.realized_savings);
  return t.realization ? `<span class="muted">${escapeHtml(t.realization)}</span>` : "";
}

export async function renderPolicies(root: HTMLElement): Promise<void> {
  const data = await api<Policies>("/api/v1/policies");
  disposeCharts();
  if (data.policies.length === 0) {
    root.innerHTML = emptyState(
      "No policies",
      "Write policies under <code>policies:</code> in tally.yaml or in a <code>policies/</code> folder " +
        "(docs/policies.md); <code>tally policy plan</code> shows what they would do.",
    );
    return;
  }
  const decide = (t: PolicyTarget) =>
    t.state === "pending"
      ? `<button type="button" data-decide="approve" data-id="${escapeHtml(t.id)}">Approve</button>`
      : t.state === "marked"
        ? `<button type="button" data-decide="object" data-id="${escapeHtml(t.id)}">Object</button>`
        : "";
  root.innerHTML = `
    <section class="cards">
      <div class="card"><div class="label">Planned savings</div>
        <div class="value" data-testid="policy-savings">${formatMoney(data.monthly_savings)}</div>
        <div class="sub">a month, over ${data.policies.length} policies</div></div>
      <div class="card"><div class="label">Waiting</div>
        <div class="value">${data.targets.filter((t) => t.state === "pending" || t.state === "marked").length}</div>
        <div class="sub">pending approval or in a grace period</div></div>
    </section>
    <h2>Plans</h2>
    <table data-testid="policies"><thead><tr><th>Policy</th><th>Mode</th><th>Resource</th>
      <th class="num">Matched</th><th class="num">Exempt</th><th>Actions</th><th class="num">Savings / month</th></tr></thead><tbody>
    ${data.policies
      .map(
        (p) => `<tr><td>${escapeHtml(p.name)}</td><td><span class="kind">${escapeHtml(p.mode)}</span></td>
        <td>${escapeHtml(p.resource)}</td><td class="num">${p.matched} of ${p.candidates}</td>
        <td class="num">${p.exempt.length}</td>
        <td>${p.aborted ? `<strong>aborted</strong>: ${escapeHtml(p.aborted)}` : p.actions.map((a) => escapeHtml(a.what)).join("<br>")}</td>
        <td class="num">${formatMoney(p.monthly_savings)}</td></tr>`,
      )
      .join("")}</tbody></table>
    <h2>Targets</h2>
    ${
      data.targets.length === 0
        ? `<p class="muted">No policy has acted yet (<code>tally policy apply</code>, or <code>tally serve</code> on its schedule).</p>`
        : `<table data-testid="policy-targets"><thead><tr><th>Id</th><th>Policy</th><th>Target</th><th>Owner</th>
      <th>State</th><th>Decided by</th><th class="num">Savings / month</th><th class="num">Realized / month</th><th></th></tr></thead><tbody>
      ${data.targets
        .map(
          (t) => `<tr data-target="${escapeHtml(t.id)}"><td><code>${escapeHtml(t.id)}</code></td><td>${escapeHtml(t.policy)}</td>
          <td>${escapeHtml(t.target)}</td><td>${escapeHtml(t.owner)}</td>
          <td data-testid="state">${escapeHtml(t.state)}${t.due_at ? ` until ${escapeHtml(t.due_at)}` : ""}</td>
          <td>${escapeHtml(t.decided_by)}</td><td class="num">${formatMoney(t.monthly_savings)}</td>
          <td class="num" data-testid="realized">${realized(t)}</td>
          <td>${decide(t)}</td></tr>`,
        )
        .join("")}</tbody></table>`
    }
    <p class="muted" data-testid="policy-message"></p>`;
  for (const button of root.querySelectorAll<HTMLButtonElement>("button[data-decide]")) {
    button.addEventListener("click", async () => {
      const message = root.querySelector("[data-testid=policy-message]")!;
      try {
        await apiPost(`/api/v1/policies/${button.dataset.decide}`, { id: button.dataset.id });
        await renderPolicies(root);
      } catch (e) {
        message.textContent = (e as Error).message;
      }
    });
  }
}
