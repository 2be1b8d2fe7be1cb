/**
 * CAB meetings, agendas, decisions, minutes and Go / No-Go checkpoints over HTTP on a
 * real port, on both engines: who may decide and who is refused (refusals audited), the
 * agenda built from policy, windows and risk, the gate reading the decision.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { engines } from './support/engines.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/evidence/${name}`, import.meta.url));
const DAY = 86_400_000;
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

for (const engine of await engines()) {
  describe(`CAB and Go / No-Go (${engine.name})`, { skip: engine.skip }, () => {
    let server: TestServer;
    const tokens: Record<string, string> = {};
    let sitting: string;
    let nextSitting: string;
    let high: string; // major, tier 1 restricted-data services: the riskier one
    let low: string; // major, one tier 2 service
    let minor: string; // streamlined path: no CAB
    let later: string; // major, window after the next sitting

    const as = (user: string) => ({ token: tokens[user]! });
    const auditActions = async (subjectType: string, subjectId: string) =>
      (
        await server.call(
          'GET',
          `/audit?subjectType=${subjectType}&subjectId=${encodeURIComponent(subjectId)}&limit=500`,
        )
      ).body.items.map((e: any) => ({ action: e.action, actor: e.actor, after: e.after }));
    const cabRule = async (release: string) =>
      (await server.call('GET', `/releases/${release}/gates/prod`)).body.rules.find(
        (r: any) => r.rule === 'cab-decision',
      );
    const createRelease = async (overrides: Record<string, unknown>) => {
      const created = await server.call('POST', '/releases', { body: releaseBody(overrides) });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body.key as string;
    };

    before(async () => {
      server = await startTestServer(engine);
      assert.equal(
        (await server.call('POST', '/catalog/apply', { body: TEST_CATALOG })).status,
        200,
      );
      for (const [name, roles] of [
        ['carla', ['cab-member']],
        ['cora', ['cab-member']],
        ['rita', ['release-manager']],
        ['dan', ['deployer']],
        ['vic', ['viewer']],
      ] as const) {
        assert.equal((await server.call('POST', '/users', { body: { name, roles } })).status, 201);
        tokens[name] = (
          await server.call('POST', '/tokens', { body: { name: 't', user: name } })
        ).body.token;
      }
    });
    after(async () => server?.close());

    test('a release manager schedules a weekly CAB in Berlin time; a deployer may not', async () => {
      const body = {
        name: 'weekly-cab',
        title: 'Weekly change advisory board',
        timeZone: 'Europe/Berlin',
        start: '2026-03-24T10:00',
        end: '2026-03-24T11:00',
        rrule: 'FREQ=WEEKLY;BYDAY=TU',
        members: ['carla'],
      };
      const refused = await server.call('POST', '/cab/meetings', { body, ...as('dan') });
      assert.equal(refused.status, 403);
      assert.match(refused.body.detail, /release-manager/);
      const created = await server.call('POST', '/cab/meetings', { body, ...as('rita') });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.deepEqual(created.body.members, ['carla']);
      const again = await server.call('POST', '/cab/meetings', { body, ...as('rita') });
      assert.equal(again.status, 409);

      const read = await server.call('GET', '/cab/meetings/weekly-cab', as('vic'));
      assert.equal(read.status, 200);
      assert.equal(read.body.upcoming.length, 5);
      for (const o of read.body.upcoming) {
        assert.equal(new Date(o.start).getUTCDay(), 2);
        // 10:00 in Berlin is 08:00 or 09:00 UTC depending on daylight saving.
        assert.ok([8, 9].includes(new Date(o.start).getUTCHours()), o.start);
      }
      [sitting, nextSitting] = read.body.upcoming.map((o: any) => o.start);
    });

    test('bad meetings are refused naming the field', async () => {
      const base = {
        name: 'bad-cab',
        title: 'Bad',
        timeZone: 'Europe/Berlin',
        start: '2026-03-24T10:00',
        end: '2026-03-24T11:00',
      };
      for (const [patch, field] of [
        [{ timeZone: 'Mars/Olympus' }, '/timeZone'],
        [{ rrule: 'FREQ=FORTNIGHTLY' }, '/rrule'],
        [{ start: '2026-03-29T02:30', end: '2026-03-29T04:00' }, '/start'],
        [{ members: ['nobody'] }, '/members/0'],
      ] as const) {
        const response = await server.call('POST', '/cab/meetings', {
          body: { ...base, ...patch },
        });
        assert.equal(response.status, 400, JSON.stringify(response.body));
        assert.ok(
          response.body.errors.some((e: any) => e.field === field),
          JSON.stringify(response.body),
        );
      }
      assert.equal((await server.call('GET', '/cab/meetings/bad-cab')).status, 404);
    });

    test('the agenda holds the releases needing a CAB before the next sitting, by risk', async () => {
      const window = (start: string) => ({
        start,
        end: plus(start, 3_600_000),
        environment: 'prod',
      });
      const inBetween = plus(sitting, DAY);
      low = await createRelease({ classification: 'major', plannedWindow: window(inBetween) });
      high = await createRelease({
        classification: 'major',
        title: 'Ledger and auth',
        services: [
          { service: 'auth', version: '5.0.0' },
          { service: 'ledger', version: '3.0.0' },
        ],
        facts: { schemaMigration: true, authChanges: true },
        rollbackPlan: '',
        plannedWindow: window(plus(inBetween, 3_600_000)),
      });
      minor = await createRelease({ classification: 'minor', plannedWindow: window(inBetween) });
      later = await createRelease({
        classification: 'major',
        plannedWindow: window(plus(nextSitting, DAY)),
      });

      const agenda = await server.call(
        'GET',
        `/cab/meetings/weekly-cab/agenda?at=${sitting}`,
        as('vic'),
      );
      assert.equal(agenda.status, 200, JSON.stringify(agenda.body));
      assert.equal(agenda.body.occurrence.start, sitting);
      assert.equal(agenda.body.nextMeeting.start, nextSitting);
      const keys = agenda.body.items.map((i: any) => i.release);
      assert.deepEqual(keys, [high, low]);
      const [first, second] = agenda.body.items;
      assert.ok(first.risk.score > second.risk.score);
      const risk = await server.call('GET', `/releases/${high}/risk`);
      assert.equal(first.risk.score, risk.body.score);
      assert.equal(first.approvalPath, 'cab');
      assert.equal(first.policy, 'major-production');
      assert.equal(first.rollbackReadiness.status, 'attention');
      assert.deepEqual(first.rollbackReadiness.rollbackOrder, ['ledger', 'auth']);
      assert.equal(second.rollbackReadiness.status, 'ok');
      assert.deepEqual(second.businessImpact.customerFacingChanged, ['payments-api']);
      assert.equal(first.testing.status, 'attention');
      assert.match(first.testing.summary, /no JUnit test report/);
      for (const criterion of [
        'risk',
        'testing',
        'businessImpact',
        'rollbackReadiness',
        'operationalReadiness',
      ]) {
        assert.ok(first[criterion].links.length > 0, criterion);
        // Every link is an API path that answers.
        for (const link of first[criterion].links) {
          const followed = await server.call('GET', link.href);
          assert.equal(followed.status, 200, `${criterion}: ${link.href}`);
        }
      }
      assert.equal(first.operationalReadiness.gateVerdict, 'fail');

      // The release after the next sitting is on the next sitting's agenda.
      const next = await server.call('GET', `/cab/meetings/weekly-cab/agenda?at=${nextSitting}`);
      assert.ok(next.body.items.some((i: any) => i.release === later));
      assert.ok(!next.body.items.some((i: any) => i.release === minor));

      const wrong = await server.call(
        'GET',
        `/cab/meetings/weekly-cab/agenda?at=${plus(sitting, 60_000)}`,
      );
      assert.equal(wrong.status, 400);
      assert.match(wrong.body.detail, /does not sit at/);
    });

    test('only members decide, with a rationale; each refusal is audited', async () => {
      const decide = (user: string, body: Record<string, unknown>) =>
        server.call('POST', '/cab/meetings/weekly-cab/decisions', {
          body: { occurrence: sitting, release: low, ...body },
          ...as(user),
        });
      const byDeployer = await decide('dan', { decision: 'go', rationale: 'fine' });
      assert.equal(byDeployer.status, 403);
      const byOutsider = await decide('cora', { decision: 'go', rationale: 'fine' });
      assert.equal(byOutsider.status, 403);
      assert.equal(byOutsider.body.code, 'not-a-member');
      const blank = await decide('carla', { decision: 'go', rationale: '   ' });
      assert.equal(blank.status, 400);
      assert.equal(blank.body.errors[0].field, '/rationale');
      const missing = await decide('carla', { decision: 'go' });
      assert.equal(missing.status, 400);
      const noConditions = await decide('carla', { decision: 'conditional-go', rationale: 'if' });
      assert.equal(noConditions.status, 400);
      assert.equal(noConditions.body.errors[0].field, '/conditions');
      const offAgenda = await decide('carla', { release: minor, decision: 'go', rationale: 'x' });
      assert.equal(offAgenda.status, 409);
      assert.equal(offAgenda.body.code, 'not-on-agenda');

      const refusals = (await auditActions('release', low)).filter(
        (e: any) => e.action === 'cab.decision.refused',
      );
      assert.deepEqual(refusals.map((e: any) => [e.actor, e.after.refused]).sort(), [
        ['carla', 'invalid-cab-decision'],
        ['carla', 'invalid-cab-decision'],
        ['cora', 'not-a-member'],
        ['dan', 'forbidden'],
      ]);
      assert.deepEqual(
        await server.call('GET', `/releases/${low}/cab-decisions`).then((r) => r.body),
        [],
      );
      assert.equal((await cabRule(low)).result, 'fail');
      assert.match((await cabRule(low)).reason, /no CAB decision/);
      // Nobody waives the board's decision away.
      const waiver = await server.call('POST', `/releases/${low}/waivers`, {
        body: {
          rule: 'cab-decision',
          justification: 'urgent',
          expiresAt: plus(new Date().toISOString(), DAY),
        },
        ...as('carla'),
      });
      assert.equal(waiver.status, 400);
      assert.equal(waiver.body.code, 'not-waivable');
    });

    test('a Conditional Go holds the gate until every condition is marked met by someone allowed', async () => {
      const decided = await server.call('POST', '/cab/meetings/weekly-cab/decisions', {
        body: {
          occurrence: sitting,
          release: low,
          decision: 'conditional-go',
          rationale: 'Low risk, but load test first',
          conditions: ['Load test at 2x peak passes', 'On-call engineer named'],
        },
        ...as('carla'),
      });
      assert.equal(decided.status, 201, JSON.stringify(decided.body));
      const id = decided.body.id;
      assert.equal(decided.body.conditions.length, 2);
      let rule = await cabRule(low);
      assert.equal(rule.result, 'fail');
      assert.match(rule.reason, /2 of 2 condition\(s\) not yet met: #1 Load test/);

      const twice = await server.call('POST', '/cab/meetings/weekly-cab/decisions', {
        body: { occurrence: sitting, release: low, decision: 'go', rationale: 'again' },
        ...as('carla'),
      });
      assert.equal(twice.status, 409);
      assert.equal(twice.body.code, 'already-decided');

      const met = (user: string, n: number, note?: string) =>
        server.call('POST', `/cab/decisions/${id}/conditions/${n}/met`, {
          body: note ? { note } : {},
          ...as(user),
        });
      const refused = await met('dan', 1);
      assert.equal(refused.status, 403);
      assert.equal((await met('vic', 1)).status, 403);
      assert.equal((await met('rita', 3)).status, 400);
      const first = await met('rita', 1, 'run 4711 green');
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.conditions[0].metBy, 'rita');
      assert.equal(first.body.conditions[0].note, 'run 4711 green');
      assert.equal((await met('carla', 1)).status, 409);
      rule = await cabRule(low);
      assert.equal(rule.result, 'fail');
      assert.match(rule.reason, /1 of 2 .* #2 On-call/);
      assert.equal((await met('carla', 2)).status, 200);
      rule = await cabRule(low);
      assert.equal(rule.result, 'pass', rule.reason);
      assert.match(rule.reason, /#1 by rita, #2 by carla/);

      const refusals = (await auditActions('cab-decision', id)).filter(
        (e: any) => e.action === 'cab.condition.met.refused',
      );
      assert.deepEqual(refusals.map((e: any) => [e.actor, e.after.refused]).sort(), [
        ['carla', 'condition-already-met'],
        ['dan', 'forbidden'],
        ['rita', 'invalid-input'],
        ['vic', 'forbidden'],
      ]);
    });

    test('a No-Go moves the release to No-Go with the reason, and the gate fails', async () => {
      const noGo = () =>
        server.call('POST', '/cab/meetings/weekly-cab/decisions', {
          body: {
            occurrence: sitting,
            release: high,
            decision: 'no-go',
            rationale: 'No rollback plan for a schema migration',
          },
          ...as('carla'),
        });
      // In Plan the lifecycle refuses No-Go, and the decision is not half-written.
      const early = await noGo();
      assert.equal(early.status, 409);
      assert.equal(early.body.code, 'transition-refused');
      assert.deepEqual((await server.call('GET', `/releases/${high}/cab-decisions`)).body, []);

      const current = await server.call('GET', `/releases/${high}`);
      const patched = await server.call('PATCH', `/releases/${high}`, {
        body: { rollbackPlan: 'Restore the snapshot' },
        headers: { 'if-match': current.headers.get('etag')! },
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      for (const to of ['prepare', 'test', 'approve']) {
        const moved = await server.call('POST', `/releases/${high}/transitions`, { body: { to } });
        assert.equal(moved.status, 200, JSON.stringify(moved.body));
      }
      const decided = await noGo();
      assert.equal(decided.status, 201, JSON.stringify(decided.body));
      const release = await server.call('GET', `/releases/${high}`);
      assert.equal(release.body.state, 'no-go');
      const history = await server.call('GET', `/releases/${high}/transitions`);
      const last = history.body.at(-1);
      assert.equal(last.to, 'no-go');
      assert.match(last.reason, /No rollback plan for a schema migration/);
      const rule = await cabRule(high);
      assert.equal(rule.result, 'fail');
      assert.match(rule.reason, /No-Go by carla/);
    });

    test('the minutes list the sitting, criteria, decisions and conditions as Markdown', async () => {
      const response = await fetch(
        `${server.url}/cab/meetings/weekly-cab/minutes.md?at=${sitting}`,
        { headers: { authorization: `Bearer ${tokens.vic}` } },
      );
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/markdown/);
      const md = await response.text();
      assert.match(md, /^# CAB minutes: Weekly change advisory board/);
      assert.match(md, new RegExp(`Sitting: ${sitting}`));
      assert.match(md, /Members: carla/);
      assert.ok(md.indexOf(`1. ${high}`) < md.indexOf(`2. ${low}`), md);
      assert.match(md, /\*\*Decision: No-Go\*\* by carla/);
      assert.match(md, /Rationale: No rollback plan for a schema migration/);
      assert.match(md, /\*\*Decision: Conditional Go\*\* by carla/);
      assert.match(
        md,
        /\[x\] Condition 1: Load test at 2x peak passes — met by rita .*\(run 4711 green\)/,
      );
      assert.match(
        md,
        /\*\*Rollback readiness\*\* \(ok\): rollback plan written; roll back in the order ledger → auth/,
      );
      assert.match(md, /\[dependency graph and impact\]\(\/releases\/REL-\d+\/dependencies\)/);
    });

    test('a member added later may decide; a Go passes the CAB rule', async () => {
      const add = (user: string, body: unknown) =>
        server.call('POST', '/cab/meetings/weekly-cab/members', { body, ...as(user) });
      assert.equal((await add('dan', { user: 'cora' })).status, 403);
      const unknown = await add('rita', { user: 'nobody' });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.errors[0].field, '/user');
      const added = await add('rita', { user: 'cora' });
      assert.equal(added.status, 200, JSON.stringify(added.body));
      assert.deepEqual(added.body.members, ['carla', 'cora']);
      assert.equal((await add('rita', { user: 'cora' })).status, 409);

      const go = await server.call('POST', '/cab/meetings/weekly-cab/decisions', {
        body: { occurrence: nextSitting, release: later, decision: 'go', rationale: 'Ready' },
        ...as('cora'),
      });
      assert.equal(go.status, 201, JSON.stringify(go.body));
      const rule = await cabRule(later);
      assert.equal(rule.result, 'pass');
      assert.match(rule.reason, /^Go by cora/);
      // Decided: it leaves the agenda of later sittings, and stays on the one it was decided at.
      const afterNext = await server.call('GET', '/cab/meetings/weekly-cab');
      const third = afterNext.body.upcoming[2].start;
      const agenda = await server.call('GET', `/cab/meetings/weekly-cab/agenda?at=${third}`);
      assert.ok(!agenda.body.items.some((i: any) => i.release === later));
      const decidedAt = await server.call(
        'GET',
        `/cab/meetings/weekly-cab/agenda?at=${nextSitting}`,
      );
      assert.equal(
        decidedAt.body.items.find((i: any) => i.release === later).decision.decision,
        'go',
      );
    });

    test('Go / No-Go stores participants, the gate verdict of the moment and the rationale', async () => {
      const record = (user: string, release: string, body: Record<string, unknown>) =>
        server.call('POST', `/releases/${release}/go-no-go`, {
          body: { environment: 'prod', participants: ['carla', 'rita'], ...body },
          ...as(user),
        });
      assert.equal((await record('dan', low, { decision: 'no-go', rationale: 'x' })).status, 403);
      const blank = await record('rita', low, { decision: 'no-go', rationale: '' });
      assert.equal(blank.status, 400);
      assert.equal(blank.body.errors[0].field, '/rationale');
      const stranger = await record('rita', low, {
        decision: 'no-go',
        rationale: 'x',
        participants: ['nobody'],
      });
      assert.equal(stranger.status, 400);
      assert.equal(stranger.body.errors[0].field, '/participants/0');
      const goOnRed = await record('rita', low, { decision: 'go', rationale: 'ship it' });
      assert.equal(goOnRed.status, 409);
      assert.equal(goOnRed.body.code, 'gate-failing');
      assert.match(goOnRed.body.detail, /tests-pass-rate/);

      const noGo = await record('carla', low, {
        decision: 'no-go',
        rationale: 'Evidence is missing',
      });
      assert.equal(noGo.status, 201, JSON.stringify(noGo.body));
      assert.deepEqual(noGo.body.participants, ['carla', 'rita']);
      assert.equal(noGo.body.readiness.verdict, 'fail');
      assert.equal(
        noGo.body.readiness.rules.find((r: any) => r.rule === 'cab-decision').result,
        'pass',
      );

      // A Go where the gate passes: a minor release to the first environment with evidence.
      const ready = await createRelease({ classification: 'minor' });
      const upload = (type: string, body: Buffer | string) =>
        fetch(`${server.url}/releases/${ready}/evidence?type=${type}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${server.adminToken}`,
            'content-type': 'application/octet-stream',
          },
          body,
        }).then((r) => r.status);
      assert.equal(await upload('junit', fixture('node-test.junit.xml')), 201);
      assert.equal(
        await upload('trivy', '{"SchemaVersion":2,"ArtifactName":".","Results":[]}'),
        201,
      );
      const go = await record('rita', ready, {
        environment: 'sit',
        decision: 'go',
        rationale: 'All green',
        participants: ['carla'],
      });
      assert.equal(go.status, 201, JSON.stringify(go.body));
      assert.equal(go.body.readiness.verdict, 'pass');
      assert.deepEqual(go.body.participants, ['carla', 'rita']);

      // Stored, not recomputed: later evidence does not change the recorded snapshot.
      const listed = await server.call('GET', `/releases/${low}/go-no-go`, as('vic'));
      assert.equal(listed.status, 200);
      assert.equal(listed.body.length, 1);
      assert.deepEqual(listed.body[0].readiness, noGo.body.readiness);

      const refusals = (await auditActions('release', low)).filter(
        (e: any) => e.action === 'go-no-go.refused',
      );
      assert.deepEqual(refusals.map((e: any) => [e.actor, e.after.refused]).sort(), [
        ['dan', 'forbidden'],
        ['rita', 'gate-failing'],
        ['rita', 'invalid-go-no-go'],
        ['rita', 'invalid-go-no-go'],
      ]);
      const verify = await server.call('GET', '/audit/verify');
      assert.equal(verify.body.intact, true);
    });

    test('two members deciding one item at once: one decision stands, the other is told', async () => {
      const raced = await createRelease({
        classification: 'major',
        plannedWindow: {
          start: plus(sitting, 2 * 3_600_000),
          end: plus(sitting, 3 * 3_600_000),
          environment: 'prod',
        },
      });
      const answers = await Promise.all(
        ['carla', 'cora'].map((user) =>
          server.call('POST', '/cab/meetings/weekly-cab/decisions', {
            body: { occurrence: sitting, release: raced, decision: 'go', rationale: user },
            ...as(user),
          }),
        ),
      );
      assert.deepEqual(answers.map((a) => a.status).sort(), [201, 409]);
      assert.equal(answers.find((a) => a.status === 409)!.body.code, 'already-decided');
      const decisions = await server.call('GET', `/releases/${raced}/cab-decisions`);
      assert.equal(decisions.body.length, 1);
    });
  });
}
