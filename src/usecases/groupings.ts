// Operators' classification groupings: a conjunction of classifier tags the
// monitor keeps stocked between thresholds. Tags are checked (one that can
// never match is refused with the reason) and normalised; thresholds must be
// ordered min <= target <= max, also after a change.
import type { Db } from '../db/client';
import {
  createGrouping as insertGrouping,
  getGrouping,
  listGroupings,
  updateGrouping as changeGrouping,
  type Grouping,
  type GroupingInput,
} from '../db/groupings';
import { validateGrouping } from '../domain/classification';
import { BadRequest, NotFound } from '../domain/errors';
import type { Thresholds } from '../domain/inventory';

export type { Grouping, GroupingInput } from '../db/groupings';

export interface GroupingDeps {
  db: Db;
}

function checkThresholds(t: Partial<Thresholds>): void {
  const { minAvailable: min, targetAvailable: target, maxAvailable: max } = t;
  if (min !== undefined && target !== undefined && min > target) throw BadRequest.field('minAvailable', 'must not exceed targetAvailable');
  if (target !== undefined && max !== undefined && target > max) throw BadRequest.field('targetAvailable', 'must not exceed maxAvailable');
}

function checkTags(tags: string[]): string[] {
  const v = validateGrouping(tags);
  if (!v.ok) throw BadRequest.field('tags', v.reason);
  return v.tags;
}

export function groupings(deps: GroupingDeps): Promise<Grouping[]> {
  return listGroupings(deps.db);
}

/** Conflict when the name or the conjunction is taken. */
export async function createGrouping(deps: GroupingDeps, input: GroupingInput): Promise<Grouping> {
  checkThresholds(input);
  return insertGrouping(deps.db, { ...input, tags: checkTags(input.tags) });
}

/** NotFound for an unknown id; the thresholds are checked as they will be after the change. */
export async function updateGrouping(deps: GroupingDeps, id: string, patch: Partial<GroupingInput>): Promise<Grouping> {
  const current = await getGrouping(deps.db, id);
  if (!current) throw new NotFound(`no grouping ${id}`);
  checkThresholds({ ...current, ...patch });
  const tags = patch.tags ? checkTags(patch.tags) : undefined;
  return changeGrouping(deps.db, id, { ...patch, ...(tags ? { tags } : {}) });
}
