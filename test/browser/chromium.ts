/**
 * Headless Chromium for the browser tests: Debian's `chromium` package, driven by playwright-core
 * (which downloads no browser of its own). A missing Chromium fails the tests with the command
 * that installs it: a browser test that skips itself would hide that browsers went untested.
 */
import { access, constants } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';

/** `CHROMIUM_PATH` when set, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Flags for a machine without a display, GPU or outside network: no background connections
 * (updates, sync, field trials), so nothing but the page talks to the network. Playwright adds
 * `--headless` and a fresh, temporary `--user-data-dir` itself (it refuses one in `args`).
 */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchChromium(): Promise<Browser> {
  try {
    await access(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}, and the browser tests need it. ` +
        'Install Debian\'s package: `apt-get update && apt-get install -y chromium` (as root; .ci/run does this), ' +
        'or set CHROMIUM_PATH to a Chromium or Chrome binary. (`npx playwright install` is not needed and does not work offline.)',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS, timeout: 15_000 });
}
