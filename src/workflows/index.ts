// Workflows: when a record or an email changes, or at a time, check conditions and run actions
// (Send Email exactly once, filed in Sent; update fields, create a record, comment, webhook, wait).
export { workflowInputSchema, RECORD_FIELDS, COMPARISONS, MODES } from './definition.ts';
export type { WorkflowInput } from './definition.ts';
export { listWorkflows, getWorkflow, createWorkflow, updateWorkflow, deleteWorkflow } from './store.ts';
export type { WorkflowView } from './store.ts';
export { listRuns, getRun, runNow, rerunStep } from './runs.ts';
export type { RunView, StepView } from './runs.ts';
export { previewTemplate } from './preview.ts';
export type { Preview } from './preview.ts';
export { onMessagesStoredForWorkflows } from './triggers.ts';
export { WorkflowEngine } from './engine.ts';
export type { WorkflowEngineOptions } from './engine.ts';
export { signatureOf } from './webhook.ts';
export { MERGE_TAGS } from '../mail/mime/index.ts';
