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
