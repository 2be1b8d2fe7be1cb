/** `gatehouse review …`: post-release reviews, their action items and lessons learned. */
import { writeFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import type { ReviewDetail } from '../../app/reviews/queries.js';
import type { ActionItem, Review } from '../../domain/review/review.js';
import { request } from '../client.js';
import { printJson, printLines, printTable } from '../output.js';
import { connect, type GlobalOptions } from './global.js';
import { parsePositiveInt } from './options.js';

const path = (key: string) => encodeURIComponent(key);

function parseSection(value: string, previous: Record<string, string> = {}) {
  const at = value.indexOf('=');
  if (at < 1) throw new InvalidArgumentError(`--set takes NAME=TEXT, not '${value}'`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

function parseEvidence(value: string, previous: Array<{ kind: string; ref: string }> = []) {
  const at = value.indexOf(':');
  if (at < 1) throw new InvalidArgumentError(`--evidence takes KIND:REF, not '${value}'`);
  return [...previous, { kind: value.slice(0, at), ref: value.slice(at + 1) }];
}

function summary(r: Review): string[] {
  return [
    `${r.key}  ${r.status}  ${r.template} review of ${r.release} (${r.services.join(', ')})${r.mandatory ? '  mandatory' : ''}`,
    `  due ${r.dueAt}${r.overdue ? '  OVERDUE' : ''}`,
    `  opened because: ${r.triggers.map((t) => t.reason).join('; ')}`,
  ];
}

function itemRow(a: ActionItem) {
  return {
    id: a.id,
    review: a.review,
    title: a.title,
    owner: a.owner ?? '(none)',
    due: a.dueAt ?? '',
    status: a.overdue ? `${a.status} OVERDUE` : a.status,
  };
}

export function reviewCommand(program: Command): void {
  const review = program
    .command('review')
    .description('Post-release reviews: sections, causes, factors, action items, lessons learned');
  const conn = (command: Command) => connect(command.optsWithGlobals<GlobalOptions>());

  review
    .command('list')
    .description('List reviews, latest opened first')
    .option('--status <status>', 'open or closed')
    .option('--limit <n>', 'how many', parsePositiveInt('--limit'), 50)
    .option('--json', 'print as JSON', false)
    .action(async (o: { status?: string; limit: number; json: boolean }, command: Command) => {
      const q = new URLSearchParams({ limit: String(o.limit) });
      if (o.status) q.set('status', o.status);
      const { body } = await request<{ items: Review[] }>(conn(command), 'GET', `/reviews?${q}`);
      if (o.json) return printJson(body);
      printTable(
        body.items.map((r) => ({
          key: r.key,
          release: r.release,
          status: r.status,
          template: r.template,
          mandatory: r.mandatory ? 'yes' : 'no',
          due: r.overdue ? `${r.dueAt} OVERDUE` : r.dueAt,
        })),
        ['key', 'release', 'status', 'template', 'mandatory', 'due'],
      );
    });

  review
    .command('show')
    .description('Show a review (by review or release key) with its timeline and flags')
    .argument('<review>', 'review key, id, or the release key')
    .option('--json', 'print as JSON', false)
    .action(async (key: string, o: { json: boolean }, command: Command) => {
      const { body: r } = await request<ReviewDetail>(
        conn(command),
        'GET',
        `/reviews/${path(key)}`,
      );
      if (o.json) return printJson(r);
      printLines([
        ...summary(r),
        '  sections:',
        ...r.sections.map(
          (s) =>
            `    [${s.kind}] ${s.name}${s.mandatory ? '*' : ''}: ${s.text.trim() ? s.text.replace(/\n/g, ' ') : '(empty)'}`,
        ),
        '  timeline:',
        ...r.timeline.map((e) => `    ${e.at}  ${e.source.padEnd(10)} ${e.text}`),
        '  causes:',
        ...r.causes.map(
          (c) =>
            `    ${c.id}  ${c.method}${c.category ? `/${c.category}` : ''}  ${c.text}${c.speculative ? '  (speculative: no evidence)' : ''}`,
        ),
        `  factors: ${r.factors.map((f) => f.factor).join(', ') || '(none)'}`,
        '  action items:',
        ...r.actionItems.map(
          (a) =>
            `    ${a.id}  ${a.title}  owner ${a.owner ?? '(none)'}  due ${a.dueAt ?? '(none)'}  ${a.status}`,
        ),
        ...(r.languageFlags.length
          ? [
              '  blameless-language flags:',
              ...r.languageFlags.map((f) => `    ${f.field}: "${f.sentence}" — ${f.reason}`),
            ]
          : []),
      ]);
    });

  review
    .command('markdown')
    .description('Export a review as Markdown')
    .argument('<review>', 'review key, id, or the release key')
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .action(async (key: string, o: { output?: string }, command: Command) => {
      const { body } = await request<string>(
        conn(command),
        'GET',
        `/reviews/${path(key)}/markdown`,
        {
          headers: { accept: 'text/markdown' },
        },
      );
      if (o.output) writeFileSync(o.output, body);
      else process.stdout.write(body);
    });

  review
    .command('write')
    .description('Write sections of a review: --set summary="…" --set lessons="…"')
    .argument('<review>', 'review key, id, or the release key')
    .requiredOption('--set <name=text>', 'a section and its text; repeatable', parseSection)
    .action(async (key: string, o: { set: Record<string, string> }, command: Command) => {
      const { body } = await request<Review>(
        conn(command),
        'PATCH',
        `/reviews/${path(key)}/sections`,
        {
          body: { sections: o.set },
        },
      );
      printLines([`${body.key}: ${Object.keys(o.set).join(', ')} written`]);
    });

  review
    .command('open')
    .description("Open a release's post-release review by hand (reopens a closed one)")
    .argument('<release>', 'release key or id')
    .requiredOption('--reason <text>', 'why the review is opened')
    .option(
      '--template <template>',
      'full or light (default: what the policy would choose)',
      (v) => {
        if (v !== 'full' && v !== 'light')
          throw new InvalidArgumentError(`--template must be full or light, not '${v}'`);
        return v;
      },
    )
    .option('--mandatory', 'the review must be closed before the release may close', false)
    .option('--json', 'print as JSON', false)
    .action(
      async (
        release: string,
        o: { reason: string; template?: string; mandatory: boolean; json: boolean },
        command: Command,
      ) => {
        const { body } = await request<Review>(
          conn(command),
          'POST',
          `/releases/${path(release)}/reviews`,
          {
            body: {
              reason: o.reason,
              mandatory: o.mandatory,
              ...(o.template ? { template: o.template } : {}),
            },
          },
        );
        if (o.json) return printJson(body);
        printLines(summary(body));
      },
    );

  review
    .command('timeline-add')
    .description('Add a timeline entry the records do not show')
    .argument('<review>', 'review key, id, or the release key')
    .requiredOption('--at <instant>', 'when it happened, ISO 8601')
    .requiredOption('--text <text>', 'what happened')
    .action(async (key: string, o: { at: string; text: string }, command: Command) => {
      const { body } = await request<Review>(
        conn(command),
        'POST',
        `/reviews/${path(key)}/timeline`,
        {
          body: { at: o.at, text: o.text },
        },
      );
      printLines([`${body.key}: timeline entry added at ${new Date(o.at).toISOString()}`]);
    });

  review
    .command('cause')
    .description('Add a root cause: a 5 Whys answer or a fishbone cause, with evidence')
    .argument('<review>', 'review key, id, or the release key')
    .requiredOption('--method <method>', 'five-whys or fishbone')
    .requiredOption('--text <text>', 'the cause')
    .option('--parent <cause>', 'the cause this "why" answers')
    .option('--category <category>', 'fishbone category')
    .option('--factor <factor>', 'contributing factor from the taxonomy')
    .option(
      '--evidence <kind:ref>',
      'linked evidence, e.g. incident:INC-4; repeatable',
      parseEvidence,
    )
    .option('--json', 'print the review as JSON', false)
    .action(
      async (
        key: string,
        o: {
          method: string;
          text: string;
          parent?: string;
          category?: string;
          factor?: string;
          evidence?: Array<{ kind: string; ref: string }>;
          json: boolean;
        },
        command: Command,
      ) => {
        const { json, ...input } = o;
        const { body } = await request<Review>(
          conn(command),
          'POST',
          `/reviews/${path(key)}/causes`,
          {
            body: input,
          },
        );
        if (json) return printJson(body);
        const cause = body.causes.at(-1)!;
        printLines([
          `${body.key}: cause ${cause.id} added${cause.speculative ? ' (speculative: no evidence linked)' : ''}`,
        ]);
      },
    );

  review
    .command('factor')
    .description('Name a contributing factor (deployment-process, configuration-drift, …)')
    .argument('<review>', 'review key, id, or the release key')
    .requiredOption('--factor <factor>', 'from the taxonomy')
    .option('--note <text>', 'how it contributed')
    .action(async (key: string, o: { factor: string; note?: string }, command: Command) => {
      const { body } = await request<Review>(
        conn(command),
        'POST',
        `/reviews/${path(key)}/factors`,
        {
          body: o,
        },
      );
      printLines([`${body.key}: factors ${body.factors.map((f) => f.factor).join(', ')}`]);
    });

  review
    .command('action')
    .description('Add an action item')
    .argument('<review>', 'review key, id, or the release key')
    .requiredOption('--title <title>', 'what will be done')
    .option('--owner <user>', 'who owns it (required before the review closes)')
    .option('--due <instant>', 'due date, ISO 8601 (required before the review closes)')
    .option('--criteria <text>', 'how we will know it worked')
    .option('--json', 'print as JSON', false)
    .action(
      async (
        key: string,
        o: { title: string; owner?: string; due?: string; criteria?: string; json: boolean },
        command: Command,
      ) => {
        const input: Record<string, string> = { title: o.title };
        if (o.owner) input.owner = o.owner;
        if (o.due) input.dueAt = o.due;
        if (o.criteria) input.successCriteria = o.criteria;
        const { body } = await request<ActionItem>(
          conn(command),
          'POST',
          `/reviews/${path(key)}/action-items`,
          { body: input },
        );
        if (o.json) return printJson(body);
        printLines([`action item ${body.id} added to ${body.review}`]);
      },
    );

  review
    .command('action-update')
    .description("Change an action item's owner, due date, criteria or status")
    .argument('<item>', 'action item id')
    .option('--owner <user>', 'new owner')
    .option('--due <instant>', 'new due date')
    .option('--criteria <text>', 'success criteria')
    .option('--status <status>', 'open, in-progress, done or dropped')
    .action(
      async (
        id: string,
        o: { owner?: string; due?: string; criteria?: string; status?: string },
        command: Command,
      ) => {
        const input: Record<string, string> = {};
        if (o.owner) input.owner = o.owner;
        if (o.due) input.dueAt = o.due;
        if (o.criteria) input.successCriteria = o.criteria;
        if (o.status) input.status = o.status;
        const { body } = await request<ActionItem>(
          conn(command),
          'PATCH',
          `/action-items/${path(id)}`,
          {
            body: input,
          },
        );
        printTable([itemRow(body)], ['id', 'review', 'title', 'owner', 'due', 'status']);
      },
    );

  review
    .command('overdue')
    .description('Unfinished action items past their due date')
    .option('--json', 'print as JSON', false)
    .action(async (o: { json: boolean }, command: Command) => {
      const { body } = await request<{ items: ActionItem[] }>(
        conn(command),
        'GET',
        '/action-items/overdue',
      );
      if (o.json) return printJson(body);
      printTable(body.items.map(itemRow), ['id', 'review', 'title', 'owner', 'due', 'status']);
    });

  review
    .command('close')
    .description(
      'Close a review (refused while a mandatory section is empty or an action item has no owner)',
    )
    .argument('<review>', 'review key, id, or the release key')
    .action(async (key: string, _o: unknown, command: Command) => {
      const { body } = await request<Review>(conn(command), 'POST', `/reviews/${path(key)}/close`);
      printLines([`${body.key} closed by ${body.closedBy}; ${body.release} may close`]);
    });

  review
    .command('lessons')
    .description('Search closed reviews, causes and actions by text, service and factor')
    .option('-q, --query <words>', 'words to find')
    .option('--service <service>', 'only this service')
    .option('--factor <factor>', 'only this contributing factor')
    .option('--limit <n>', 'how many', parsePositiveInt('--limit'), 50)
    .option('--json', 'print as JSON', false)
    .action(
      async (
        o: { query?: string; service?: string; factor?: string; limit: number; json: boolean },
        command: Command,
      ) => {
        const q = new URLSearchParams({ limit: String(o.limit) });
        if (o.query) q.set('q', o.query);
        if (o.service) q.set('service', o.service);
        if (o.factor) q.set('factor', o.factor);
        const { body } = await request<{
          items: Array<{
            review: string;
            release: string;
            kind: string;
            text: string;
            services: string[];
          }>;
        }>(conn(command), 'GET', `/lessons?${q}`);
        if (o.json) return printJson(body);
        printTable(
          body.items.map((i) => ({
            review: i.review,
            release: i.release,
            kind: i.kind,
            services: i.services.join(','),
            text: i.text.split('\n')[0]!.slice(0, 80),
          })),
          ['review', 'release', 'kind', 'services', 'text'],
        );
      },
    );

  review
    .command('recurring')
    .description('Contributing factors named by several closed reviews')
    .option('--min <n>', 'in at least this many reviews', parsePositiveInt('--min'), 2)
    .option('--json', 'print as JSON', false)
    .action(async (o: { min: number; json: boolean }, command: Command) => {
      const { body } = await request<{
        items: Array<{ factor: string; reviews: number; services: string[]; reviewKeys: string[] }>;
      }>(conn(command), 'GET', `/lessons/recurring-factors?minReviews=${o.min}`);
      if (o.json) return printJson(body);
      printTable(
        body.items.map((f) => ({
          factor: f.factor,
          reviews: f.reviews,
          services: f.services.join(','),
          keys: f.reviewKeys.join(','),
        })),
        ['factor', 'reviews', 'services', 'keys'],
      );
    });

  review
    .command('predicted-vs-actual')
    .description("Each finished release's pre-release risk prediction beside what happened")
    .option('--json', 'print as JSON', false)
    .action(async (o: { json: boolean }, command: Command) => {
      const { body } = await request<{
        releases: Array<Record<string, string | number | boolean | null>>;
        byLevel: Array<Record<string, string | number | null>>;
      }>(conn(command), 'GET', '/risk/predicted-vs-actual');
      if (o.json) return printJson(body);
      printTable(
        body.releases.map((r) => ({
          release: r.release as string,
          level: r.handLevel as string,
          score: r.handScore as number,
          predicted: r.predictedFailure as number | null,
          outcome: r.state as string,
          incidents: r.incidents as number,
        })),
        ['release', 'level', 'score', 'predicted', 'outcome', 'incidents'],
      );
      process.stdout.write('\n');
      printTable(body.byLevel, [
        'level',
        'releases',
        'wentWrong',
        'observedRate',
        'meanPredictedFailure',
      ]);
    });
}
