// The worker's one workflowsPath: every workflow type it hosts.
export { endpointWorkflow } from './endpoint.workflow';
export { inventoryMonitorWorkflow, inventoryTickWorkflow } from './inventory-monitor.workflow';
export { providerOrderWorkflow } from './provider-order.workflow';
export { accountDeactivationWorkflow } from './account-deactivation.workflow';
export { inactivityPolicyWorkflow } from './inactivity-policy.workflow';
