import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

/** Debian's Chromium: the browser tests never download one (DESIGN §8). */
export const CHROMIUM = "/usr/bin/chromium";

/** The flags headless Chromium needs on this machine and in CI (no sandbox as root, no GPU, no network chatter). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A fresh headless Chromium profile; `close()` ends the browser and removes the profile. */
export async function launchChromium(viewport: { width: number; height: number }): Promise<{
  context: BrowserContext;
  close(): Promise<void>;
}> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: run \`apt-get update && apt-get install -y chromium\` (CI installs it in .ci/run).`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), "handoff-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: CHROMIUM_ARGS,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
