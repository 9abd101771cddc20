// The workflow shapes the screens use, derived from the server's OpenAPI document.
import type { Answer, Body } from '../../contract.ts';

export type Workflow = Answer<'/workflows/{id}', 'get'>;
export type WorkflowInput = Body<'/workflows', 'post'>;
export type Trigger = WorkflowInput['trigger'];
export type Condition = NonNullable<WorkflowInput['conditions']>['conditions'][number];
export type Action = WorkflowInput['actions'][number];
export type SendEmailAction = Extract<Action, { type: 'send_email' }>;
export type Run = Answer<'/workflows/{id}/runs', 'get'>['items'][number];
export type Preview = Answer<'/workflows/preview', 'post'>;

export const COMPARISONS: Record<Condition['op'], string> = {
  equals: 'equals',
  not_equals: 'does not equal',
  contains: 'contains',
  is_empty: 'is empty',
  is_not_empty: 'is not empty',
  greater_than: 'is greater than',
  less_than: 'is less than',
  changed: 'changed',
  changed_to: 'changed to',
};

export const MODES: Record<WorkflowInput['mode'] & string, string> = {
  every_save: 'every time the record is saved with the conditions true',
  transition: 'only when the conditions become true',
  until_true: 'until the conditions are first true',
  first_save: 'only on the record’s first save',
};

export const ACTION_LABELS: Record<Action['type'], string> = {
  send_email: 'Send email',
  update_fields: 'Update fields',
  create_record: 'Create record',
  add_comment: 'Add comment',
  webhook: 'Webhook',
  wait: 'Wait',
};

export function newAction(type: Action['type']): Action {
  switch (type) {
    case 'send_email':
      return {
        type,
        from: 'record_owner',
        to: [{ type: 'contact' }],
        template: { subject: '', text: '' },
        linkToRecord: true,
      };
    case 'update_fields':
      return { type, fields: { description: '' } };
    case 'create_record':
      return { type, recordType: 'case', name: '' };
    case 'add_comment':
      return { type, body: '' };
    case 'webhook':
      return { type, url: 'https://', secret: '' };
    case 'wait':
      return { type, minutes: 60 };
  }
}
