export {
  createDraft,
  deleteDraft,
  draftInlinePart,
  draftToSend,
  getDraft,
  isDraftsFolder,
  restoreDraft,
  updateDraft,
} from './drafts.ts';
export type { DraftView } from './drafts.ts';
export { draftFieldsSchema } from './fields.ts';
export { withSignature } from './signature.ts';
export type { DraftFields } from './fields.ts';
export { cancelHeldSend, getHeldSend, holdDraftSend, listHeldSends, MAX_SCHEDULE_MS } from './held-sends.ts';
export type { HeldLink, HeldSendStatus, HeldSendView } from './held-sends.ts';
export { HeldSendRunner } from './held-send-runner.ts';
export type { HeldSendRunnerOptions } from './held-send-runner.ts';
