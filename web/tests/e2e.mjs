// End-to-end: the dashboard in Debian's headless Chromium (playwright-core) against a real
// `tally serve` on the demo platform. Every page loads without console errors, a drill-down
// works, the figures shown equal the API's, and each page is saved as a screenshot.
//   TALLY_BIN=build/tally node web/tests/e2e.mjs [SCREENSHOT_DIR]
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const tally = resolve(process.env.TALLY_BIN ?? join(here, "../../build/tally"));
const shots = resolve(process.argv[2] ?? join(here, "../../build/screenshots"));
mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "tally-e2e-"));
const store = join(work, "t.db");
execFileSync(tally, ["--store", store, "demo", "--out", join(work, "demo"), "--teams", "6",
                     "--workloads", "30", "--days", "7", "--start", "2026-05-01", "--load"]);

const port = await new Promise((ok) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const p = s.address().port;
    s.close(() => ok(p));
  });
});
const base = `http://127.0.0.1:${port}`;
const server = spawn(tally, ["--store", store, "serve", "--listen", `127.0.0.1:${port}`,
                             "--web", join(here, "../dist")], { stdio: "inherit" });
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); console.log(`${ok ? "ok  " : "FAIL"} ${what}`); };
const api = async (path) => (await (await fetch(base + path)).json()).data;
const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });

let browser;
try {
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(base + "/healthz")).ok) break; } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(e.message));

  const owners = await api("/api/v1/showback?by=owner");
  await page.goto(`${base}/#/overview`);
  await page.waitForSelector("[data-testid=spend]");
  await page.waitForSelector("#trend canvas");
  check((await page.textContent("[data-testid=spend]")) === money.format(Number(owners.total)),
        "overview spend equals the API's total");
  const top = [...owners.rows].sort((a, b) => Number(b.cost) - Number(a.cost))[0];
  check((await page.textContent(`td[data-owner="${top.owner}"]`)) === money.format(Number(top.cost)),
        `overview shows ${top.owner} at the API's cost`);
  await page.screenshot({ path: join(shots, "overview.png"), fullPage: true });

  // Drill down: click the top owner, see its consumers.
  await page.click(`a[href="#/explorer/${encodeURIComponent(top.owner)}"]`);
  await page.waitForSelector("[data-testid=owner-total]");
  const detail = (await api("/api/v1/showback?by=owner,consumer,resource")).rows
    .filter((r) => r.owner === top.owner);
  const sum = detail.reduce((s, r) => s + Number(r.cost), 0);
  check((await page.textContent("[data-testid=owner-total]")) === money.format(sum),
        "drill-down total equals the API's rows for the owner");
  check((await page.$$("[data-testid=consumers] tbody tr")).length === detail.length,
        "drill-down lists every consumer-resource row");
  await page.screenshot({ path: join(shots, "explorer.png"), fullPage: true });

  await page.goto(`${base}/#/sources`);
  await page.waitForSelector("[data-testid=sources]");
  const sources = await api("/api/v1/sources");
  check((await page.$$("[data-testid=sources] tbody tr")).length === sources.usage.length,
        "sources page lists every usage source");
  await page.screenshot({ path: join(shots, "sources.png"), fullPage: true });
  check(errors.length === 0, `no console errors (${errors.join("; ")})`);
} catch (e) {
  failures.push(String(e));
  console.log(`FAIL ${e}`);
} finally {
  if (browser) await browser.close();
  server.kill("SIGTERM");
}
console.log(failures.length ? `${failures.length} failed` : `all passed; screenshots in ${shots}`);
process.exit(failures.length ? 1 : 0);
