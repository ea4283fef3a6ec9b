// The dashboard shell: hash routes to pages ("#/page/arg?view", view.ts), the period picker, and
// live updates: it polls the store's data version every 5 s and redraws the page when the data
// changed, so new data appears without a reload. A failed poll marks the page offline and keeps
// what it shows. An unknown route shows a not-found page. With authentication on, a 401 shows
// the sign-in form and a 403 says the page is not for this token; who is signed in shows in
// the header, with a way to sign out.
import "./style.css";
import { api, ApiError, setToken, signedIn, Whoami } from "./api";
import { renderCosts } from "./costs";
import { renderExplorer } from "./explorer";
import { renderAnomalies, renderBudgets, renderKpis } from "./finance";
import { renderGpu } from "./gpu";
import { renderOverview } from "./overview";
import { renderPolicies } from "./policies";
import { renderSavings } from "./savings";
import { PeriodName, periodName, refreshDataWindow, setPeriod } from "./period";
import { renderSources } from "./sources";
import { errorState, forbiddenState, notFoundState, signInState } from "./states";
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
  policies: renderPolicies,
  sources: renderSources,
};

const POLL_MS = 5_000;
let shownVersion = -1;
let rendering = false;
let again = false;  // the route changed while a page was drawing: draw once more after it

function setStatus(text: string, offline = false): void {
  const status = document.getElementById("updated")!;
  status.textContent = text;
  status.classList.toggle("offline", offline);
}

// One drawing at a time, so that a slow page cannot overwrite the one asked for after it.
async function show(): Promise<void> {
  if (rendering) {
    again = true;
    return;
  }
  const hash = location.hash;
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
    const status = e instanceof ApiError ? e.status : 0;
    if (status === 401) {
      showSignIn(signedIn() ? (e as Error).message : "");
      setStatus("signed out", true);
    } else if (status === 403) {
      root.innerHTML = forbiddenState((e as Error).message);
      setStatus("");
    } else {
      root.innerHTML = errorState((e as Error).message);
      document.getElementById("retry")?.addEventListener("click", show);
      setStatus("offline", true);
    }
  } finally {
    rendering = false;
    root.dataset.shown = hash;  // what the page now shows, drawn or not (tests wait on it)
    if (again) {
      again = false;
      await show();
    }
  }
}

// The sign-in form; a token that works is kept (in memory) and the page drawn again.
function showSignIn(message: string): void {
  setToken(null);
  showWho(null);
  const root = document.getElementById("page")!;
  root.innerHTML = signInState(message);
  document.getElementById("sign-in-form")!.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = document.getElementById("token") as HTMLInputElement;
    setToken(input.value.trim());
    input.value = "";
    try {
      showWho(await api<Whoami>("/api/v1/whoami"));
      await show();
    } catch (e) {
      showSignIn((e as Error).message);
    }
  });
}

function showWho(who: Whoami | null): void {
  const el = document.getElementById("who")!;
  if (!who) {
    el.innerHTML = "";
    return;
  }
  const scope = who.owners.length ? ` · ${who.owners.join(", ")}` : "";
  el.innerHTML = `<span data-testid="who"></span><button type="button" id="sign-out">Sign out</button>`;
  el.querySelector("span")!.textContent = `${who.name} (${who.role}${scope})`;
  document.getElementById("sign-out")!.addEventListener("click", () => showSignIn(""));
}

async function poll(): Promise<void> {
  if (rendering) return;
  if (document.querySelector("[data-testid=sign-in]")) return;  // nothing to refresh yet
  try {
    const { version } = await api<{ version: number }>("/api/v1/version");
    if (version !== shownVersion) await show();
    else setStatus(`live · checked ${new Date().toLocaleTimeString()}`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) await show();
    else setStatus("offline · retrying", true);
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
