#!/usr/bin/env node
// Runs the shared core checks and the vectors in headless Chromium (Debian's, driven by
// playwright-core, which downloads no browser), on the package served from a local static server.
// Fails on any failed check, any page error, and any request that leaves 127.0.0.1.
//
//   node run.mjs [PACKAGE_DIR]     (default: emr-wasm/pkg; CHROMIUM overrides /usr/bin/chromium,
//                                  ARTIFACTS the screenshot's directory, target/wasm-test)
import { createServer } from "node:http";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { snapshotName } from "../shared/checks.mjs";
import { loadExpect } from "../shared/data.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = path.resolve(here, "../../..");
const pkgDir = path.resolve(process.argv[2] ?? path.join(repo, "emr-wasm/pkg"));
const manifest = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8"));
const artifacts = path.resolve(process.env.ARTIFACTS ?? path.join(repo, "target/wasm-test"));

function vectors() {
  const snapshots = path.join(repo, "emr-core/tests/snapshots");
  return ["valid", "invalid"].flatMap((dir) =>
    readdirSync(path.join(repo, "tests/data", dir))
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => `${dir}/${f.slice(0, -".json".length)}`)
      .filter((name) => existsSync(path.join(snapshots, snapshotName(name)))) // the Node suite reports the rest
      .map((name) => ({
        name,
        text: readFileSync(path.join(repo, "tests/data", `${name}.json`), "utf8"),
        snapshot: readFileSync(path.join(snapshots, snapshotName(name)), "utf8"),
      })),
  );
}

const types = { ".html": "text/html", ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };
const mounts = { "/pkg/": pkgDir, "/shared/": path.join(here, "../shared") };
const generated = {
  "/": () => ["text/html", readFileSync(path.join(here, "index.html"))],
  "/page.mjs": () => ["text/javascript", readFileSync(path.join(here, "page.mjs"))],
  // The package's browser entry, as a bundler resolving `import "@emr/wasm"` for a browser would pick it.
  "/entry.mjs": () => ["text/javascript", `export * from "/pkg/${manifest.exports["."].browser.default.slice(2)}";\n`],
  "/shl-entry.mjs": () => ["text/javascript", `export * from "/pkg/${manifest.exports["./shl"].browser.default.slice(2)}";\n`],
  "/ccda-entry.mjs": () => ["text/javascript", `export * from "/pkg/${manifest.exports["./ccda"].browser.default.slice(2)}";\n`],
  "/expect.json": () => ["application/json", JSON.stringify(loadExpect(repo, manifest))],
  "/vectors.json": () => ["application/json", JSON.stringify(vectors())],
};

const server = createServer((req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  const send = (status, type, body) => {
    res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
    res.end(body);
  };
  if (req.method !== "GET") return send(405, "text/plain", "GET only");
  if (generated[url.pathname]) return send(200, ...generated[url.pathname]());
  for (const [prefix, dir] of Object.entries(mounts)) {
    if (!url.pathname.startsWith(prefix)) continue;
    const file = path.resolve(dir, decodeURIComponent(url.pathname.slice(prefix.length)));
    if (!file.startsWith(dir + path.sep) || !existsSync(file) || !statSync(file).isFile()) break;
    return send(200, types[path.extname(file)] ?? "application/octet-stream", readFileSync(file));
  }
  send(404, "text/plain", "not found");
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  // Playwright passes --no-sandbox itself (needed as root); these keep Chromium off the network.
  args: ["--disable-background-networking", "--disable-component-update", "--no-first-run"],
});
let failures = 0;
try {
  console.log(`chromium ${browser.version()}, serving ${pkgDir} at ${origin}`);
  const context = await browser.newContext();
  const outside = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`)) return route.continue();
    outside.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(`page error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && pageErrors.push(`console error: ${m.text()}`));
  page.on("request", (r) => !r.url().startsWith(`${origin}/`) && !r.url().startsWith("data:") && outside.push(r.url()));

  await page.goto(`${origin}/`);
  const outcome = await page
    .waitForFunction(() => window.emrResults, null, { timeout: 120_000 })
    .then((handle) => handle.jsonValue())
    .catch((e) => ({ results: [], timing: null, error: e.message }));
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, "chromium.png"), fullPage: true });

  for (const r of outcome.results) console.log(r.ok ? `ok - ${r.name}` : `not ok - ${r.name}\n    ${r.detail}`);
  if (outcome.timing) {
    const t = outcome.timing;
    console.log(`validateJson(${t.vector}, ${t.bytes} bytes): ${t.ms.toFixed(1)} ms in Chromium`);
  }
  const problems = [
    ...(outcome.error ? [`the page did not finish: ${outcome.error}`] : []),
    ...(outcome.results.length === 0 ? ["the page ran no check"] : []),
    ...pageErrors,
    ...[...new Set(outside)].map((url) => `request outside 127.0.0.1: ${url}`),
  ];
  for (const p of problems) console.log(`not ok - ${p}`);
  const passed = outcome.results.filter((r) => r.ok).length;
  failures = outcome.results.length - passed + problems.length;
  console.log(`chromium: ${passed} passed, ${failures} failed`);
  console.log(`screenshot: ${path.join(artifacts, "chromium.png")}`);
} finally {
  await browser.close();
  server.close();
}
process.exit(failures === 0 ? 0 : 1);
