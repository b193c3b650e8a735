// Prisma's CLI cannot diff or migrate here (no schema engine), so this proves
// the hand-written migrations match the schema: every model is a table and
// every scalar field a column of the right kind, nullability and list-ness.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { migrate } from '../../src/db/migrate';
import { stack } from '../support/stack';

interface Field {
  model: string;
  name: string;
  column: string;
  type: string;
  optional: boolean;
  list: boolean;
}

const SCALARS: Record<string, string[]> = {
  String: ['text', 'character', 'uuid', 'character varying'],
  Int: ['integer'],
  BigInt: ['bigint'],
  Float: ['double precision'],
  Boolean: ['boolean'],
  // a DateTime with @db.Date is a date column
  DateTime: ['timestamp with time zone', 'timestamp without time zone', 'date'],
  Json: ['jsonb'],
};

function parseSchema(text: string): { tables: Map<string, string>; fields: Field[]; enums: Set<string> } {
  const enums = new Set([...text.matchAll(/^enum (\w+) \{/gm)].map((m) => m[1]!));
  const tables = new Map<string, string>();
  const fields: Field[] = [];
  for (const m of text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    const [, model, body] = m as unknown as [string, string, string];
    tables.set(model, body.match(/@@map\("([^"]+)"\)/)?.[1] ?? model);
    for (const line of body.split('\n')) {
      const f = line.trim().match(/^(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/);
      if (!f) continue;
      const [, name, type, list, optional, rest] = f as unknown as [string, string, string, string | undefined, string | undefined, string];
      if (!(type in SCALARS) && !enums.has(type)) continue; // a relation field, not a column
      fields.push({
        model,
        name,
        type,
        column: rest.match(/@map\("([^"]+)"\)/)?.[1] ?? name,
        optional: optional === '?',
        list: list === '[]',
      });
    }
  }
  return { tables, fields, enums };
}

describe('database schema', () => {
  const schema = parseSchema(readFileSync(join(__dirname, '..', '..', 'prisma', 'schema.prisma'), 'utf8'));
  let client: Client;

  before(async () => {
    client = new Client({ connectionString: stack().databaseUrl });
    await client.connect();
  });
  after(async () => client.end());

  it('parses a schema with every model the repository needs', () => {
    const expected = [
      'Endpoint',
      'EndpointHistory',
      'ClassificationGrouping',
      'InventorySnapshot',
      'Provider',
      'ProviderOrder',
      'OrderLine',
      'DeliveredNumber',
      'Account',
      'ApiKey',
      'ApiKeyAccount',
      'CapabilityProbe',
      'EndpointUsage',
      'InactivityNotice',
      'IdempotencyRecord',
      'AllocationResume',
      'UnmetSearch',
      'PortRequest',
      'GroupingCount',
      'GroupingAllocation',
      'WebhookReceipt',
      'NumberSettings',
      'RateLimit',
      'CountryRule',
      'CountryRuleHistory',
      'AccountAddress',
    ];
    assert.deepEqual([...schema.tables.keys()].sort(), expected.sort());
    assert.ok(schema.fields.length > 100, `only ${schema.fields.length} fields parsed`);
  });

  it('has every model as a table and every field as a matching column', async () => {
    const { rows } = await client.query<{
      table_name: string;
      column_name: string;
      data_type: string;
      udt_name: string;
      is_nullable: string;
    }>(`SELECT table_name, column_name, data_type, udt_name, is_nullable
          FROM information_schema.columns WHERE table_schema = 'public'`);
    const columns = new Map(rows.map((r) => [`${r.table_name}.${r.column_name}`, r]));
    const problems: string[] = [];
    for (const f of schema.fields) {
      const table = schema.tables.get(f.model)!;
      const col = columns.get(`${table}.${f.column}`);
      const where = `${f.model}.${f.name} (${table}.${f.column})`;
      if (!col) {
        problems.push(`${where}: no such column`);
        continue;
      }
      if (f.list) {
        if (col.data_type !== 'ARRAY') problems.push(`${where}: expected an array, found ${col.data_type}`);
        const element = col.udt_name.replace(/^_/, '');
        const ok = schema.enums.has(f.type) ? element === f.type : (SCALARS[f.type] ?? []).some((t) => t.startsWith(element));
        if (!ok) problems.push(`${where}: array of ${element}, expected ${f.type}`);
        continue;
      }
      const typeOk = schema.enums.has(f.type) ? col.data_type === 'USER-DEFINED' && col.udt_name === f.type : (SCALARS[f.type] ?? []).includes(col.data_type);
      if (!typeOk) problems.push(`${where}: ${col.data_type}/${col.udt_name}, expected ${f.type}`);
      if ((col.is_nullable === 'YES') !== f.optional) {
        problems.push(`${where}: nullable=${col.is_nullable}, schema says ${f.optional ? 'optional' : 'required'}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('has the search indexes: GIN on state + classifier tags, trigram on digits, address unique', async () => {
    const { rows } = await client.query<{ indexname: string; indexdef: string }>(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'endpoints'`);
    const defs = rows.map((r) => r.indexdef).join('\n');
    assert.match(defs, /USING gin \(state, classifier_tags\)/);
    assert.match(defs, /USING gin \(digits gin_trgm_ops\)/);
    assert.match(defs, /UNIQUE INDEX endpoints_address_key .*\(address\)/);
  });

  it('migrates idempotently, as Prisma records it', async () => {
    const again = await migrate(stack().databaseUrl);
    assert.deepEqual(again.applied, []);
    assert.ok(again.alreadyApplied.length >= 1);
    const { rows } = await client.query<{ migration_name: string; checksum: string }>(`SELECT migration_name, checksum FROM "_prisma_migrations"`);
    assert.equal(rows.length, again.alreadyApplied.length);
    for (const r of rows) assert.match(r.checksum, /^[0-9a-f]{64}$/);
  });

  it('enforces one holder for an allocated endpoint', async () => {
    await assert.rejects(client.query(`INSERT INTO endpoints (address, kind, state) VALUES ('+14155550999', 'MOBILE', 'ALLOCATED')`), /endpoints_holder_check/);
  });
});
