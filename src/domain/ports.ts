// Number portability: where a port request stands, read from its endpoint's
// lifecycle state.

export type PortDirection = 'IN' | 'OUT';
export type PortStatusName = 'REQUESTED' | 'IN_PROGRESS' | 'COMPLETED' | 'REJECTED';

/** Where a port request stands by its endpoint's state (null: the state says nothing yet). */
export function portStatus(direction: string, state: string | null): PortStatusName | null {
  if (state === null) return null;
  if (direction === 'IN') {
    if (state === 'PORTING_IN') return 'IN_PROGRESS';
    // it passed its checks (and may have moved on since) or it did not
    return state === 'REJECTED' || state === 'RETURNED' ? 'REJECTED' : 'COMPLETED';
  }
  if (state === 'PORTING_OUT') return 'IN_PROGRESS';
  if (state === 'PORTED_OUT') return 'COMPLETED';
  return null;
}

/** A request still open whose endpoint says otherwise moves on; one that ended stays as it ended. */
export function nextPortStatus(recorded: PortStatusName, direction: string, state: string | null): PortStatusName | null {
  const now = portStatus(direction, state);
  return (recorded === 'IN_PROGRESS' || recorded === 'REQUESTED') && now && now !== recorded ? now : null;
}

export const settles = (status: PortStatusName): boolean => status === 'COMPLETED' || status === 'REJECTED';
