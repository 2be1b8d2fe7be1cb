/**
 * JUnit XML as the test runners actually write it. The dialects differ in the root
 * (`<testsuites>` or a lone `<testsuite>`), in nesting (Jest and node --test nest suites)
 * and in which totals they put in attributes, so the facts are counted from the
 * `<testcase>` elements themselves: a case with `<failure>` failed, with `<error>` errored,
 * with `<skipped>` was skipped, otherwise it passed. Surefire's `<flakyFailure>` and
 * `<rerunFailure>` are reruns of a case that passed in the end, so they do not count.
 */
import { LISTED_LIMIT, type FailedTest, type TestFacts } from '../../domain/evidence.js';
import { clip, invalidEvidence, text, type EvidenceSource } from './source.js';
import { streamXml } from './xml.js';

type Outcome = 'passed' | 'failed' | 'errors' | 'skipped';

export async function parseJUnit(source: EvidenceSource): Promise<TestFacts> {
  const facts: TestFacts = {
    kind: 'tests',
    tests: 0,
    passed: 0,
    failed: 0,
    errors: 0,
    skipped: 0,
    failures: [],
  };
  const suites: string[] = [];
  let current: { name: string; suite: string; outcome: Outcome; message: string } | null = null;
  let collecting = false;
  let caseDepth = 0;

  const root = await streamXml(source, {
    open(tag, depth) {
      const attrs = tag.attributes as Record<string, string>;
      if (depth === 1 && tag.name !== 'testsuites' && tag.name !== 'testsuite')
        throw invalidEvidence(
          `expected a JUnit report (<testsuites> or <testsuite> root), found <${tag.name}>`,
        );
      if (tag.name === 'testsuite') suites.push(text(attrs.name));
      else if (tag.name === 'testcase') {
        if (current) throw invalidEvidence('a <testcase> may not contain another <testcase>');
        current = {
          name: text(attrs.name) || '(unnamed)',
          suite: text(attrs.classname) || suites.at(-1) || '',
          outcome: 'passed',
          message: '',
        };
        caseDepth = depth;
      } else if (current && depth === caseDepth + 1) {
        const outcome: Outcome | null =
          tag.name === 'failure'
            ? 'failed'
            : tag.name === 'error'
              ? 'errors'
              : tag.name === 'skipped'
                ? 'skipped'
                : null;
        // A failure outranks a skip; the first failure's message is the one kept.
        if (outcome && (current.outcome === 'passed' || current.outcome === 'skipped')) {
          current.outcome = outcome;
          current.message = text(attrs.message);
          collecting = outcome !== 'skipped' && !current.message;
        }
      }
    },
    close(name) {
      if (name === 'testsuite') suites.pop();
      else if (name === 'testcase' && current) {
        facts.tests++;
        facts[current.outcome]++;
        if (
          (current.outcome === 'failed' || current.outcome === 'errors') &&
          facts.failures.length < LISTED_LIMIT
        ) {
          const failure: FailedTest = {
            suite: clip(current.suite, 200),
            name: clip(current.name, 200),
            message: clip(current.message.split('\n')[0] ?? ''),
          };
          facts.failures.push(failure);
        }
        current = null;
      } else if (name === 'failure' || name === 'error') collecting = false;
    },
    wantText: () => collecting,
    text(value) {
      // Only the start of a stack trace is kept, so a huge one costs nothing.
      if (current && current.message.length < 500) current.message += value.slice(0, 500);
    },
  });
  if (root !== 'testsuites' && root !== 'testsuite')
    throw invalidEvidence(`expected a JUnit report, found <${root}>`);
  return facts;
}
