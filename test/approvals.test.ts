/**
 * Staged approvals and segregation of duties over HTTP on a real port, on both engines:
 * every SoD rule with the person refused and the one allowed, approvals voided by a
 * content change, the approvals-complete gate rule, bad input refused and audited, the
 * emergency path end to end, and the escalation sweep under an injected clock.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { sweepOverdueApprovals } from '../src/app/approvals/escalateOverdueApprovals.js';
import { SYSTEM_ACTOR } from '../src/app/context.js';
import { engines } from './support/engines.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

const PEOPLE = [
  ['rita', ['release-manager']], // raises the releases
  ['andy', ['approver', 'deployer']], // authors the changes
  ['carla', ['cab-member', 'approver']],
  ['erin', ['cab-member']],
  ['frank', ['cab-member']],
  ['gina', ['cab-member']],
  ['dave', ['deployer']],
  ['vic', ['viewer']],
  ['quinn-cab', ['cab-member']], // a named emergency approver
] as const;
type Person = (typeof PEOPLE)[number][0];

for (const engine of await engines()) {
  describe(`approvals and segregation of duties (${engine.name})`, { skip: engine.skip }, () => {
    let server: TestServer;
    const tokens = {} as Record<Person, string>;
    const as = (who: Person | 'admin') => (who === 'admin' ? server.adminToken : tokens[who]);

    const create = async (overrides: Record<string, unknown> = {}) => {
      const created = await server.call('POST', '/releases', {
        body: releaseBody({ authors: ['andy'], ...overrides }),
        token: tokens.rita,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body.key as string;
    };
    const moveTo = async (key: string, ...states: string[]) => {
      for (const to of states) {
        const moved = await server.call('POST', `/releases/${key}/transitions`, {
          body: { to, reason: 'as planned' },
        });
        assert.equal(moved.status, 200, JSON.stringify(moved.body));
      }
    };
    const inApprove = async (overrides: Record<string, unknown> = {}) => {
      const key = await create(overrides);
      await moveTo(key, 'prepare', 'test', 'approve');
      return key;
    };
    const approve = (key: string, who: Person | 'admin', stage: string, comment?: string) =>
      server.call('POST', `/releases/${key}/approvals`, {
        body: { stage, ...(comment ? { comment } : {}) },
        token: as(who),
      });
    const reject = (key: string, who: Person, stage: string, reason?: string) =>
      server.call('POST', `/releases/${key}/rejections`, {
        body: { stage, ...(reason !== undefined ? { reason } : {}) },
        token: as(who),
      });
    const status = async (key: string) => {
      const response = await server.call('GET', `/releases/${key}/approvals`, {
        token: tokens.vic,
      });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      return response.body;
    };
    const stageOf = (body: any, stage: string) => body.stages.find((s: any) => s.stage === stage);
    const gateRule = async (key: string) => {
      const gate = await server.call('GET', `/releases/${key}/gates/prod`);
      assert.equal(gate.status, 200, JSON.stringify(gate.body));
      return gate.body.rules.find((r: any) => r.rule === 'approvals-complete');
    };
    const refusals = async (key: string) => {
      const audit = await server.call(
        'GET',
        `/audit?subjectType=release&subjectId=${key}&limit=500`,
      );
      assert.equal(audit.status, 200);
      return audit.body.items
        .filter((e: any) => e.action === 'approval.refused')
        .map((e: any) => {
          const after = typeof e.after === 'string' ? JSON.parse(e.after) : e.after;
          return { actor: e.actor, stage: after.stage, code: after.refused.code };
        });
    };
    const refused = (response: any, status: number, code: string) => {
      assert.equal(response.status, status, JSON.stringify(response.body));
      assert.equal(response.body.code, code, JSON.stringify(response.body));
      assert.ok(response.body.detail.length > 20, response.body.detail);
    };

    before(async () => {
      server = await startTestServer(engine);
      assert.equal(
        (await server.call('POST', '/catalog/apply', { body: TEST_CATALOG })).status,
        200,
      );
      for (const [name, roles] of PEOPLE) {
        const user = await server.call('POST', '/users', { body: { name, roles } });
        assert.equal(user.status, 201, JSON.stringify(user.body));
        tokens[name] = (
          await server.call('POST', '/tokens', { body: { name: 't', user: name } })
        ).body.token;
      }
    });
    after(async () => server?.close());

    test('a release carries its authors and a content hash that changes with its content', async () => {
      const key = await create();
      const read = await server.call('GET', `/releases/${key}`);
      assert.deepEqual(read.body.authors, ['andy']);
      assert.match(read.body.contentHash, /^[0-9a-f]{64}$/);
      const patched = await server.call('PATCH', `/releases/${key}`, {
        body: { title: 'Only the title changes' },
        headers: { 'if-match': read.headers.get('etag')! },
      });
      assert.equal(patched.body.contentHash, read.body.contentHash, 'title is not content');
      const scoped = await server.call('PATCH', `/releases/${key}`, {
        body: { authors: ['andy', 'gina'] },
        headers: { 'if-match': patched.headers.get('etag')! },
      });
      assert.equal(scoped.status, 200, JSON.stringify(scoped.body));
      assert.notEqual(scoped.body.contentHash, read.body.contentHash);
    });

    test('streamlined path: one technical stage; requester and author refused, a third person allowed', async () => {
      const key = await inApprove();
      const body = await status(key);
      assert.equal(body.policy, 'streamlined-production');
      assert.equal(body.environment, 'prod');
      const technical = stageOf(body, 'technical');
      assert.equal(technical.state, 'open');
      assert.equal(technical.required, 1);
      assert.equal(technical.given, 0);
      assert.ok(technical.mayApprove.includes('carla'), technical.mayApprove.join());
      assert.ok(!technical.mayApprove.includes('rita'), 'the requester may not approve');
      assert.ok(!technical.mayApprove.includes('andy'), 'the author may not approve');
      assert.equal((await gateRule(key)).result, 'fail');

      const byRequester = await approve(key, 'rita', 'technical');
      refused(byRequester, 403, 'sod-requester');
      assert.match(byRequester.body.detail, /rita requested/);
      const byAuthor = await approve(key, 'andy', 'technical');
      refused(byAuthor, 403, 'sod-author');
      assert.match(byAuthor.body.detail, /andy authored a change/);
      refused(await approve(key, 'vic', 'technical'), 403, 'forbidden');
      refused(await approve(key, 'dave', 'technical'), 403, 'forbidden');

      const byCarla = await approve(key, 'carla', 'technical', 'looked at the diff');
      assert.equal(byCarla.status, 201, JSON.stringify(byCarla.body));
      assert.equal(byCarla.body.state, 'complete');
      assert.deepEqual(stageOf(byCarla.body, 'technical').approvedBy, ['carla']);
      assert.equal(stageOf(byCarla.body, 'technical').decisions[0].text, 'looked at the diff');
      const rule = await gateRule(key);
      assert.equal(rule.result, 'pass', rule.reason);
      assert.match(rule.reason, /technical 1 of 1 \(carla\)/);

      refused(await approve(key, 'carla', 'technical'), 409, 'stage-complete');
      assert.deepEqual((await refusals(key)).map((r: any) => `${r.actor}:${r.code}`).sort(), [
        'andy:sod-author',
        'carla:stage-complete',
        'dave:forbidden',
        'rita:sod-requester',
        'vic:forbidden',
      ]);
    });

    test('a content change voids earlier approvals: shown as void, not counted', async () => {
      const key = await inApprove();
      assert.equal((await approve(key, 'carla', 'technical')).status, 201);
      const read = await server.call('GET', `/releases/${key}`);
      const patched = await server.call('PATCH', `/releases/${key}`, {
        body: { services: [{ service: 'payments-api', version: '2.4.1' }] },
        headers: { 'if-match': read.headers.get('etag')! },
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      const body = await status(key);
      assert.equal(body.state, 'pending');
      assert.equal(body.contentHash, patched.body.contentHash);
      const technical = stageOf(body, 'technical');
      assert.equal(technical.given, 0);
      assert.equal(technical.decisions.length, 1);
      assert.equal(technical.decisions[0].void, true);
      assert.equal(technical.decisions[0].contentHash, read.body.contentHash);
      const rule = await gateRule(key);
      assert.equal(rule.result, 'fail');
      assert.match(rule.reason, /1 void: content changed/);
      // Approving the new content is not "approving twice".
      const again = await approve(key, 'carla', 'technical');
      assert.equal(again.status, 201, JSON.stringify(again.body));
      assert.equal(again.body.state, 'complete');
    });

    test('an author does not record the production deployment; someone else does', async () => {
      const key = await create();
      const deploy = (who: Person, environment: string) =>
        server.call('POST', `/releases/${key}/deployments`, {
          body: { service: 'payments-api', environment, status: 'succeeded' },
          token: as(who),
        });
      const byAuthor = await deploy('andy', 'prod');
      refused(byAuthor, 403, 'sod-author-deploys');
      assert.match(byAuthor.body.detail, /andy authored a change/);
      assert.equal((await deploy('andy', 'sit')).status, 201, 'not production: allowed');
      // Someone else passes the segregation rule and reaches the production gate, which
      // this release (no evidence yet) does not pass.
      const byOther = await deploy('dave', 'prod');
      assert.equal(byOther.status, 409, JSON.stringify(byOther.body));
      assert.equal(byOther.body.code, 'gate-not-passed');
      const list = await server.call('GET', `/releases/${key}/deployments`);
      assert.deepEqual(
        list.body.map((d: any) => `${d.actor}@${d.environment}`),
        ['andy@sit'],
      );
    });

    test('CAB path: four stages in order, dual final approval by two people new to the release', async () => {
      const key = await inApprove({ classification: 'major' });
      let body = await status(key);
      assert.equal(body.policy, 'major-production');
      assert.deepEqual(
        body.stages.map((s: any) => `${s.stage}:${s.state}:${s.required}`),
        [
          'technical:open:1',
          'risk-and-compliance:waiting:1',
          'business:waiting:1',
          'final:waiting:2',
        ],
      );
      refused(await approve(key, 'erin', 'business'), 409, 'stage-not-open');
      refused(await approve(key, 'carla', 'risk-and-compliance'), 409, 'stage-not-open');
      assert.equal((await approve(key, 'carla', 'technical')).status, 201);
      // The stage names its roles: admin holds every permission but not the cab-member role.
      refused(await approve(key, 'admin', 'risk-and-compliance'), 403, 'not-a-stage-approver');
      assert.equal((await approve(key, 'erin', 'risk-and-compliance')).status, 201);
      body = await status(key);
      assert.equal(stageOf(body, 'risk-and-compliance').state, 'complete');
      assert.equal((await approve(key, 'carla', 'business')).status, 201);

      const final = stageOf(await status(key), 'final');
      assert.equal(final.state, 'open');
      assert.equal(final.dual, true);
      assert.ok(!final.mayApprove.includes('carla'), final.mayApprove.join());
      assert.ok(final.mayApprove.includes('frank'), final.mayApprove.join());

      const byCarla = await approve(key, 'carla', 'final');
      refused(byCarla, 403, 'sod-dual-approval');
      assert.match(byCarla.body.detail, /carla already approved an earlier stage/);
      assert.equal((await approve(key, 'frank', 'final')).status, 201);
      refused(await approve(key, 'frank', 'final'), 409, 'already-approved');
      assert.equal((await gateRule(key)).result, 'fail', 'one of two final approvals');
      const byGina = await approve(key, 'gina', 'final');
      assert.equal(byGina.status, 201, JSON.stringify(byGina.body));
      assert.equal(byGina.body.state, 'complete');
      assert.equal((await gateRule(key)).result, 'pass');
    });

    test('a stage-role outsider is refused naming the roles that decide', async () => {
      const key = await inApprove({ classification: 'major' });
      assert.equal((await approve(key, 'carla', 'technical')).status, 201);
      // andy holds approver, which risk-and-compliance does not accept — and is the author.
      const outsider = await approve(key, 'andy', 'risk-and-compliance');
      refused(outsider, 403, 'not-a-stage-approver');
      assert.match(outsider.body.detail, /cab-member/);
      assert.equal((await approve(key, 'erin', 'risk-and-compliance')).status, 201);
    });

    test('rejection needs a reason, blocks the stage and fails the gate', async () => {
      const key = await inApprove();
      refused(await reject(key, 'carla', 'technical'), 400, 'reason-required');
      refused(await reject(key, 'carla', 'technical', '   '), 400, 'reason-required');
      const rejected = await reject(key, 'carla', 'technical', 'no load test for the new flow');
      assert.equal(rejected.status, 201, JSON.stringify(rejected.body));
      assert.equal(rejected.body.state, 'rejected');
      assert.deepEqual(
        { ...stageOf(rejected.body, 'technical').rejection, at: undefined },
        { by: 'carla', reason: 'no load test for the new flow', at: undefined },
      );
      const rule = await gateRule(key);
      assert.equal(rule.result, 'fail');
      assert.match(rule.reason, /rejected by carla: no load test/);
      refused(await approve(key, 'erin', 'technical'), 409, 'stage-rejected');
      assert.deepEqual((await refusals(key)).map((r: any) => r.code).sort(), [
        'reason-required',
        'reason-required',
        'stage-rejected',
      ]);
    });

    test('bad input: unknown stage, a stage the policy does not ask for, not in Approve, cancelled', async () => {
      const key = await inApprove();
      refused(await approve(key, 'carla', 'security'), 400, 'unknown-stage');
      refused(await approve(key, 'carla', 'business'), 409, 'stage-not-required');
      const early = await create();
      refused(await approve(early, 'carla', 'technical'), 409, 'approval-not-open');
      await moveTo(early, 'cancelled');
      const cancelled = await approve(early, 'carla', 'technical');
      refused(cancelled, 409, 'release-cancelled');
      refused(await approve('REL-999999', 'carla', 'technical'), 404, 'not-found');
      const missingStage = await server.call('POST', `/releases/${key}/approvals`, {
        body: { comment: 'no stage' },
        token: tokens.carla,
      });
      assert.equal(missingStage.status, 400);
      assert.deepEqual((await refusals(key)).map((r: any) => `${r.stage}:${r.code}`).sort(), [
        'business:stage-not-required',
        'security:unknown-stage',
      ]);
      assert.deepEqual((await refusals(early)).map((r: any) => r.code).sort(), [
        'approval-not-open',
        'release-cancelled',
      ]);
      // Nothing was stored for any refusal.
      const body = await status(key);
      assert.equal(
        body.stages.reduce((n: number, s: any) => n + s.decisions.length, 0),
        0,
      );
    });

    test('emergency path end to end: one named approver, then a fast deploy; counted per team', async () => {
      const key = await inApprove({ classification: 'emergency', title: 'Hotfix refunds' });
      const body = await status(key);
      assert.equal(body.policy, 'emergency');
      assert.equal(body.path, 'emergency-cab');
      const final = stageOf(body, 'final');
      assert.deepEqual(final.mayApprove, ['quinn-cab']);
      const unnamed = await approve(key, 'carla', 'final');
      refused(unnamed, 403, 'not-a-stage-approver');
      assert.match(unnamed.body.detail, /named approvers .*quinn-cab/);
      const named = await approve(key, 'quinn-cab', 'final', 'incident INC-7, approved by phone');
      assert.equal(named.status, 201, JSON.stringify(named.body));
      assert.equal(named.body.state, 'complete');
      assert.equal((await gateRule(key)).result, 'pass');
      await moveTo(key, 'deploy');
      // The emergency path still needs its safety net: an SBOM without critical CVEs.
      const sbom = await fetch(`${server.url}/releases/${key}/evidence?type=cyclonedx`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${server.adminToken}`,
          'content-type': 'application/octet-stream',
        },
        body: readFileSync(new URL('./fixtures/evidence/gatehouse.cdx.json', import.meta.url)),
      });
      assert.equal(sbom.status, 201);
      const deployed = await server.call('POST', `/releases/${key}/deployments`, {
        body: { service: 'payments-api', environment: 'prod', status: 'succeeded' },
        token: tokens.dave,
      });
      assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
      const since = new Date(Date.now() - 86_400_000).toISOString();
      const until = new Date(Date.now() + 86_400_000).toISOString();
      const metrics = await server.call(
        'GET',
        `/metrics/dora?by=team&since=${since}&until=${until}`,
      );
      assert.equal(metrics.status, 200, JSON.stringify(metrics.body));
      const payments = metrics.body.groups.find((g: any) => g.group === 'payments');
      assert.ok(payments, JSON.stringify(metrics.body.groups.map((g: any) => g.group)));
      assert.equal(payments.emergencyChangeShare.emergency, 1);
    });

    test('overdue stages escalate L1 → L2 → L3 once each, by an injected clock', async () => {
      const key = await inApprove({ classification: 'emergency', title: 'Escalate me' });
      const opened = Date.parse(stageOf(await status(key), 'final').openedAt);
      const app = server.running.app;
      // The scheduler's sweep: due escalations found in short reads, recorded in writes.
      const sweep = (minutes: number) =>
        sweepOverdueApprovals(
          { ...app, clock: () => new Date(opened + minutes * 60_000) },
          SYSTEM_ACTOR,
        );
      const mine = (list: Awaited<ReturnType<typeof sweep>>) =>
        list.filter((e) => e.release === key).map((e) => `${e.stage}:L${e.level}:${e.to.join()}`);
      assert.deepEqual(mine(await sweep(29)), []);
      assert.deepEqual(mine(await sweep(31)), ['final:L1:emergency-cab']);
      assert.deepEqual(mine(await sweep(45)), [], 'idempotent');
      assert.deepEqual(mine(await sweep(180)), [
        'final:L2:release-manager',
        'final:L3:head-of-engineering',
      ]);
      assert.deepEqual(mine(await sweep(600)), []);
      const audit = await server.call('GET', `/audit?subjectType=release&subjectId=${key}`);
      const escalated = audit.body.items.filter((e: any) => e.action === 'approval.escalated');
      assert.equal(escalated.length, 3);
      assert.equal(escalated[0].actor, 'system');
      // Once decided, nothing more escalates.
      assert.equal((await approve(key, 'quinn-cab', 'final')).status, 201);
      const later = await server.call('GET', `/releases/${key}/approvals`);
      assert.equal(stageOf(later.body, 'final').state, 'complete');
    });
  });
}
