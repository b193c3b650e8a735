// Starting an endpoint's lifecycle workflow again from its row (a live row
// without a workflow: reconciliation's repair, an interrupted import or
// delivery). The workflow resumes where the row stands: its state and
// version, holder, what it offers (enabled capabilities), its quality and
// cleanliness, and when its reservation or timed phase (quarantine, aging,
// port-out) ends.
import type { TemporalGateway } from '../temporal/gateway';
import type { ReconcileRow } from '../db/reconcile';
import { eventsBehind, phaseEndOf, type LifecyclePolicy } from '../domain/endpoint';
import type { EndpointKind } from '../domain/numbers';
import { effectiveRule, type CountryRule } from '../domain/regulation';

/** A row a workflow can be started from: reconciliation's read of it, or a whole endpoint row. */
export type EndpointRowForStart = ReconcileRow;

/**
 * Starts (or finds running) the lifecycle workflow of a row, from the row as
 * it is. `rules`: every country rule (src/db/country-rules.ts listRules, read
 * once by the caller for its rows): a quarantine or aging whose end the row
 * did not keep lasts its country rule's period, as the workflow's own would.
 */
export async function startWorkflowForRow(
  temporal: TemporalGateway,
  row: EndpointRowForStart,
  policy: LifecyclePolicy,
  rules: readonly CountryRule[],
): Promise<void> {
  await temporal.endpoints.start(
    {
      address: row.address,
      endpointId: row.id,
      state: row.state,
      version: row.version,
      kind: row.kind,
      country: row.country,
      npa: row.npa,
      capable: { voice: row.voiceCapable, sms: row.smsCapable, mms: row.mmsCapable, fax: row.faxCapable },
      enabled: { voice: row.voiceEnabled, sms: row.smsEnabled, mms: row.mmsEnabled, fax: row.faxEnabled },
      qualityScore: row.qualityScore,
      voiceCleanliness: row.voiceCleanliness,
      messagingCleanliness: row.messagingCleanliness,
      voiceEvents: eventsBehind(row.voiceCleanliness, policy.eventWeight),
      messagingEvents: eventsBehind(row.messagingCleanliness, policy.eventWeight),
      accountId: row.accountId,
      reservedUntil: row.reservedUntil?.getTime() ?? null,
      phaseEndsAt: phaseEndOf(
        { state: row.state, quarantineUntil: row.quarantineUntil?.getTime() ?? null, stateChangedAt: row.stateChangedAt.getTime() },
        policy,
        effectiveRule(rules, row.country, row.kind as EndpointKind),
      ),
      // a number under test with a holder is a holder's number being retested: it goes back to them
      afterTesting: row.state === 'TESTING' && row.accountId ? 'ALLOCATED' : 'AVAILABLE',
    },
    policy,
  );
}
