// The dashboard shell: hash routes to pages, and a refresh every 30 s so new data appears
// without a reload.
import "./style.css";
import { renderOverview } from "./overview";
import { renderExplorer } from "./explorer";
import { renderSources } from "./sources";

const pages: Record<string, (root: HTMLElement, arg: string) => Promise<void>> = {
  overview: renderOverview,
  explorer: renderExplorer,
  sources: renderSources,
};

async function show(): Promise<void> {
  const [name, arg] = (location.hash.replace(/^#\//, "") || "overview").split("/");
  const page = pages[name] ?? renderOverview;
  const root = document.getElementById("page")!;
  for (const a of document.querySelectorAll("nav a")) {
    a.classList.toggle("active", (a as HTMLElement).dataset.page === name);
  }
  try {
    await page(root, decodeURIComponent(arg ?? ""));
    document.getElementById("updated")!.textContent =
      `updated ${new Date().toLocaleTimeString()}`;
  } catch (e) {
    root.innerHTML = `<p class="error">Could not load: ${(e as Error).message}</p>`;
  }
}

window.addEventListener("hashchange", show);
setInterval(show, 30_000);
show();
