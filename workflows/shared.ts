// The contract between workflows, the worker and the API: task queue, ids,
// search attributes and every signal, update and query with its input type.
// Workflow code and the API import the same names from here.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey } from '@temporalio/common';

export const TASK_QUEUE = 'endpoint-inventory';

export const endpointWorkflowId = (address: string): string => `endpoint/${address}`;
export const orderWorkflowId = (orderId: string): string => `order/${orderId}`;
export const INVENTORY_MONITOR_ID = 'inventory-monitor';

// ------------------------------------------------------------ search attributes

export const EndpointNumber = defineSearchAttributeKey('EndpointNumber', 'KEYWORD');
export const EndpointState = defineSearchAttributeKey('EndpointState', 'KEYWORD');
export const EndpointCountry = defineSearchAttributeKey('EndpointCountry', 'KEYWORD');
export const EndpointNpa = defineSearchAttributeKey('EndpointNpa', 'KEYWORD');
export const EndpointType = defineSearchAttributeKey('EndpointType', 'KEYWORD');
export const OrderProvider = defineSearchAttributeKey('OrderProvider', 'KEYWORD');
export const OrderStatus = defineSearchAttributeKey('OrderStatus', 'KEYWORD');

/** Registered on the server at start (`--search-attribute NAME=Keyword`). */
export const SEARCH_ATTRIBUTE_NAMES = [
  EndpointNumber,
  EndpointState,
  EndpointCountry,
  EndpointNpa,
  EndpointType,
  OrderProvider,
  OrderStatus,
].map((k) => k.name);

// ------------------------------------------------------------ endpoint lifecycle

export type EndpointStateName =
  | 'ORDERED'
  | 'QUARANTINE'
  | 'TESTING'
  | 'AVAILABLE'
  | 'RESERVED'
  | 'ALLOCATED'
  | 'AGING'
  | 'REJECTED'
  | 'RETURNED'
  | 'PORTING_IN'
  | 'PORTING_OUT'
  | 'PORTED_OUT'
  | 'RETIRED';

export interface EndpointWorkflowInput {
  /** canonical address (E.164, `CC:digits` short code, or sip:) */
  address: string;
  /** the endpoint's row id in PostgreSQL */
  endpointId: string;
}

export interface EndpointStatus {
  address: string;
  endpointId: string;
  state: EndpointStateName;
  version: number;
}

export const stateQuery = defineQuery<EndpointStatus>('state');
