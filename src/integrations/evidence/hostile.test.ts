/**
 * Whatever bytes arrive, a parser either returns facts or refuses with a typed
 * GatehouseError 'invalid' that says what is wrong; it never throws anything else, never
 * expands entities and never reads outside the file.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  REPORT_TYPES as EVIDENCE_TYPES,
  type ReportType as EvidenceType,
} from '../../domain/evidence.js';
import { GatehouseError } from '../../domain/errors.js';
import { fixture } from './fixtures.js';
import { parseEvidence } from './index.js';

const SAMPLES: Record<EvidenceType, string> = {
  junit: 'surefire.junit.xml',
  lcov: 'node-test.lcov',
  cobertura: 'cobertura.xml',
  sarif: 'eslint.sarif',
  cyclonedx: 'gatehouse.cdx.json',
  trivy: 'trivy.json',
  grype: 'grype.json',
};

async function outcome(type: EvidenceType, input: Uint8Array | string): Promise<'ok' | string> {
  try {
    await parseEvidence(type, input);
    return 'ok';
  } catch (error) {
    assert.ok(error instanceof GatehouseError, `${type} threw ${String(error)}`);
    assert.equal(error.kind, 'invalid');
    assert.equal(error.code, 'invalid-evidence');
    assert.ok(error.message.length > 'evidence file: '.length);
    return error.message;
  }
}

describe('parsers under hostile input', () => {
  for (const type of EVIDENCE_TYPES) {
    test(`${type}: arbitrary bytes give facts or a typed refusal`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (bytes) => {
          await outcome(type, bytes);
        }),
        { numRuns: 150 },
      );
    });

    test(`${type}: every truncation of a real file is refused or still whole`, async () => {
      const whole = fixture(SAMPLES[type]);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: whole.length - 1 }), async (cut) => {
          const result = await outcome(type, whole.subarray(0, cut));
          // Cutting only trailing whitespace leaves the document whole; so does cutting an
          // lcov file right after an end_of_record.
          const lostContent = whole.subarray(cut).toString('utf8').trim() !== '';
          if (type !== 'lcov' && lostContent)
            assert.notEqual(result, 'ok', `cut at ${cut} was accepted`);
        }),
        { numRuns: 60 },
      );
    });

    test(`${type}: single-byte corruption of a real file never escapes as an untyped error`, async () => {
      const whole = fixture(SAMPLES[type]);
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: whole.length - 1 }),
          fc.integer({ min: 0, max: 255 }),
          async (at, byte) => {
            const copy = Buffer.from(whole);
            copy[at] = byte;
            await outcome(type, copy);
          },
        ),
        { numRuns: 60 },
      );
    });
  }

  test('billion laughs is refused before any entity is expanded', async () => {
    const lol = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<testsuite name="&lol9;"><testcase name="&lol9;"/></testsuite>`;
    for (const type of ['junit', 'cobertura'] as const)
      assert.match(await outcome(type, lol), /internal subset is not accepted/);
  });

  test('external entities (XXE) are refused, and an undeclared entity is an error', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE t [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<testsuite><testcase name="&xxe;"/></testsuite>`;
    assert.match(await outcome('junit', xxe), /internal subset is not accepted/);
    assert.match(
      await outcome('junit', '<testsuite><testcase name="&xxe;"/></testsuite>'),
      /not well-formed/,
    );
    const external =
      '<!DOCTYPE t SYSTEM "file:///etc/passwd"><testsuite><testcase name="&x;"/></testsuite>';
    assert.match(await outcome('junit', external), /not well-formed/);
  });

  test('the wrong format for the declared type is named', async () => {
    assert.match(await outcome('junit', fixture('trivy.json')), /not well-formed XML/);
    assert.match(await outcome('trivy', fixture('grype.json')), /not a Trivy JSON report/);
    assert.match(await outcome('cyclonedx', fixture('eslint.sarif')), /not a CycloneDX SBOM/);
    assert.match(await outcome('lcov', fixture('pytest.junit.xml')), /not lcov/);
    assert.match(await outcome('sarif', ''), /empty/);
  });

  test('invalid UTF-8 is refused', async () => {
    assert.match(await outcome('junit', Buffer.from([0x3c, 0xff, 0xfe])), /UTF-8/);
  });
});
