// The workflows' custom search attributes, registered where the cluster lets
// a client do it (the dev server, the full server), and named in a clear
// message where it does not (Temporal Cloud registers them through its own
// console or tcld, not the operator API).
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_KEYS } from '../../workflows/shared';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

/** KEYWORD → Keyword, as the CLI, the Web UI and tcld spell the types. */
const typeName = (type: string): string => type.charAt(0) + type.slice(1).toLowerCase();

export interface SaysWhat {
  info(line: string): void;
  warn(line: string): void;
}

export interface SearchAttributesResult {
  registered: string[];
  present: string[];
  /** what could not be registered from here: `NAME (Type)` each, for an operator */
  refused?: { attributes: string[]; reason: string };
}

/**
 * Registers the missing search attributes of `namespace`; where the server
 * refuses (no permission, or no operator API) it logs what to register and
 * returns it, leaving the caller to decide (the worker starts regardless: a
 * workflow setting an unregistered attribute fails visibly in Temporal).
 */
export async function ensureSearchAttributes(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
  log: SaysWhat,
): Promise<SearchAttributesResult> {
  const wanted = SEARCH_ATTRIBUTE_KEYS.map((k) => ({ name: k.name, type: k.type }));
  const describe = (list: typeof wanted) => list.map((a) => `${a.name} (${typeName(a.type)})`);
  let existing: Record<string, unknown>;
  try {
    existing = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes;
  } catch (err) {
    return refused(describe(wanted), err, namespace, log);
  }
  const missing = wanted.filter((a) => !(a.name in existing));
  const present = wanted.filter((a) => a.name in existing).map((a) => a.name);
  if (missing.length === 0) return { registered: [], present };
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((a) => [a.name, IndexedValueType[`INDEXED_VALUE_TYPE_${a.type}` as keyof typeof IndexedValueType]])),
    });
  } catch (err) {
    return refused(describe(missing), err, namespace, log);
  }
  log.info(`search attributes registered in namespace ${namespace}: ${describe(missing).join(', ')}`);
  return { registered: missing.map((a) => a.name), present };
}

function refused(attributes: string[], err: unknown, namespace: string, log: SaysWhat): SearchAttributesResult {
  const reason = (err as Error).message;
  log.warn(
    `could not register search attributes in namespace ${namespace} (${reason}); register them where the cluster is managed ` +
      `(Temporal Cloud: its console or \`tcld namespace search-attributes add\`): ${attributes.join(', ')}`,
  );
  return { registered: [], present: [], refused: { attributes, reason } };
}
