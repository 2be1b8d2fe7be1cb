/**
 * The main journey of the web UI in Chromium against a real server on SQLite: create a
 * release, see its gates fail, add evidence, see them pass, be refused with the
 * product's reasons, approve as another person, deploy, and see the dashboard change.
 * Then every other screen (calendar, CAB queue and meeting, reviews, lessons), and all
 * of them again on a 390-pixel phone. Every screen: no console error, no serious or
 * critical axe-core violation, a screenshot in test-artifacts/ui/. The viewer sits in
 * Asia/Kolkata with en-GB, so times and numbers are the viewer's, not the server's.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import {
  ensureChromium,
  ensureUiBuilt,
  launchChromium,
  screenshot,
  seriousViolations,
} from './support/browser.js';
import { engines } from './support/engines.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

const sqlite = (await engines()).find((engine) => engine.name === 'sqlite')!;
const fixture = (name: string) =>
  fileURLToPath(new URL(`./fixtures/evidence/${name}`, import.meta.url));
const DAY = 86_400_000;
/** A UTC wall-clock time as the calendar API takes it (YYYY-MM-DDTHH:mm). */
const wallClock = (ms: number) => new Date(ms).toISOString().slice(0, 16);

describe('web UI journey in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const tokens: Record<string, string> = {};
  let majorKey: string;
  let consoleErrors: string[] = [];
  /** Every screen visited, to visit again on a phone. */
  const screens: { name: string; path: string; ready: string | RegExp }[] = [];

  before(async () => {
    ensureUiBuilt();
    ensureChromium();
    server = await startTestServer(sqlite);
    const applied = await server.call('POST', '/catalog/apply', { body: TEST_CATALOG });
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    for (const [name, roles] of [
      ['ann', ['approver']],
      ['carla', ['cab-member']],
    ] as const) {
      assert.equal((await server.call('POST', '/users', { body: { name, roles } })).status, 201);
      tokens[name] = (
        await server.call('POST', '/tokens', { body: { name: 'ui', user: name } })
      ).body.token;
    }
    tokens.admin = server.adminToken;
    // A freeze today on a service the journey does not touch, and a daily CAB sitting.
    const today = Date.parse(new Date().toISOString().slice(0, 10));
    const freeze = await server.call('POST', '/calendar/windows', {
      body: {
        name: 'auth-freeze',
        kind: 'freeze',
        timeZone: 'UTC',
        start: wallClock(today),
        end: wallClock(today + DAY - 60_000),
        scope: { services: ['auth'] },
        description: 'Identity provider migration',
      },
    });
    assert.equal(freeze.status, 201, JSON.stringify(freeze.body));
    const cab = await server.call('POST', '/cab/meetings', {
      body: {
        name: 'daily-cab',
        title: 'Daily CAB',
        timeZone: 'UTC',
        start: wallClock(today - 7 * DAY),
        end: wallClock(today - 7 * DAY + 1800_000),
        rrule: 'FREQ=DAILY',
        members: ['carla'],
      },
    });
    assert.equal(cab.status, 201, JSON.stringify(cab.body));
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      locale: 'en-GB',
      timezoneId: 'Asia/Kolkata',
    });
    page = await context.newPage();
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  // A failed step's console errors are its own, not the next test's.
  beforeEach(() => {
    consoleErrors = [];
  });

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

  /** Opens a screen by its address, waits for what says it is ready, checks it. */
  async function visit(name: string, path: string, ready: string | RegExp) {
    await page.goto(server.url + path);
    await page.getByRole('heading', { name: ready }).first().waitFor();
    await checkScreen(`journey-${name}`);
    screens.push({ name, path, ready });
  }

  async function signInAs(user: string) {
    await page.goto(server.url + '/ui/sign-in');
    await page.getByLabel('API token').fill(tokens[user]!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Release board' }).waitFor();
  }

  const tile = () =>
    page.locator('.tile').filter({ hasText: 'Deployment frequency' }).locator('dd').innerText();

  it('creates, gates, evidences, approves and deploys a release, and the dashboard follows', async () => {
    await signInAs('admin');
    await visit('dashboards-before', '/ui/dashboards', 'Dashboards');
    assert.match(await tile(), /^0 deployments/);
    await page.getByLabel('Group by').selectOption('environment');
    await page.getByRole('heading', { name: 'By environment' }).waitFor();
    await page.getByText('No deployment in the range.').waitFor();

    // Create the release from the form, planned from an hour ago for three hours.
    await page.goto(server.url + '/ui/releases/new');
    await page.getByLabel('payments-api').waitFor();
    // A datetime-local value in the browser's own time zone (a string: the test's
    // compiler would wrap a function's helpers in names the page does not have).
    const local = (offset: number) =>
      page.evaluate<string>(
        `(() => { const d = new Date(Date.now() + ${offset}); const p = (n) => String(n).padStart(2, '0'); ` +
          "return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes()); })()",
      );
    await page.getByLabel('Title').fill('Payments API 2.6');
    await page.getByLabel('Version').fill('2.6.0');
    await page.getByLabel('Team').selectOption('payments');
    await page.getByLabel('payments-api').check();
    await page.getByLabel('Features (one a line)').fill('Wallet refunds');
    await page.getByLabel('Business justification').fill('Refunds to wallets');
    await page.getByLabel('Rollback plan').fill('Redeploy 2.5.0');
    await page.getByLabel('Opens').fill(await local(-3600_000));
    await page.getByLabel('Closes').fill(await local(2 * 3600_000));
    await page.getByRole('button', { name: 'Create release' }).click();
    await page.getByRole('heading', { name: /Payments API 2\.6/ }).waitFor();
    const key = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    const path = `/ui/releases/${key}`;
    // ICU may still name the zone by its older name.
    await page.getByText(/Times in Asia\/(Kolkata|Calcutta)\./).waitFor();
    // Risk with each factor, approvals with who may still approve, empty states.
    await page.getByRole('heading', { name: 'Risk' }).waitFor();
    assert.ok((await page.getByRole('region', { name: 'Risk' }).locator('tbody tr').count()) > 0);
    await page.getByText('No evidence yet').waitFor();
    await page.getByText('No CAB decision on this release.').waitFor();
    await page.getByText('No canary analysis for this release.').waitFor();

    // The production gate fails and says what is missing.
    const gates = page.getByRole('region', { name: 'Gates' });
    await gates.getByLabel('Environment').selectOption('prod');
    await gates.getByRole('button', { name: 'Check gate' }).click();
    const prodGate = page.getByRole('group', { name: 'Gate for prod' });
    await prodGate.getByText('gate fails').waitFor();
    const testsRule = prodGate.getByRole('row').filter({ hasText: 'tests-pass-rate' });
    await testsRule.getByRole('cell', { name: 'failed', exact: true }).waitFor();
    await testsRule.getByText(/--type junit/).waitFor();
    await gates.getByLabel('Environment').selectOption('sit');
    await gates.getByRole('button', { name: 'Check gate' }).click();
    await page.getByRole('group', { name: 'Gate for sit' }).getByText('gate fails').waitFor();
    await checkScreen('journey-gates-fail');

    // Add evidence by hand: a test report and an SBOM.
    const evidence = page.getByRole('form', { name: 'Add evidence' });
    await evidence.getByLabel('Report type').selectOption('junit');
    await evidence.getByLabel('Report file').setInputFiles(fixture('node-test.junit.xml'));
    await evidence.getByRole('button', { name: 'Add evidence' }).click();
    await page.getByRole('cell', { name: 'node-test.junit.xml' }).waitFor();
    await evidence.getByLabel('Report type').selectOption('cyclonedx');
    await evidence.getByLabel('Report file').setInputFiles(fixture('gatehouse.cdx.json'));
    await evidence.getByRole('button', { name: 'Add evidence' }).click();
    await page.getByRole('cell', { name: 'gatehouse.cdx.json' }).waitFor();
    // An empty upload is refused with the product's reason, naming the field.
    await evidence.getByRole('button', { name: 'Add evidence' }).click();
    await evidence
      .locator('xpath=..')
      .getByRole('alert')
      .getByRole('listitem')
      .filter({ hasText: /is empty: send the report file/ })
      .waitFor();
    // The gates shown are judged again: sit passes, and prod's tests rule now passes.
    await page.getByRole('group', { name: 'Gate for sit' }).getByText('gate passes').waitFor();
    await testsRule.getByRole('cell', { name: 'passed', exact: true }).waitFor();
    await prodGate.getByText('gate fails').waitFor();
    const stored = await server.call('GET', `/releases/${key}/evidence`);
    assert.deepEqual(stored.body.map((e: { type: string }) => e.type).sort(), [
      'cyclonedx',
      'junit',
    ]);
    await checkScreen('journey-gates-pass', [400]);

    // Pre-production first; production is refused by its gate, with the rules named.
    const record = page.getByRole('form', { name: 'Record a deployment' });
    await record.getByLabel('To environment').selectOption('pre-prod');
    await record.getByLabel('Status').selectOption('succeeded');
    await record.getByRole('button', { name: 'Record deployment' }).click();
    await page.getByRole('group', { name: 'Deployments to pre-prod' }).waitFor();
    await record.getByLabel('To environment').selectOption('prod');
    await record.getByLabel('Region').selectOption('eu-west');
    await record.getByRole('button', { name: 'Record deployment' }).click();
    const refusal = page
      .getByRole('region', { name: 'Deployments' })
      .getByRole('alert')
      .filter({ hasText: 'does not pass' });
    await refusal.getByText('approvals-complete').waitFor();
    assert.equal(
      (await server.call('GET', `/releases/${key}/deployments`)).body.length,
      1,
      'the refused production deployment was not written',
    );
    await checkScreen('journey-deploy-refused', [409]);

    // Into Approve; the requester may not approve their own release, and is told why.
    for (const [to, from] of [
      ['Prepare', 'Plan'],
      ['Test', 'Prepare'],
      ['Approve', 'Test'],
    ]) {
      await page.getByRole('button', { name: `Move to ${to}` }).click();
      await page.getByText(`${from} → ${to} by`).waitFor();
    }
    const approvals = page.getByRole('region', { name: 'Approvals' });
    await approvals.getByRole('heading', { name: /technical: open/ }).waitFor();
    await approvals
      .locator('p')
      .filter({ hasText: /May still approve: .*ann/ })
      .waitFor();
    await approvals.getByRole('button', { name: 'Approve', exact: true }).click();
    await approvals.getByRole('alert').waitFor();
    await checkScreen('journey-approval-refused', [403, 409]);

    // Ann approves in her own session.
    await signInAs('ann');
    await page.goto(server.url + path);
    await page
      .getByRole('region', { name: 'Approvals' })
      .getByRole('heading', { name: /technical: open/ })
      .waitFor();
    await page.getByLabel('Comment, or the reason of a rejection').fill('Looks good');
    await page
      .getByRole('region', { name: 'Approvals' })
      .getByRole('button', { name: 'Approve', exact: true })
      .click();
    await page.getByText('Approved by ann.').waitFor();
    // An approver may not read the audit log: the section says why (the 403 is expected).
    await page
      .getByRole('region', { name: 'Audit trail' })
      .getByText(/audit:read|may not/i)
      .waitFor();
    await checkScreen('journey-approved', [403]);
    const status = await server.call('GET', `/releases/${key}/approvals`);
    assert.equal(status.body.state, 'complete');

    // Back as the release manager: the production gate passes and the deployment goes in.
    await signInAs('admin');
    await page.goto(server.url + path);
    await page.getByRole('heading', { name: /Payments API 2\.6/ }).waitFor();
    await gates.getByLabel('Environment').selectOption('prod');
    await gates.getByRole('button', { name: 'Check gate' }).click();
    await prodGate.getByText('gate passes').waitFor();
    await record.getByLabel('To environment').selectOption('prod');
    await record.getByLabel('Region').selectOption('eu-west');
    await record.getByLabel('Status').selectOption('succeeded');
    await record.getByRole('button', { name: 'Record deployment' }).click();
    await page.getByRole('group', { name: 'Deployments to prod / eu-west' }).waitFor();
    await checkScreen('journey-deployed');
    screens.push({ name: 'release', path, ready: /Payments API 2\.6/ });

    // The dashboard counts the production deployment.
    await visit('dashboards-after', '/ui/dashboards', 'Dashboards');
    assert.match(await tile(), /^1 deployments/);
    await page.getByRole('rowheader', { name: 'payments', exact: true }).waitFor();
    assert.equal(await page.locator('figure.chart svg[role="img"] title').first().count(), 1);

    // An incident caused by that deployment opens a review; the review screens show it.
    const deployments = (await server.call('GET', `/releases/${key}/deployments`)).body;
    const prod = deployments.find((d: { environment: string }) => d.environment === 'prod');
    const incident = await server.call('POST', '/incidents', {
      body: {
        title: 'Refunds double-posted',
        severity: 2,
        service: 'payments-api',
        startedAt: new Date().toISOString(),
        causedBy: [prod.id],
      },
    });
    assert.equal(incident.status, 201, JSON.stringify(incident.body));
    await page.goto(server.url + path);
    await page
      .getByRole('region', { name: 'Incidents' })
      .getByText('Refunds double-posted')
      .waitFor();
    const reviewLink = page.getByRole('region', { name: 'Review' }).getByRole('link');
    await reviewLink.waitFor();
    const reviewKey = (await reviewLink.innerText()).trim();
    await visit('reviews', '/ui/reviews', 'Post-release reviews');
    await page.getByRole('link', { name: reviewKey }).click();
    await page.getByRole('heading', { name: new RegExp(`Review ${reviewKey}`) }).waitFor();
    await page
      .getByRole('textbox', { name: 'Cause', exact: true })
      .fill('The refund job retried without an idempotency key');
    await page.getByRole('button', { name: 'Add cause' }).click();
    await page.getByText('Why? The refund job retried').waitFor();
    const actionForm = page.getByRole('form', { name: 'Add an action item' });
    await actionForm.getByLabel('Action').fill('Idempotency keys on refund retries');
    await actionForm.getByLabel('Owner').fill('ann');
    await actionForm.getByRole('button', { name: 'Add action item' }).click();
    await page
      .locator('li')
      .filter({ hasText: /Idempotency keys on refund retries — open, owner ann/ })
      .waitFor();
    // Closing with mandatory sections empty is refused with the product's reason.
    await page.getByRole('button', { name: 'Close review' }).click();
    await page.getByRole('region', { name: 'Complete the review' }).getByRole('alert').waitFor();
    await checkScreen('journey-review', [400, 409, 422]);
    screens.push({ name: 'review', path: `/ui/reviews/${reviewKey}`, ready: /Review / });
  });

  it('shows the calendar, the CAB and its agenda, and lessons learned', async () => {
    // A major release planned between the next sitting and the one after: on the agenda
    // (made only now: as an open release of a dependency it would hold the journey's).
    const today = Date.parse(new Date().toISOString().slice(0, 10));
    const start = new Date(today + DAY + 12 * 3600_000).toISOString();
    const end = new Date(today + DAY + 13 * 3600_000).toISOString();
    const major = await server.call('POST', '/releases', {
      body: releaseBody({
        title: 'Ledger 3.0',
        version: '3.0.0',
        classification: 'major',
        services: [{ service: 'ledger', version: '3.0.0' }],
        plannedWindow: { start, end, environment: 'prod' },
      }),
    });
    assert.equal(major.status, 201, JSON.stringify(major.body));
    majorKey = major.body.key;

    // Anchored on tomorrow (UTC), so the month shown holds the major release's window.
    const tomorrow = new Date(Date.now() + DAY).toISOString().slice(0, 10);
    await visit('calendar-month', `/ui/calendar?at=${tomorrow}`, /^Calendar: /);
    await page.getByText('Freeze: auth-freeze').first().waitFor();
    await page
      .getByRole('link', { name: new RegExp(majorKey) })
      .first()
      .waitFor();
    await page.getByRole('button', { name: 'Week' }).click();
    await page.getByRole('heading', { name: /week of/ }).waitFor();
    await checkScreen('journey-calendar-week');

    await visit('cab-queue', '/ui/cab', 'Change Advisory Board');
    await page.getByRole('link', { name: 'Daily CAB' }).waitFor();
    // Carla, a member, decides the major release with a condition.
    await signInAs('carla');
    await visit('cab-meeting', '/ui/cab/daily-cab', 'Daily CAB');
    const item = page.getByRole('article').filter({ hasText: majorKey });
    await item
      .locator('dt')
      .filter({ hasText: /^Risk: / })
      .waitFor();
    await item
      .locator('dt')
      .filter({ hasText: /^Rollback readiness: / })
      .waitFor();
    await item.getByLabel(`Decision on ${majorKey}`).selectOption('conditional-go');
    await item.getByLabel(`Rationale for ${majorKey}`).fill('Low traffic window');
    await item.getByLabel(`Conditions for ${majorKey} (one a line)`).fill('DBA on call');
    await item.getByRole('button', { name: 'Record decision' }).click();
    await item
      .locator('p')
      .filter({ hasText: /Decided conditional-go by carla/ })
      .waitFor();
    const decisions = await server.call('GET', `/releases/${majorKey}/cab-decisions`);
    assert.equal(decisions.body.at(-1).decision, 'conditional-go');
    await checkScreen('journey-cab-decided');
    await page.goto(server.url + `/ui/releases/${majorKey}`);
    await page
      .getByRole('region', { name: 'CAB decisions' })
      .getByText('DBA on call', { exact: false })
      .waitFor();
    // The major release has no review: carla opens one by hand; a second is refused
    // with the product's reason.
    const reviewRegion = page.getByRole('region', { name: 'Review' });
    await reviewRegion.getByText('No post-release review opened for this release.').waitFor();
    const openForm = page.getByRole('form', { name: 'Open a review' });
    await openForm.getByLabel('Reason').fill('First ledger major since the outage');
    await openForm.getByLabel('Template').selectOption('light');
    await openForm.getByRole('button', { name: 'Open a review' }).click();
    await reviewRegion.getByRole('link', { name: /^REV-\d+$/ }).waitFor();
    const opened = (await server.call('GET', `/reviews/${majorKey}`)).body;
    assert.equal(opened.template, 'light');
    assert.equal(opened.triggers[0].reason, 'opened by carla: First ledger major since the outage');
    await openForm.getByLabel('Reason').fill('Once more');
    await openForm.getByRole('button', { name: 'Open a review' }).click();
    await openForm
      .getByRole('alert')
      .getByText(/already has an open review, REV-\d+/)
      .waitFor();
    await checkScreen('journey-review-opened', [409]);

    await visit('lessons', '/ui/lessons', 'Lessons learned');
    await page.getByText('No closed review matches.').waitFor();
    // Filtered by risk: the board shows the releases at that level and no others. The
    // medium band starts at the major release's score, so the journey's releases differ.
    type Listed = { key: string; risk: { score: number; level: string } };
    const unbanded = (await server.call('GET', '/releases?limit=500')).body.items as Listed[];
    const { weights } = (await server.call('GET', '/risk/weights')).body;
    const medium = unbanded.find((r) => r.key === majorKey)!.risk.score;
    const set = await server.call('PUT', '/risk/weights', {
      body: { ...weights, bands: { medium, high: medium + 100 } },
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    const listed = (await server.call('GET', '/releases?limit=500')).body.items as Listed[];
    const level = listed.find((r) => r.key === majorKey)!.risk.level;
    const atLevel = listed.filter((r) => r.risk.level === level).map((r) => r.key);
    const others = listed.filter((r) => r.risk.level !== level).map((r) => r.key);
    assert.ok(others.length > 0, `the journey's releases span levels: ${JSON.stringify(listed)}`);
    await visit('board', '/ui/', 'Release board');
    const card = (key: string) => page.locator('.card').filter({ hasText: key });
    await card(others[0]!).waitFor();
    await page.getByLabel('Risk').selectOption(level);
    for (const key of others) await card(key).waitFor({ state: 'detached' });
    for (const key of atLevel) await card(key).getByText(`${level} risk`).waitFor();
    assert.equal(new URL(page.url()).searchParams.get('risk'), level);
    await checkScreen('journey-board-by-risk');
  });

  it('fits every screen on a 390-pixel phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const seen = new Set<string>();
    for (const { name, path, ready } of screens) {
      if (seen.has(path)) continue;
      seen.add(path);
      await page.goto(server.url + path);
      await page.getByRole('heading', { name: ready }).first().waitFor();
      await page.waitForLoadState('networkidle');
      const fits = await page.evaluate<boolean>(
        'document.documentElement.scrollWidth <= window.innerWidth',
      );
      assert.ok(fits, `${name} fits a phone without sideways scrolling`);
      await checkScreen(`journey-phone-${name}`);
    }
  });
});
