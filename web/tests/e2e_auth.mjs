// End-to-end, with authentication: the dashboard against `tally serve --auth required` on the
// demo platform. The dashboard asks for a token and keeps it in memory only (not in the URL,
// not in local or session storage); a wrong token is refused; a viewer scoped to one team sees
// only that team's owners on every page and a clear page where its token may not look; it
// cannot push remote_write, and a write token for source A cannot push source B; an admin sees
// every team; signing out asks for a token again.
//   TALLY_BIN=build/tally node web/tests/e2e_auth.mjs [SCREENSHOT_DIR]
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { check, failures, finish, launch, serve, tally } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const shots = resolve(process.argv[2] ?? join(here, "../../build/screenshots"));
mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "tally-e2e-auth-"));
const store = join(work, "t.db");
const run = (...args) => execFileSync(tally, ["--store", store, ...args], { encoding: "utf8" });
run("demo", "--out", join(work, "demo"), "--teams", "4", "--workloads", "20", "--days", "5",
    "--start", "2026-05-01", "--load");
const owners = JSON.parse(run("report", "showback", "--by", "owner", "--format", "json")).rows
  .map((r) => r.owner).filter((o) => !o.startsWith("__"));
const team = owners[0];
const others = owners.slice(1);
const token = (...args) => run("tokens", "create", ...args).trim();
const admin = token("--role", "admin", "--name", "alice");
const viewer = token("--role", "viewer", "--owner", team, "--name", `${team}-viewer`);
const writerA = token("--role", "viewer", "--write", "edge-a", "--name", "pusher-a");
const ops = token("--role", "operator", "--name", "ops");
// A policy that waits for an operator: the demo's ml budget makes ml a candidate.
mkdirSync(join(work, "policies"), { recursive: true });
writeFileSync(join(work, "policies/approve.yaml"), "policies:\n  - {name: tell-ml, resource: owner, " +
  "mode: enforce, approval: required, filters: [{owner: ml}], actions: [notify]}\n");
const applied = JSON.parse(run("policy", "apply", "--config", join(work, "demo/tally.yaml"), "--policies",
                               join(work, "policies"), "--format", "json")).rows;

const pages = ["overview", "costs", "explorer", "gpu", "budgets", "kpis", "anomalies", "savings", "policies",
               "sources"];
// Every owner name a page shows: table cells and the data-owner attributes of rows.
const shownOwners = (page) => page.evaluate(() => {
  const out = [];
  for (const td of document.querySelectorAll("#page td, #page th")) out.push(td.textContent.trim());
  for (const el of document.querySelectorAll("#page [data-owner]")) out.push(el.dataset.owner);
  return out;
});
const mentionsOther = (texts) => texts.filter((t) => others.some((o) => t === o || t.startsWith(`${o}/`)));
// Goes to a page and waits until the dashboard has drawn it (content, forbidden or error).
const visit = async (page, base, name) => {
  await page.evaluate(() => { delete document.getElementById("page").dataset.shown; });
  await page.goto(`${base}/#/${name}`);
  if (page.url().endsWith(`#/${name}`)) await page.evaluate(() => window.dispatchEvent(new HashChangeEvent("hashchange")));
  await page.waitForFunction((n) => document.getElementById("page").dataset.shown === `#/${n}`, name,
                             { timeout: 15000 });
};

