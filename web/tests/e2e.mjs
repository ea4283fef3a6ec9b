// End-to-end: the dashboard in Debian's headless Chromium (playwright-core) against a real
// `tally serve` on the demo platform. Every page loads without console errors, a drill-down
// works, the figures shown equal the API's (bill explorer, a filtered and regrouped allocation
// view restored from its URL, a custom range, period comparison, sorting, search), an unknown
// route and a 420 px screen work, the period picker and live updates work (a bill
// ingested by another process shows up without a reload), empty and error states show, and
// each page is saved as a screenshot.
//   TALLY_BIN=build/tally node web/tests/e2e.mjs [SCREENSHOT_DIR]
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { check, failures, finish, launch, serve, tally } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const shots = resolve(process.argv[2] ?? join(here, "../../build/screenshots"));
mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "tally-e2e-"));
const store = join(work, "t.db");
execFileSync(tally, ["--store", store, "demo", "--out", join(work, "demo"), "--teams", "6",
                     "--workloads", "30", "--days", "10", "--start", "2026-05-01", "--load"]);

const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const ratio = (r) => (r ? `${(100 * Number(r)).toFixed(1)} %` : "–");
// Whether the page comes to show `want` in the spend card within `timeout` ms.
const spendBecomes = (page, want, timeout) =>
  page.waitForFunction((w) => document.querySelector("[data-testid=spend]")?.textContent === w,
                       want, { timeout }).then(() => true, () => false);

