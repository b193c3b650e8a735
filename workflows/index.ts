// The worker's one workflowsPath: every workflow type it hosts.
export { endpointWorkflow } from './endpoint.workflow';
