/**
 * How long the release page takes in Chromium for a release with 500 audit entries:
 * from navigation to the whole audit trail on screen (target: under 1 s). The server
 * runs as its own process from dist/, as `gatehouse serve` does.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureChromium, launchChromium } from '../../test/support/browser.js';
import { spawnAndWait, stop } from '../support.js';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const AUDIT_ENTRIES = 500;
const RUNS = 7;

export interface UiReleasePage {
  auditEntries: number;
  medianMs: number;
  maxMs: number;
}

export async function uiReleasePage(log: (line: string) => void): Promise<UiReleasePage> {
  ensureChromium();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-ui-'));
  const gatehouse = await spawnAndWait(
    process.execPath,
    [CLI, 'serve', '--port', '0', '--log-level', 'silent', '--data-dir', dir],
    /is running at (http:\/\/\S+)/,
  );
  const browser = await launchChromium();
  try {
    const url = gatehouse.match[1]!;
    const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = (await (
      await fetch(`${url}/releases`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          title: 'Audit-heavy release',
          version: '1.0.0',
          classification: 'minor',
          services: [],
        }),
      })
    ).json()) as { key: string; revision: number };
    // Each change appends one audit entry for the release.
    let revision = created.revision;
    for (let n = 1; n < AUDIT_ENTRIES; n++) {
      const response = await fetch(`${url}/releases/${created.key}`, {
        method: 'PATCH',
        headers: { ...headers, 'if-match': `"${revision}"` },
        body: JSON.stringify({ justification: `change ${n}` }),
      });
      revision = ((await response.json()) as { revision: number }).revision;
    }

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.addInitScript(`sessionStorage.setItem('gatehouse.token', ${JSON.stringify(token)})`);
    const lastEntry = page.locator('#audit ~ ol > li').nth(AUDIT_ENTRIES - 1);
    const timings: number[] = [];
    for (let run = 0; run <= RUNS; run++) {
      const started = performance.now();
      await page.goto(`${url}/ui/releases/${created.key}`);
      await lastEntry.waitFor();
      // The first run warms the browser's cache of the UI's files; it is not counted.
      if (run > 0) timings.push(performance.now() - started);
    }
    timings.sort((a, b) => a - b);
    const result = {
      auditEntries: AUDIT_ENTRIES,
      medianMs: timings[Math.floor(timings.length / 2)]!,
      maxMs: timings[timings.length - 1]!,
    };
    log(
      `release page with ${AUDIT_ENTRIES} audit entries, navigation to full trail: median ${result.medianMs.toFixed(0)} ms, max ${result.maxMs.toFixed(0)} ms over ${RUNS} loads (target < 1000 ms)`,
    );
    return result;
  } finally {
    await browser.close();
    await stop(gatehouse.child);
    rmSync(dir, { recursive: true, force: true });
  }
}
