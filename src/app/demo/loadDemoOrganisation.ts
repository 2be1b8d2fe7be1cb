/**
 * Loads the demo organisation into an empty Gatehouse by replaying it through the
 * ordinary use cases, each at its historical instant and as the demo user who acted.
 * Nothing is written behind the use cases' backs: every check runs, and every change
 * lands in the hash-chained audit log exactly as it would have in real life.
 */
import { lockAuditChain, type Tx } from '../../store/database.js';
import { createUser } from '../access/users.js';
import { applyCatalog } from '../catalog/applyCatalog.js';
import { ensureDefaultPolicySet } from '../policies/applyPolicySet.js';
import { SYSTEM_ACTOR, type Actor, type App, type Ctx } from '../context.js';
import { recordDeployment } from '../deployments/recordDeployment.js';
import { createRelease } from '../releases/createRelease.js';
import { transitionRelease } from '../releases/transitionRelease.js';
import { completeDemoReviews } from './demoReviews.js';
import { generateDemoOrganisation, type DemoRelease } from './demoOrganisation.js';

/** One thing that happened: a release raised (`step` -1) or one of its steps. */
interface Happening {
  at: number;
  release: number;
  step: number;
}

/**
 * Every release's creation and steps on one clock, so the audit log and the release
 * keys follow history rather than one release after another.
 */
function chronology(releases: DemoRelease[]): Happening[] {
  const happenings: Happening[] = [];
  releases.forEach((release, r) => {
    happenings.push({ at: release.createdAt.getTime(), release: r, step: -1 });
    release.steps.forEach((step, s) =>
      happenings.push({ at: step.at.getTime(), release: r, step: s }),
    );
  });
  return happenings.sort((a, b) => a.at - b.at || a.release - b.release || a.step - b.step);
}

async function countReleases(tx: Tx): Promise<number> {
  const row = await tx
    .selectFrom('releases')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function loadDemoOrganisation(
  app: App,
): Promise<{ loaded: boolean; releases: number }> {
  const { engine } = app.store;
  // One transaction: a demo is loaded whole or not at all.
  return app.store.write(async (tx) => {
    // Replicas started together with --demo queue here; the later ones then find the
    // releases the first one loaded and leave them alone.
    await lockAuditChain(tx, engine);
    const existing = await countReleases(tx);
    if (existing > 0) return { loaded: false, releases: existing };

    const demo = generateDemoOrganisation({ now: app.clock() });
    const system: Ctx = { tx, actor: SYSTEM_ACTOR, now: demo.since, engine };
    await ensureDefaultPolicySet(system);
    await applyCatalog(system, demo.catalog);
    const people = new Map<string, Actor>();
    for (const input of demo.users) {
      const user = await createUser(system, input);
      people.set(user.name, { userId: user.id, name: user.name, roles: user.roles });
    }
    const as = (name: string, now: Date): Ctx => {
      const actor = people.get(name);
      if (!actor) throw new Error(`demo step acted by unknown user '${name}'`);
      return { tx, actor, now, engine };
    };

    const ids: string[] = [];
    for (const { release: r, step: s } of chronology(demo.releases)) {
      const release = demo.releases[r]!;
      if (s < 0) {
        ids[r] = (await createRelease(as(release.requester, release.createdAt), release.input)).id;
        continue;
      }
      const step = release.steps[s]!;
      const ctx = as(step.actor, step.at);
      if (step.kind === 'transition') {
        if (step.to === 'closed') await completeDemoReviews(ctx, ids[r]!);
        await transitionRelease(ctx, ids[r]!, { to: step.to, reason: step.reason });
      } else {
        // The demo replays history: each record is an import, audited as one, not a
        // deployment asking the production gate for leave now.
        await recordDeployment(
          ctx,
          ids[r]!,
          { ...step.input, historyImport: 'demo organisation history' },
          { trustedHistory: true },
        );
      }
    }
    return { loaded: true, releases: demo.releases.length };
  });
}
