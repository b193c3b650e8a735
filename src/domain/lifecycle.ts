// Building the first snapshot of an endpoint's workflow, and the search
// attributes it starts with. Pure.
import { TypedSearchAttributes } from '@temporalio/common';
import type { ParsedAddress } from './numbers';
import {
  EndpointCountry,
  EndpointNpa,
  EndpointNumber,
  EndpointState,
  EndpointType,
  type Capabilities,
  type EndpointSnapshot,
  type EndpointStateName,
} from '../../workflows/shared';

export const NO_CAPABILITIES: Capabilities = { voice: false, sms: false, mms: false, fax: false };

export function initialSnapshot(
  state: EndpointStateName,
  version: number,
  capable: Capabilities,
  extra: Partial<EndpointSnapshot> = {},
): EndpointSnapshot {
  return {
    state,
    version,
    accountId: null,
    reservedUntil: null,
    phaseEndsAt: null,
    extensions: 0,
    voiceEvents: 0,
    messagingEvents: 0,
    voiceCleanliness: 1,
    messagingCleanliness: 1,
    capable,
    enabled: NO_CAPABILITIES,
    droppedMedia: [],
    qualityScore: null,
    afterTesting: 'AVAILABLE',
    ...extra,
  };
}

export function endpointSearchAttributes(
  p: Pick<ParsedAddress, 'address' | 'country' | 'npa' | 'kind'>,
  state: EndpointStateName,
): TypedSearchAttributes {
  return new TypedSearchAttributes([
    { key: EndpointNumber, value: p.address },
    { key: EndpointState, value: state },
    { key: EndpointType, value: p.kind },
    ...(p.country ? [{ key: EndpointCountry, value: p.country }] : []),
    ...(p.npa ? [{ key: EndpointNpa, value: p.npa }] : []),
  ]);
}
