/**
 * API tokens are kept only as their SHA-256: after tokens are issued, used and revoked,
 * no text column of any table, on either engine, holds a token's secret. The same scan
 * finds each token's hash, so a scan that looks nowhere cannot pass.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { engines } from './support/engines.js';
import { startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

for (const engine of await engines()) {
  describe(`tokens at rest on ${engine.name}`, { skip: engine.skip }, () => {
    let server: TestServer;
    const secrets: string[] = [];

    before(async () => {
      server = await startTestServer(engine);
      secrets.push(server.adminToken);
      await server.call('POST', '/catalog/apply', { body: TEST_CATALOG });
      await server.call('POST', '/users', { body: { name: 'rest-rita', roles: ['deployer'] } });
      for (const body of [
        { name: 'own' },
        { name: 'for-rita', user: 'rest-rita' },
        { name: 'expiring', expiresInDays: 1 },
      ]) {
        const issued = await server.call('POST', '/tokens', { body });
        assert.equal(issued.status, 201, JSON.stringify(issued.body));
        secrets.push(issued.body.token);
      }
      // Used (last-use is written), refused with a near miss, and one revoked.
      for (const token of secrets) await server.call('GET', '/me', { token });
      await server.call('GET', '/me', { token: secrets[1]!.slice(0, -1) + 'x' });
      const report = await server.call('GET', '/access-reviews/report');
      const rita = JSON.stringify(report.body).match(/"tokenId":"([^"]+)"/)?.[1];
      if (rita)
        await server.call('POST', '/access-reviews/decisions', {
          body: { grant: 'token', tokenId: rita, decision: 'revoke', reason: 'rest test' },
        });
    });
    after(async () => server?.close());

    /** Every text-like column of every table, as (table, column). */
    async function textColumns(): Promise<Array<[string, string]>> {
      const db = server.running.app.store.db;
      if (engine.name === 'sqlite') {
        const tables = await sql<{ name: string }>`
          select name from sqlite_master where type = 'table' and name not like 'sqlite_%'
            and sql not like 'CREATE VIRTUAL TABLE%'`.execute(db);
        const columns: Array<[string, string]> = [];
        for (const { name } of tables.rows) {
          const info = await sql<{
            name: string;
            type: string;
          }>`select name, type from pragma_table_info(${name})`.execute(db);
          for (const column of info.rows)
            if (!/int|real|blob|bool/i.test(column.type) || column.type === '')
              columns.push([name, column.name]);
        }
        return columns;
      }
      const rows = await sql<{ table_name: string; column_name: string }>`
        select c.table_name, c.column_name from information_schema.columns c
          join information_schema.tables t
            on t.table_schema = c.table_schema and t.table_name = c.table_name
         where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
           and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb')`.execute(
        db,
      );
      return rows.rows.map((row) => [row.table_name, row.column_name]);
    }

    /** The columns holding any of the needles. */
    async function tablesHolding(...needles: string[]): Promise<string[]> {
      const db = server.running.app.store.db;
      const found: string[] = [];
      for (const [table, column] of await textColumns()) {
        const contains = needles.map((needle) =>
          engine.name === 'sqlite'
            ? sql`instr(cast(${sql.ref(column)} as text), ${needle}) > 0`
            : sql`strpos(${sql.ref(column)}::text, ${needle}) > 0`,
        );
        const hit = await sql<{ n: number | string }>`
          select count(*) as n from ${sql.table(table)}
           where ${sql.join(contains, sql` or `)}`.execute(db);
        if (Number(hit.rows[0]!.n) > 0) found.push(`${table}.${column}`);
      }
      return found;
    }

    test('no text column holds any token secret, or its random part', async () => {
      assert.ok((await textColumns()).length > 50, 'the scan covers the whole schema');
      // Whole, and the random part after the displayed prefix (gth_ and six characters).
      const needles = secrets.flatMap((secret) => [secret, secret.slice(10)]);
      assert.deepEqual(await tablesHolding(...needles), []);
    });

    test('the scan does find what is stored: each token as its SHA-256', async () => {
      for (const secret of secrets) {
        const hash = createHash('sha256').update(secret).digest('hex');
        assert.deepEqual(await tablesHolding(hash), ['api_tokens.token_hash']);
      }
    });
  });
}
