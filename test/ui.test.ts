/**
 * The web UI in a real browser against a real server on SQLite: sign in, create a
 * release, find it on the board, open it, be refused with the product's reason, move it
 * on. Every screen is checked for console errors and by axe-core, and photographed into
 * test-artifacts/ui/. Also: how the server serves the UI's files beside the API.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { buildServer } from '../src/http/server.js';
import {
  ensureChromium,
  ensureUiBuilt,
  launchChromium,
  screenshot,
  seriousViolations,
} from './support/browser.js';
import { engines } from './support/engines.js';
import { startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

const sqlite = (await engines()).find((engine) => engine.name === 'sqlite')!;

describe('web UI', () => {
  let server: TestServer;
  before(async () => {
    ensureUiBuilt();
    server = await startTestServer(sqlite);
    const applied = await server.call('POST', '/catalog/apply', { body: TEST_CATALOG });
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
  });
  after(async () => server?.close());

  describe('served by the API server', () => {
    it('redirects / and /ui to the UI', async () => {
      for (const path of ['/', '/ui']) {
        const response = await fetch(server.url + path, { redirect: 'manual' });
        assert.equal(response.status, 302);
        assert.equal(response.headers.get('location'), '/ui/');
      }
    });

    it('answers the page for client routes, without a token, under a strict CSP', async () => {
      for (const path of ['/ui/', '/ui/releases/REL-1', '/ui/sign-in']) {
        const response = await fetch(server.url + path);
        assert.equal(response.status, 200, path);
        assert.match(response.headers.get('content-type')!, /text\/html/);
        assert.match(response.headers.get('content-security-policy')!, /default-src 'self'/);
        assert.match(await response.text(), /<div id="root">/);
      }
    });

    it('serves hashed assets as immutable and a missing asset as a 404 problem', async () => {
      const html = await (await fetch(server.url + '/ui/')).text();
      const script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      assert.ok(script, 'the page names its script');
      const asset = await fetch(server.url + script);
      assert.equal(asset.status, 200);
      assert.match(asset.headers.get('cache-control')!, /immutable/);
      const missing = await fetch(server.url + '/ui/assets/gone.js');
      assert.equal(missing.status, 404);
      assert.equal(((await missing.json()) as any).code, 'route-not-found');
    });

    it('leaves the API as it was: tokens required, UI routes kept out of OpenAPI', async () => {
      const anonymous = await server.call('GET', '/releases', { token: null });
      assert.equal(anonymous.status, 401);
      const openapi = await server.call('GET', '/openapi.json');
      assert.ok(!Object.keys(openapi.body.paths).some((path) => path.startsWith('/ui')));
    });

    it('says to build the UI when a server has none', async () => {
      const empty = mkdtempSync(join(tmpdir(), 'gatehouse-no-ui-'));
      const bare = await buildServer(server.running.app, { uiRoot: empty });
      try {
        const response = await bare.inject({ url: '/ui/releases/REL-1' });
        assert.equal(response.statusCode, 404);
        assert.equal(response.json().code, 'ui-not-built');
        assert.match(response.json().detail, /npm run build/);
      } finally {
        await bare.close();
        rmSync(empty, { recursive: true, force: true });
      }
    });
  });

  describe('in Chromium', () => {
    let browser: Browser;
    let page: Page;
    /** Console errors since the last screen check, less the refusals a step expects. */
    let consoleErrors: string[] = [];
    before(async () => {
      ensureChromium();
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.on('console', (message: ConsoleMessage) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
      // A content-security-policy violation anywhere fails the screen it happens on.
      // (Source text: this file is compiled without the DOM's types.)
      await page.addInitScript(
        "document.addEventListener('securitypolicyviolation', (event) => " +
          'console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`))',
      );
    });
    after(async () => browser?.close());

    /** Every screen: no console error (but the HTTP refusals named), no serious a11y issue, a photo. */
    async function checkScreen(name: string, expectedStatuses: number[] = []) {
      await page.waitForLoadState('networkidle');
      const unexpected = consoleErrors.filter(
        (text) =>
          !expectedStatuses.some((status) =>
            text.includes(`the server responded with a status of ${status}`),
          ),
      );
      consoleErrors = [];
      assert.deepEqual(unexpected, [], `console errors on ${name}`);
      const violations = await seriousViolations(page);
      assert.deepEqual(
        violations.map(
          (v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes[0]?.target)}`,
        ),
        [],
        `accessibility on ${name}`,
      );
      await screenshot(page, name);
    }

    it('walks a release manager from sign-in to a moved release', async () => {
      await page.goto(server.url + '/ui/');
      await page.getByRole('heading', { name: 'Sign in to Gatehouse' }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/ui/sign-in');
      await checkScreen('01-sign-in');

      // A wrong token is refused with the server's reason and nothing is kept.
      await page.getByLabel('API token').fill('not-a-real-token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page
        .getByRole('alert')
        .getByText(/API token was refused/)
        .waitFor();
      await checkScreen('02-sign-in-refused', [401]);

      await page.getByLabel('API token').fill(server.adminToken);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Release board' }).waitFor();
      await page.getByText('No release matches').waitFor();
      await checkScreen('03-board-empty');

      await page.getByRole('main').getByRole('link', { name: 'New release' }).click();
      await page.getByRole('heading', { name: 'New release' }).waitFor();
      await page.getByLabel('payments-api').waitFor();
      await page.getByLabel('Title').fill('Payments API 2.5');
      await page.getByLabel('Version').fill('2.5.0');
      await page.getByLabel('Team').selectOption('payments');
      await page.getByLabel('payments-api').check();
      await page.getByLabel('Features (one a line)').fill('Apple Pay\nGoogle Pay');
      await page.getByLabel('Fixes (one a line)').fill('Rounding of refunds');
      await page.getByLabel('Business justification').fill('Customers asked for wallets');
      await page.getByLabel('Rollback plan').fill('Redeploy 2.4.0');
      await checkScreen('04-new-release');
      await page.getByRole('button', { name: 'Create release' }).click();

      await page.getByRole('heading', { name: /Payments API 2\.5/ }).waitFor();
      const key = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
      assert.match(key, /^REL-\d+$/);
      const stored = await server.call('GET', `/releases/${key}`);
      assert.equal(stored.body.team, 'payments');
      assert.deepEqual(stored.body.scope.features, ['Apple Pay', 'Google Pay']);
      await page.getByText('release.created').waitFor(); // the audit trail
      await checkScreen('05-release-plan');

      // Cancelling needs a reason: the server refuses and the page says why.
      await page.getByRole('button', { name: 'Move to Cancelled' }).click();
      await page
        .getByRole('alert')
        .getByRole('listitem')
        .filter({ hasText: 'this transition needs a reason' })
        .waitFor();
      assert.equal((await server.call('GET', `/releases/${key}`)).body.state, 'plan');
      await checkScreen('06-release-refused', [409]);

      await page.getByRole('button', { name: 'Move to Prepare' }).click();
      await page.getByText('Plan → Prepare by').waitFor(); // the history
      await page.getByRole('button', { name: 'Move to Test' }).click();
      await page.getByText('Prepare → Test by').waitFor();
      // No planned window: the check says so before the move, and the refusal after it.
      await page.getByText('no planned window is set').first().waitFor();
      await page.getByRole('button', { name: 'Move to Approve' }).click();
      await page
        .getByRole('alert')
        .getByRole('listitem')
        .filter({ hasText: 'no planned window is set' })
        .waitFor();
      const moved = await server.call('GET', `/releases/${key}`);
      assert.equal(moved.body.state, 'test');
      await checkScreen('07-release-test', [409]);

      await page.getByRole('link', { name: 'Release board' }).click();
      const testColumn = page.getByRole('region', { name: 'Test' });
      await testColumn.getByRole('link', { name: new RegExp(key) }).waitFor();
      await page.getByLabel('Team').selectOption('platform');
      await page.getByText('No release matches').waitFor();
      await page.getByLabel('Team').selectOption('payments');
      await testColumn.getByRole('link', { name: new RegExp(key) }).waitFor();
      assert.match(page.url(), /team=payments/);
      await checkScreen('08-board');

      // A phone: the same screens fit 390 px without sideways scrolling.
      await page.setViewportSize({ width: 390, height: 844 });
      const fits = () =>
        page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');
      assert.ok(await fits(), 'board fits a phone');
      await checkScreen('09-board-phone');
      await testColumn.getByRole('link', { name: new RegExp(key) }).click();
      await page.getByRole('heading', { name: /Payments API 2\.5/ }).waitFor();
      assert.ok(await fits(), 'release page fits a phone');
      await checkScreen('10-release-phone');
    });

    it('runs under its content security policy: an injected inline script is refused', async () => {
      await page.goto(server.url + '/ui/');
      await page.waitForLoadState('networkidle');
      consoleErrors = [];
      const ran = await page.evaluate(
        "(() => { const script = document.createElement('script');" +
          " script.textContent = 'window.injected = true'; document.head.append(script);" +
          ' return window.injected === true; })()',
      );
      assert.equal(ran, false, 'the inline script ran: no CSP in force');
      await page.waitForTimeout(100);
      assert.ok(
        consoleErrors.some((text) => /CSP violation: script-src/.test(text)),
        `the violation was reported: ${consoleErrors.join(' | ')}`,
      );
      consoleErrors = [];
    });
  });
});
