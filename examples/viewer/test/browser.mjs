// What the viewer's end-to-end tests share: where things are (from the environment, see
// e2e.mjs), and headless Chromium (Debian's, driven by playwright-core) with a fresh profile and no
// network of its own.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const repo = path.resolve(fileURLToPath(new URL("../../..", import.meta.url)));
const target = process.env.CARGO_TARGET_DIR ? path.resolve(process.env.CARGO_TARGET_DIR) : path.join(repo, "target");
/** The assembled viewer (VIEWER_DIR), the CLI (EMR) and the screenshots' folder (ARTIFACTS, created). */
export const paths = {
  viewerDir: path.resolve(process.env.VIEWER_DIR ?? path.join(target, "viewer")),
  emr: path.resolve(process.env.EMR ?? path.join(target, "release/emr")),
  artifacts: path.resolve(process.env.ARTIFACTS ?? path.join(target, "viewer-artifacts")),
};
mkdirSync(paths.artifacts, { recursive: true });

/** A persistent context on a fresh profile; `close()` ends it and removes the profile. */
export async function launch() {
  const profile = mkdtempSync(path.join(tmpdir(), "emr-viewer-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    // Playwright adds --no-sandbox (needed as root) and its own headless flags; these keep Chromium
    // off the network. The fresh --user-data-dir is launchPersistentContext's first argument.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1280, height: 800 },
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

/** The requests that went anywhere but `origins` (`data:` URLs stay in the page), with the
 * requests the page tried outside them (`outside`), each once. */
export function leaks(requests, outside, origins) {
  return [...new Set([...outside, ...requests.filter((u) => !u.startsWith("data:") && !origins.some((o) => u.startsWith(`${o}/`)))])];
}

/** Report a failed step as every viewer test does: the step, the error, the page's own
 * complaints, and a full-page screenshot `name` in the artifacts folder. */
export async function reportFailure(page, step, error, problems, name) {
  console.log(`not ok - ${step}\n    ${String(error?.message ?? error).split("\n").join("\n    ")}`);
  if (problems.length) console.log(`    also: ${problems.join("; ")}`);
  await page.screenshot({ path: path.join(paths.artifacts, name), fullPage: true }).catch(() => {});
}

/** Watch a context's page: every request is recorded (`requests`); a request outside `origins` is
 * recorded in `outside` and aborted, unless `intercept(route, url)` answers it first (returning a
 * promise); page errors and console messages (but for Chromium's verbose/debug hints and those
 * matching `expectedConsole`) go to `problems`. `shot(name)` saves a full-page screenshot. */
export async function watch(context, origins, { intercept, expectedConsole } = {}) {
  const requests = [];
  const outside = [];
  const problems = [];
  context.on("request", (r) => requests.push(r.url()));
  await context.route("**/*", (route) => {
    const url = route.request().url();
    const answered = intercept?.(route, url);
    if (answered) return answered;
    if (origins.some((o) => url.startsWith(`${o}/`))) return route.continue();
    outside.push(url);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  // The viewer logs nothing: any console message of the page or its worker (the page's "console"
  // event has both) is a failure, but for Chromium's own "verbose" hints (autocomplete attributes…).
  page.on(
    "console",
    (m) => ["verbose", "debug"].includes(m.type()) || expectedConsole?.test(m.text()) || problems.push(`console ${m.type()}: ${m.text()}`),
  );
  const shot = (name) => page.screenshot({ path: path.join(paths.artifacts, `${name}.png`), fullPage: true });
  return { page, requests, outside, problems, shot };
}