let browser;
try {
  // Dry-run policies over the demo's waste, for the policies page.
  mkdirSync(join(work, "policies"), { recursive: true });
  writeFileSync(join(work, "policies/waste.yaml"), [
    "policies:",
    "  - {name: rightsize, resource: workload, filters: [{kind: rightsizing}], actions: [set-requests]}",
    "  - {name: orphans, resource: volume, filters: [{kind: orphaned_volume}], actions: [reclaim]}",
    "",
  ].join("\n"));
  const { base } = await serve(store, ["--config", join(work, "demo/tally.yaml"), "--allocate-check", "0.5",
                                       "--policies", join(work, "policies"), "--policy-every", "0"]);
  const api = async (path) => (await (await fetch(base + path)).json()).data;
  browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  let errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(e.message));

  // Overview.
  const owners = await api("/api/v1/showback?by=owner");
  const gpu = await api("/api/v1/gpu");
  await page.goto(`${base}/#/overview`);
  await page.waitForSelector("[data-testid=spend]");
  await page.waitForSelector("#trend canvas");
  check((await page.textContent("[data-testid=spend]")) === money.format(Number(owners.total)),
        "overview spend equals the API's total");
  const top = [...owners.rows].sort((a, b) => Number(b.cost) - Number(a.cost))[0];
  check((await page.textContent(`td[data-owner="${top.owner}"]`)) === money.format(Number(top.cost)),
        `overview shows ${top.owner} at the API's cost`);
  check((await page.textContent("[data-testid=gpu-utilization]")) === ratio(gpu.total.utilization),
        `overview GPU utilization equals the API's (${ratio(gpu.total.utilization)})`);
  const kinds = await api("/api/v1/showback?by=kind");
  const idleShare = `${((100 * Number(kinds.rows.find((r) => r.kind === "idle")?.cost ?? 0)) /
                        Number(kinds.total)).toFixed(1)} %`;
  check((await page.textContent("[data-testid=idle-share]")) === idleShare,
        `overview idle share equals the API's idle cost over total (${idleShare})`);
  const classes = await api("/api/v1/showback?by=class");
  const storage = classes.rows.find((r) => r.class === "storage");
  check(storage !== undefined &&
          (await page.textContent('[data-class="storage"]')).includes(money.format(Number(storage.cost))),
        "overview shows the storage class at the API's cost");
  const forecast = await api("/api/v1/forecast?days=14");
  check(forecast.rows.length === 14 &&
          (await page.getAttribute("#trend", "data-forecast-days")) === "14",
        "the overview's trend carries the API's 14-day forecast");
  await page.screenshot({ path: join(shots, "overview.png"), fullPage: true });

  // Budgets, KPIs and anomalies.
  const budgets = await api("/api/v1/budgets");
  await page.goto(`${base}/#/budgets`);
  await page.waitForSelector("[data-testid=budgets]");
  await page.waitForSelector("#burn-0 canvas");
  check(budgets.rows.length === 2, "the demo's two budgets are evaluated");
  for (const b of budgets.rows) {
    check((await page.textContent(`tr[data-budget="${b.name}"] [data-testid=actual]`)).startsWith(money.format(Number(b.actual))),
          `budget ${b.name} shows the API's actual ${money.format(Number(b.actual))}`);
  }
  await page.screenshot({ path: join(shots, "budgets.png"), fullPage: true });
  const kpis = await api("/api/v1/kpis");
  await page.goto(`${base}/#/kpis`);
  await page.waitForSelector("[data-testid=kpis]");
  check((await page.textContent("[data-testid=coverage]")) === `${(100 * kpis.platform.coverage).toFixed(1)} %`,
        "KPI coverage equals the API's");
  check((await page.$$("[data-testid=kpis] tbody tr")).length === kpis.owners.length, "a KPI row per owner");
  await page.screenshot({ path: join(shots, "kpis.png"), fullPage: true });
  const anomalies = await api("/api/v1/anomalies?by=owner");
  await page.goto(`${base}/#/anomalies`);
  await page.waitForSelector(anomalies.rows.length ? "[data-testid=anomalies]" : "[data-testid=empty]");
  check((await page.$$("[data-testid=anomalies] tbody tr")).length === anomalies.rows.length,
        `the anomalies page lists the API's ${anomalies.rows.length} anomalies`);
  await page.screenshot({ path: join(shots, "anomalies.png"), fullPage: true });
  const savings = await api("/api/v1/recommendations");
  await page.goto(`${base}/#/savings`);
  await page.waitForSelector(savings.rows.length ? "[data-testid=recommendations]" : "[data-testid=empty]");
  if (savings.rows.length) {
    check((await page.textContent("[data-testid=savings-total]")) === money.format(Number(savings.total)),
          `savings total equals the API's ${money.format(Number(savings.total))}`);
    check((await page.$$("[data-testid=recommendations] tbody tr")).length === savings.rows.length,
          "a row per recommendation");
    await page.click("tr.recommendation[data-row='0']");
    await page.waitForSelector("[data-testid=evidence] dl.evidence");
    check((await page.textContent("[data-testid=evidence] h3")).includes(savings.rows[0].consumer ?? savings.rows[0].asset),
          "a click shows the recommendation's evidence");
  }
  await page.screenshot({ path: join(shots, "savings.png"), fullPage: true });
  const policies = await api("/api/v1/policies");
  await page.goto(`${base}/#/policies`);
  await page.waitForSelector("[data-testid=policies]");
  check((await page.$$("[data-testid=policies] tbody tr")).length === policies.policies.length,
        `the policies page lists the API's ${policies.policies.length} plans`);
  check((await page.textContent("[data-testid=policy-savings]")) === money.format(Number(policies.monthly_savings)),
        `planned savings equal the API's ${money.format(Number(policies.monthly_savings))}`);
  await page.screenshot({ path: join(shots, "policies.png"), fullPage: true });
  await page.goto(`${base}/#/overview`);
  await page.waitForSelector(`td[data-owner="${top.owner}"]`);

  // Drill down: click the top owner, see its consumers, download them.
  await page.click(`a[href="#/explorer/${encodeURIComponent(top.owner)}"]`);
  await page.waitForSelector("[data-testid=owner-total]");
  await page.waitForSelector("#owner-trend canvas");
  const detail = (await api("/api/v1/showback?by=owner,consumer,resource,kind")).rows
    .filter((r) => r.owner === top.owner);
  check((await page.textContent("[data-testid=owner-total]")) === money.format(Number(top.cost)),
        "drill-down total equals the API's cost of the owner");
  const sum = detail.reduce((s, r) => s + Number(r.cost), 0);
  check(Math.abs(sum - Number(top.cost)) < 1e-6, "the owner's rows add up to its cost");
  check((await page.$$("[data-testid=consumers] tbody tr")).length === detail.length,
        "drill-down lists every consumer-resource row");
  const csv = await page.evaluate(async () =>
    (await fetch(document.querySelector("[data-testid=csv]").href)).text());
  check(csv.trim().split("\n").length === detail.length + 1, "the CSV holds a header and every row");
  await page.screenshot({ path: join(shots, "explorer.png"), fullPage: true });

  // GPUs.
  await page.click("nav a[data-page=gpu]");
  await page.waitForSelector("[data-testid=gpu-cost]");
  await page.waitForSelector("#gpu-daily canvas");
  check((await page.textContent("[data-testid=gpu-cost]")) === money.format(Number(gpu.total.cost)),
        "GPU page cost equals the API's");
  check((await page.$$("[data-testid=gpu-nodes] tbody tr")).length === gpu.nodes.length,
        "GPU page lists every GPU node");
  check((await page.$$("[data-testid=gpu-consumers] tbody tr")).length === gpu.consumers.length,
        "GPU page lists every GPU workload");
  for (const o of gpu.owners) {
    check((await page.textContent(`[data-testid=gpu-owners] td[data-owner="${o.owner}"]`)) ===
            money.format(Number(o.idle_cost)),
          `GPU page idle cost of ${o.owner} equals the API's (${o.idle_cost})`);
  }
  check(gpu.owners.length > 0, "the GPU page lists idle cost by owner");
  const unused = gpu.consumers.filter((c) => Number(c.unused_cost) > 0).length;
  check(unused > 0 && (await page.$$("[data-testid=gpu-top-idle] tbody tr")).length === Math.min(10, unused),
        `GPU page lists the top ${Math.min(10, unused)} idle GPU workloads`);
  const idle = gpu.consumers.filter((c) => Number(c.requested) > 0 && Number(c.used) === 0).length;
  check(idle > 0 && (await page.textContent("[data-testid=idle-gpu-workloads]")) === String(idle),
        `GPU page flags the ${idle} idle GPU workloads the API shows`);
  await page.screenshot({ path: join(shots, "gpu.png"), fullPage: true });

  // Data sources.
  await page.click("nav a[data-page=sources]");
  await page.waitForSelector("[data-testid=sources]");
  const sources = await api("/api/v1/sources");
  check((await page.$$("[data-testid=sources] tbody tr")).length === sources.usage.length,
        "sources page lists every usage source");
  const first = sources.usage[0];
  check((await page.textContent(`[data-source-rows="${first.name}"]`)) === first.facts.toLocaleString("en-US"),
        `sources page shows ${first.name}'s ${first.facts} stored rows`);
  check((await page.$$("[data-testid=ingests] tbody tr")).length === sources.ingests.length,
        "sources page lists every bill ingest");
  check((await page.textContent("[data-testid=allocation] strong")) === String(sources.allocation.allocated_hours),
        `sources page shows the API's ${sources.allocation.allocated_hours} allocated hours`);
  await page.screenshot({ path: join(shots, "sources.png"), fullPage: true });

  // Bill explorer: cost by service, each currency's total and every row as the API has them;
  // regrouped by provider through the toolbar, and the URL holds the view.
  const bill = await api("/api/v1/costs?by=ServiceName,BillingCurrency&limit=100000");
  await page.goto(`${base}/#/costs?by=ServiceName`);
  await page.waitForSelector("[data-testid=costs] tbody tr");
  await page.waitForSelector("#costs-trend canvas");
  for (const [currency, total] of Object.entries(bill.totals)) {
    const shown = await page.textContent(`[data-testid="total-${currency}"]`);
    check(shown === money.format(Number(total)), `bill explorer ${currency} total equals the API's (${total})`);
  }
  const billRows = await page.$$eval("[data-testid=costs] tbody tr", (trs) =>
    trs.map((tr) => [tr.querySelector("[data-col=key]").textContent, tr.querySelector("[data-col=cost]").textContent]));
  const billWant = [...bill.rows].sort((a, b) => Number(b.EffectiveCost) - Number(a.EffectiveCost))
    .map((r) => [r.ServiceName ?? "(null)", money.format(Number(r.EffectiveCost))]);
  check(JSON.stringify(billRows) === JSON.stringify(billWant),
        `bill explorer lists the API's ${billWant.length} services by cost, descending`);
  await page.selectOption("[data-testid=costs-by]", "ProviderName");
  await page.click("[data-testid=costs-apply]");
  await page.waitForFunction(() => location.hash.includes("by=ProviderName") &&
    document.querySelector("[data-testid=costs] th")?.textContent.startsWith("ProviderName"));
  const providers = await api("/api/v1/costs?by=ProviderName,BillingCurrency");
  check((await page.$$("[data-testid=costs] tbody tr")).length === providers.rows.length,
        "bill explorer regrouped by provider shows the API's providers");
  await page.screenshot({ path: join(shots, "bill-explorer.png"), fullPage: true });

  // Allocation explorer: a filtered, regrouped view opened from its URL.
  const teams = await api(`/api/v1/showback?by=namespace&where=owner%3D${encodeURIComponent(top.owner)}`);
  await page.goto(`${base}/#/explorer?by=namespace&where=owner%3D${encodeURIComponent(top.owner)}`);
  await page.waitForSelector("[data-testid=groups] tbody tr");
  const cells = async (col) => page.$$eval(`[data-testid=groups] tbody td[data-col=${col}]`, (tds) => tds.map((t) => t.textContent));
  check((await page.textContent("[data-testid=total]")) === money.format(Number(teams.total)),
        `the view from the URL (by namespace, owner = ${top.owner}) totals the API's ${teams.total}`);
  const nsWant = [...teams.rows].sort((a, b) => Number(b.cost) - Number(a.cost));
  const shown = (names) => JSON.stringify(names.map((n) => n || "(none)"));
  check(JSON.stringify(await cells("key")) === shown(nsWant.map((r) => r.namespace)) &&
          JSON.stringify(await cells("cost")) === JSON.stringify(nsWant.map((r) => money.format(Number(r.cost)))),
        `it lists the API's ${nsWant.length} namespaces at their cost, largest first`);
  check((await page.$$("[data-testid=filter]")).length === 1, "the filter shows as a chip");
  const ns0 = nsWant[0].namespace;

  // Sorting: by namespace, then reversed. The page redraws after the URL changes: wait for it.
  const cellsBecome = (want) => page.waitForFunction((w) => JSON.stringify(
    [...document.querySelectorAll("[data-testid=groups] tbody td[data-col=key]")].map((t) => t.textContent)) === w,
    want, { timeout: 10_000 }).then(() => true, () => false);
  const names = nsWant.map((r) => r.namespace);
  const desc = [...names].sort((a, b) => b.localeCompare(a));
  // The redrawn header carries the sort's arrow: wait for it, not only for the order (which may
  // already be the one asked for).
  const arrow = (a) => page.waitForFunction((x) =>
    document.querySelector("[data-testid=groups] th[data-sort=key]")?.textContent.endsWith(x), a,
    { timeout: 10_000 }).then(() => true, () => false);
  await page.click("[data-testid=groups] th[data-sort=key]");
  check(await arrow("▼") && await cellsBecome(shown(desc)), "a click on the header sorts by it");
  await page.click("[data-testid=groups] th[data-sort=key]");
  check(await arrow("▲") && await cellsBecome(shown([...desc].reverse())) && page.url().includes("dir=asc"),
        "a second click reverses it");

  // A custom date range, then comparison with the period before it.
  await page.fill("[data-testid=from]", "2026-05-05");
  await page.fill("[data-testid=to]", "2026-05-08");
  await page.check("[data-testid=compare]");
  await page.click("[data-testid=apply]");
  await page.waitForFunction(() => location.hash.includes("compare=1"));
  await page.waitForSelector("[data-testid=previous-total]");
  const range = await api(`/api/v1/showback?by=namespace&where=owner%3D${encodeURIComponent(top.owner)}` +
                          "&from=2026-05-05T00:00:00Z&to=2026-05-09T00:00:00Z");
  const before = await api(`/api/v1/showback?by=namespace&where=owner%3D${encodeURIComponent(top.owner)}` +
                           "&from=2026-05-01T00:00:00Z&to=2026-05-05T00:00:00Z");
  check((await page.textContent("[data-testid=total]")) === money.format(Number(range.total)),
        `the custom range 2026-05-05 to 2026-05-08 totals the API's ${range.total}`);
  check((await page.textContent("[data-testid=previous-total]")) === money.format(Number(before.total)),
        `the previous period (2026-05-01 to 2026-05-04) totals the API's ${before.total}`);
  const viewUrl = page.url();
  await page.screenshot({ path: join(shots, "allocation-explorer.png"), fullPage: true });
  // The link restores the whole view in a new page.
  const other = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await other.goto(viewUrl);
  await other.waitForSelector("[data-testid=previous-total]");
  check((await other.textContent("[data-testid=total]")) === money.format(Number(range.total)) &&
          (await other.inputValue("[data-testid=from]")) === "2026-05-05",
        "the shared link restores range, grouping, filter and comparison");
  // Search.
  await other.fill("[data-testid=search]", ns0);
  await other.click("[data-testid=apply]");
  const matching = names.filter((n) => n.toLowerCase().includes(ns0.toLowerCase())).length;
  check(await other.waitForFunction((m) => location.hash.includes("q=") &&
          document.querySelectorAll("[data-testid=groups] tbody tr").length === m, matching,
          { timeout: 10_000 }).then(() => true, () => false),
        `search "${ns0}" keeps the ${matching} matching rows`);
  await other.close();

  // Request vs usage: CPU efficiency per namespace is the usage API's usage / request.
  const byNs = await api("/api/v1/showback?by=namespace");
  const nsTop = [...byNs.rows].filter((r) => r.namespace !== "")
    .sort((a, b) => Number(b.cost) - Number(a.cost))[0].namespace;
  await page.goto(`${base}/#/explorer?by=namespace`);
  await page.waitForSelector("[data-testid=groups] td[data-col=cpu_efficiency]");
  const usage = await api("/api/v1/usage?by=namespace");
  const cpu = usage.rows.filter((r) => r.namespace === nsTop && r.resource === "cpu");
  const eff = (100 * cpu.reduce((t, r) => t + Number(r.usage), 0) / cpu.reduce((t, r) => t + Number(r.request), 0)).toFixed(1) + " %";
  const effShown = await page.$$eval("[data-testid=groups] tbody tr", (trs, ns) =>
    trs.find((tr) => tr.querySelector("[data-col=key]").textContent === ns)
      ?.querySelector("[data-col=cpu_efficiency]").textContent, nsTop);
  check(effShown === eff,
        `CPU efficiency of ${nsTop} is the usage API's usage / request (${eff})`);

  // An unknown route, and a phone-sized screen.
  await page.goto(`${base}/#/no-such-page`);
  check(await page.waitForSelector("[data-testid=not-found]", { timeout: 10_000 }).then(() => true, () => false),
        "an unknown route shows the not-found page");
  const phone = await browser.newPage({ viewport: { width: 420, height: 900 } });
  phone.on("pageerror", (e) => errors.push(e.message));
  for (const [route, shown] of [["overview", "spend"], ["explorer?by=namespace", "groups"], ["costs", "costs"]]) {
    await phone.goto(`${base}/#/${route}`);
    await phone.waitForSelector(`[data-testid=${shown}]`);
    const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
    check(wide <= 420, `at 420 px the ${route.split("?")[0]} page does not overflow (${wide} px)`);
  }
  await phone.screenshot({ path: join(shots, "phone-costs.png"), fullPage: true });
  await phone.close();

  // The period picker: the last 7 days of the 10.
  await page.click("nav a[data-page=overview]");
  await page.waitForSelector("[data-testid=spend]");
  await page.selectOption("[data-testid=period]", "7d");
  const to = sources.window.to;
  const from = new Date(Date.parse(to) - 7 * 86_400_000).toISOString().replace(".000Z", "Z");
  const week = await api(`/api/v1/showback?by=owner&from=${from}&to=${to}`);
  check(await spendBecomes(page, money.format(Number(week.total)), 10_000),
        `last 7 days shows the API's ${money.format(Number(week.total))}`);
  await page.selectOption("[data-testid=period]", "all");
  check(await spendBecomes(page, money.format(Number(owners.total)), 10_000),
        "all data shows the API's total again");

  // Live: another process ingests a bill; serve allocates it; the page shows it, no reload.
  await page.evaluate(() => { window.__sameDocument = true; });
  writeFileSync(join(work, "extra.csv"),
    "BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,BilledCost,EffectiveCost," +
    "BillingCurrency,ProviderName,BillingAccountId,ServiceName,ServiceCategory,ChargeCategory,ResourceId,Tags\n" +
    `2026-05-01,2026-06-01,2026-05-03T00:00:00Z,2026-05-04T00:00:00Z,1000,1000,USD,Extra,acct,Consulting,Other,Usage,,"{""team"":""${top.owner}""}"\n`);
  execFileSync(tally, ["--store", store, "ingest", "focus", join(work, "extra.csv")]);
  const want = money.format(Number(owners.total) + 1000);
  check(await spendBecomes(page, want, 30_000) &&
          await page.evaluate(() => window.__sameDocument === true),
        `new data appeared without a reload (spend now ${want})`);
  check((await api("/api/v1/reconcile")).exact, "after the new bill the reconciliation is exact");
  check(errors.length === 0, `no console errors (${errors.join("; ")})`);

  // Empty: a server on an empty store says what to do on every page.
  const empty = await serve(join(work, "empty.db"));
  for (const name of ["overview", "gpu", "sources"]) {
    await page.goto(`${empty.base}/#/${name}`);
    check(await page.waitForSelector("[data-testid=empty]", { timeout: 10_000 }).then(() => true, () => false),
          `empty store: the ${name} page shows its empty state`);
    if (name === "overview") await page.screenshot({ path: join(shots, "empty.png"), fullPage: true });
  }
  check(errors.length === 0, `empty pages without console errors (${errors.join("; ")})`);

  // Error: the server goes away under an open page; the next page says so and offers a retry.
  empty.proc.kill("SIGTERM");
  await new Promise((r) => empty.proc.on("exit", r));
  await page.click("nav a[data-page=explorer]");
  await page.waitForSelector("[data-testid=error]");
  check((await page.textContent("[data-testid=status]")).startsWith("offline"),
        "a lost server shows the error state and 'offline'");
  await page.screenshot({ path: join(shots, "error.png"), fullPage: true });
} catch (e) {
  failures.push(String(e));
  console.log(`FAIL ${e}`);
}
await finish(browser, shots);
