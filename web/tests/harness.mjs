// What the end-to-end tests share: the tally binary, `tally serve` on a free loopback port,
// Debian's headless Chromium, and a list of checks that decides the exit code.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const tally = resolve(process.env.TALLY_BIN ?? join(here, "../../build/tally"));

export const freePort = () => new Promise((ok) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const p = s.address().port;
    s.close(() => ok(p));
  });
});

// Servers started here, stopped by stopAll.
export const servers = [];
export async function serve(storePath, extra = []) {
  const port = await freePort();
  const proc = spawn(tally, ["--store", storePath, "serve", "--listen", `127.0.0.1:${port}`,
                             "--web", join(here, "../dist"), ...extra], { stdio: "inherit" });
  servers.push(proc);
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(base + "/healthz")).ok) break; } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base, proc };
}
export const stopAll = () => { for (const s of servers) s.kill("SIGTERM"); };

export const launch = () => chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

// Ends a test script: closes the browser, stops the servers, says how it went, exits 0 or 1.
export async function finish(browser, shots) {
  if (browser) await browser.close();
  stopAll();
  console.log(failures.length ? `${failures.length} failed` : `all passed; screenshots in ${shots}`);
  process.exit(failures.length ? 1 : 0);
}

export const failures = [];
export const check = (ok, what) => {
  if (!ok) failures.push(what);
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
};