let browser;
try {
  const { base } = await serve(store, ["--auth", "required", "--config", join(work, "demo/tally.yaml"),
                                       "--no-allocate", "--policies", join(work, "policies"),
                                       "--policy-every", "0"]);
  browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));

  // Signed out: the sign-in form, on any page.
  await page.goto(`${base}/#/overview`);
  await page.waitForSelector("[data-testid=sign-in]");
  check(true, "without a token the dashboard asks for one");
  await page.screenshot({ path: join(shots, "sign-in.png"), fullPage: true });
  await page.fill("#token", admin.slice(0, -1) + (admin.endsWith("0") ? "1" : "0"));
  await page.click("#sign-in-form button");
  await page.waitForSelector("[data-testid=sign-in-error]");
  check(true, "a wrong token is refused with a message");

  // The scoped viewer.
  await page.fill("#token", viewer);
  await page.click("#sign-in-form button");
  await page.waitForSelector("[data-testid=who]");
  check((await page.textContent("[data-testid=who]")).includes(team), `the header names the ${team} viewer`);
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  check(!storage.includes("tly_") && !page.url().includes("tly_"), "the token is in no URL and no storage");
  for (const name of pages) {
    await visit(page, base, name);
    const forbidden = await page.$("[data-testid=forbidden]");
    const failed = await page.$("[data-testid=error]");
    check(!failed, `${name}: draws for the viewer${failed ? `: ${await failed.textContent()}` : ""}`);
    const leaked = mentionsOther(await shownOwners(page));
    check(leaked.length === 0, `${name}: the viewer sees no other team${leaked.length ? ` (saw ${leaked.slice(0, 3)})` : ""}${forbidden ? " (not for its token)" : ""}`);
    await page.screenshot({ path: join(shots, `scoped-${name}.png`), fullPage: true });
  }
  await visit(page, base, "overview");
  const ownersShown = await page.$$eval("td[data-owner]", (tds) => tds.map((td) => td.dataset.owner));
  check(ownersShown.includes(team) && ownersShown.every((o) => o === team || o.startsWith(`${team}/`)),
        `the overview lists ${team} alone (${ownersShown.join(", ")})`);
  await visit(page, base, "sources");
  check(!!(await page.$("[data-testid=forbidden]")), "the data sources page says it is not for a viewer's token");

  // remote_write from the page's origin: a viewer may not push; a writer only its own source.
  const push = (tok, source) => page.evaluate(async ([t, s]) => (await fetch(`/api/v1/write?source=${s}`, {
    method: "POST", headers: { Authorization: `Bearer ${t}`, "Content-Encoding": "snappy" }, body: "x",
  })).status, [tok, source]);
  check((await push(viewer, "edge-a")) === 403, "a viewer cannot push remote_write");
  check((await push(writerA, "edge-b")) === 403, "a write token for edge-a cannot push edge-b");
  const own = await push(writerA, "edge-a");
  check(own === 400, `a write token for edge-a reaches edge-a's receiver (a junk body: ${own})`);

  // An operator approves the pending policy target from the page; the audit log names them.
  await page.click("#sign-out");
  await page.waitForSelector("[data-testid=sign-in]");
  await page.fill("#token", ops);
  await page.click("#sign-in-form button");
  await page.waitForSelector("[data-testid=who]");
  await visit(page, base, "policies");
  const id = applied[0]?.target_id;
  check(applied.length === 1 && applied[0].state === "pending", "a policy target waits for approval");
  await page.click(`tr[data-target="${id}"] button[data-decide=approve]`);
  await page.waitForFunction((t) => document.querySelector(`tr[data-target="${t}"] [data-testid=state]`)
    ?.textContent === "approved", id, { timeout: 10000 }).catch(() => {});
  check((await page.textContent(`tr[data-target="${id}"] [data-testid=state]`)) === "approved",
        "the operator's Approve marks it approved");
  const audit = JSON.parse(run("audit", "--format", "json")).rows;
  check(audit.some((r) => r.action === "policy.approve" && r.target === id && r.actor === "ops"),
        "the audit log names the approving token");
  await page.screenshot({ path: join(shots, "policies-approved.png"), fullPage: true });

  // Sign out; the admin sees every team.
  await page.click("#sign-out");
  await page.waitForSelector("[data-testid=sign-in]");
  check(true, "signing out asks for a token again");
  await page.fill("#token", admin);
  await page.click("#sign-in-form button");
  await page.waitForSelector("[data-testid=who]");
  await visit(page, base, "overview");
  const all = await page.$$eval("td[data-owner]", (tds) => tds.map((td) => td.dataset.owner));
  check(owners.every((o) => all.includes(o)), `the admin sees every team (${all.length} owners)`);
  await visit(page, base, "sources");
  check(!(await page.$("[data-testid=forbidden]")) && !!(await page.$("[data-testid=window]")),
        `the admin may see the data sources (${(await page.textContent("#page")).slice(0, 120).trim()})`);
  // A reload forgets the token: the session lives in memory only.
  await page.reload();
  await page.waitForSelector("[data-testid=sign-in]");
  check(true, "a reload signs out (no stored token)");
  check(errors.length === 0, `no page errors (${errors.join("; ")})`);
} catch (e) {
  failures.push(String(e));
  console.log(`FAIL ${e}`);
}
await finish(browser, shots);
