// The dashboard shell: hash routes to pages ("#/page/arg?view", view.ts), the period picker, and
// live updates: it polls the store's data version every 5 s and redraws the page when the data
// changed, so new data appears without a reload. A failed poll marks the page offline and keeps
// what it shows. An unknown route shows a not-found page.
import "./style.css";
import { api } from "./api";
import { renderCosts } from "./costs";
import { renderExplorer } from "./explorer";
import { renderAnomalies, renderBudgets, renderKpis } from "./finance";
import { renderGpu } from "./gpu";
import { renderOverview } from "./overview";
import { renderSavings } from "./savings";
import { PeriodName, periodName, refreshDataWindow, setPeriod } from "./period";
import { renderSources } from "./sources";
import { errorState, notFoundState } from "./states";
import { currentRoute } from "./view";

const pages: Record<string, (root: HTMLElement, arg: string, params: URLSearchParams) => Promise<void>> = {
  overview: renderOverview,
  costs: renderCosts,
  explorer: renderExplorer,
  gpu: renderGpu,
  budgets: renderBudgets,
  kpis: renderKpis,
  anomalies: renderAnomalies,
  savings: renderSavings,
  sources: renderSources,
};

const POLL_MS = 5_000;
let shownVersion = -1;
let rendering = false;

function setStatus(text: string, offline = false): void {
  const status = document.getElementById("updated")!;
  status.textContent = text;
  status.classList.toggle("offline", offline);
}

async function show(): Promise<void> {
  const { page: name, arg, params } = currentRoute();
  const page = pages[name];
  const root = document.getElementById("page")!;
  for (const a of document.querySelectorAll("nav a")) {
    a.classList.toggle("active", (a as HTMLElement).dataset.page === name);
  }
  rendering = true;
  try {
    const { version } = await api<{ version: number }>("/api/v1/version");
    await refreshDataWindow();
    if (page) {
      await page(root, arg, params);
    } else {
      root.innerHTML = notFoundState(location.hash);
    }
    shownVersion = version;
    root.dataset.version = String(version);
    setStatus(`live · updated ${new Date().toLocaleTimeString()}`);
  } catch (e) {
    root.innerHTML = errorState((e as Error).message);
    document.getElementById("retry")?.addEventListener("click", show);
    setStatus("offline", true);
  } finally {
    rendering = false;
  }
}

async function poll(): Promise<void> {
  if (rendering) return;
  try {
    const { version } = await api<{ version: number }>("/api/v1/version");
    if (version !== shownVersion) await show();
    else setStatus(`live · checked ${new Date().toLocaleTimeString()}`);
  } catch {
    setStatus("offline · retrying", true);
  }
}

const picker = document.getElementById("period") as HTMLSelectElement;
picker.value = periodName();
picker.addEventListener("change", () => {
  setPeriod(picker.value as PeriodName);
  show();
});
window.addEventListener("hashchange", show);
setInterval(poll, POLL_MS);
show();
