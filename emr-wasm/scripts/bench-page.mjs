// The Chromium side of the benchmarks (bench.mjs, bench-shl.mjs): a page served from 127.0.0.1
// with the package under /pkg/ and the given files, run in Debian's headless Chromium (playwright-
// core) with nothing else reachable, until it sets `window.benchResult`.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

const TYPES = { ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm" };

/** Runs `page` (HTML) with `files` ({ "/name": [type, body] }); gives its result and Chromium's version. */
export async function runPage(pkgDir, page, files = {}) {
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const send = (type, body) => {
      res.writeHead(200, { "content-type": type });
      res.end(body);
    };
    if (url.pathname === "/") return send("text/html", page);
    if (files[url.pathname]) return send(...files[url.pathname]);
    const name = url.pathname.startsWith("/pkg/") ? path.basename(url.pathname) : "";
    try {
      return send(TYPES[path.extname(name)] ?? "application/octet-stream", readFileSync(path.join(pkgDir, name)));
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const context = await browser.newContext();
    await context.route("**/*", (route) => (route.request().url().startsWith(`${origin}/`) ? route.continue() : route.abort()));
    const tab = await context.newPage();
    await tab.goto(`${origin}/`);
    const result = await (await tab.waitForFunction(() => window.benchResult, null, { timeout: 600_000 })).jsonValue();
    return { result, version: browser.version() };
  } finally {
    await browser.close();
    server.close();
  }
}
