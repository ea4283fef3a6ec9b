// The dashboard shell: hash routes to pages, the period picker, and live updates: it polls the
// store's data version every 5 s and redraws the page when the data changed, so new data
// appears without a reload. A failed poll marks the page offline and keeps what it shows.
import "./style.css";
import { api } from "./api";
import { renderExplorer } from "./explorer";
import { renderGpu } from "./gpu";
import { renderOverview } from "./overview";
import { PeriodName, periodName, refreshDataWindow, setPeriod } from "./period";
import { renderSources } from "./sources";
import { errorState } from "./states";

const pages: Record<string, (root: HTMLElement, arg: string) => Promise<void>> = {
  overview: renderOverview,
  explorer: renderExplorer,
  gpu: renderGpu,
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
  const [name, arg] = (location.hash.replace(/^#\//, "") || "overview").split("/");
  const page = pages[name] ?? renderOverview;
  const root = document.getElementById("page")!;
  for (const a of document.querySelectorAll("nav a")) {
    a.classList.toggle("active", (a as HTMLElement).dataset.page === (pages[name] ? name : "overview"));
  }
  rendering = true;
  try {
    const { version } = await api<{ version: number }>("/api/v1/version");
    await refreshDataWindow();
    await page(root, decodeURIComponent(arg ?? ""));
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
