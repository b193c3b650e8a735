// What the fault suite's clients were told: the endpoints each holds (by an
// acknowledged allocation, reservation then allocation, exchange or completed
// port-in), the port-ins under way, and the violations seen along the way.
export interface Holding {
  client: number;
  /** when the acknowledgement arrived (ms): answers to requests sent later must reflect it */
  since: number;
  via: string;
}

export class Ledger {
  /** address → who holds it (acknowledged, not yet released, exchanged or ported out) */
  readonly held = new Map<string, Holding>();
  /** port-ins acknowledged (202) whose number has not yet been seen COMPLETED or REJECTED */
  readonly portIns = new Map<string, { client: number; address: string }>();
  /** port-ins seen to their end: id → final status */
  readonly portsDone = new Map<string, { client: number; address: string; status: string }>();
  /** addresses a client ported out (acknowledged) */
  readonly portedOut = new Set<string>();
  readonly violations: string[] = [];

  allocated(address: string, client: number, via: string): void {
    const holder = this.held.get(address);
    if (holder !== undefined && holder.client !== client)
      this.violations.push(`double allocation: ${address} given to client ${client} (${via}) while client ${holder.client} holds it (${holder.via})`);
    this.held.set(address, { client, since: Date.now(), via });
  }

  /** the client lets go of it (a release, exchange or port-out is sent): it is no longer counted as held from now */
  letGo(address: string): Holding | undefined {
    const h = this.held.get(address);
    this.held.delete(address);
    return h;
  }

  /** a let-go that did not go through: the client still holds it, unless someone else got it meanwhile */
  keep(address: string, h: Holding, why: string): void {
    const other = this.held.get(address);
    if (other && other.client !== h.client)
      this.violations.push(`double allocation: ${address} held by client ${other.client} while client ${h.client}'s ${why} did not go through`);
    else this.held.set(address, h);
  }

  mine(client: number): string[] {
    return [...this.held].filter(([, h]) => h.client === client).map(([a]) => a);
  }

  /** held by another client than `client` since before `t` */
  othersHeldBefore(client: number, t: number): [string, Holding][] {
    return [...this.held].filter(([, h]) => h.client !== client && h.since < t);
  }
}
