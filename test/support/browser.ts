/**
 * A real Chromium for the UI suite: Debian's package at /usr/bin/chromium, driven by
 * playwright-core (which never downloads a browser). Installed with apt when absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'ui');
const UI_INDEX = join(import.meta.dirname, '..', '..', 'web', 'dist', 'index.html');

/**
 * Installs Chromium from Debian when it is missing; fails with apt's own words otherwise.
 * The UI suites run in parallel, and two installs at once fight over dpkg's lock (the
 * second fails at once): flock (util-linux) makes the later one wait for the first and
 * then find the browser there. apt also waits a while for a lock held by anything else.
 */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const apt = 'apt-get -o DPkg::Lock::Timeout=300';
  const install = `test -x ${CHROMIUM} || { ${apt} update && ${apt} install -y --no-install-recommends chromium; }`;
  const result = spawnSync(
    'flock',
    [join(tmpdir(), 'gatehouse-chromium-install.lock'), 'sh', '-c', install],
    { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } },
  );
  if (result.status !== 0)
    throw new Error(`installing chromium with apt-get failed: ${result.stderr || result.error}`);
  if (!existsSync(CHROMIUM)) throw new Error(`apt installed chromium but ${CHROMIUM} is absent`);
}

/** The suite tests the built UI; build it when a bare `node --test` runs before `npm run build`. */
export function ensureUiBuilt(): void {
  if (existsSync(UI_INDEX)) return;
  const result = spawnSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts'], {
    cwd: join(import.meta.dirname, '..', '..'),
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`vite build failed: ${result.stderr}`);
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** Runs axe-core in the page; returns the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the debugging protocol, so the page's CSP stays on and untouched.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    return (await axe.run()).violations;
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
