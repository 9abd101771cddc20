import { useEffect, useState } from 'react';
import { api, describeError, ok } from '../../api.ts';
import type { SendEmailAction } from './types.ts';

/** Where a workflow email goes out from: the record owner's mailbox, or one of the user's group mailboxes. */
export function SenderPicker(props: {
  action: SendEmailAction;
  label: string;
  onChange: (action: SendEmailAction) => void;
}) {
  const { action, onChange } = props;
  const [groups, setGroups] = useState<{ id: string; name: string }[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    ok(api.GET('/mailboxes')).then(
      (page) =>
        setGroups(
          page.items
            .filter((m) => m.kind === 'group')
            .map((m) => ({ id: m.id, name: `${m.group?.name ?? m.address} <${m.address}>` })),
        ),
      (e: unknown) => setError(describeError(e)),
    );
  }, []);
  const choose = (value: string) => {
    const { mailboxId: _unused, ...rest } = action;
    onChange(value === '' ? { ...rest, from: 'record_owner' } : { ...rest, from: 'group', mailboxId: value });
  };
  return (
    <label className="inline">
      From
      <select
        aria-label={`${props.label} from`}
        value={action.mailboxId ?? ''}
        onChange={(e) => choose(e.target.value)}
      >
        <option value="">the record owner’s mailbox</option>
        {groups.map((g) => (
          <option key={g.id} value={g.id}>
            {g.name}
          </option>
        ))}
      </select>
      {error && <span className="error">{error}</span>}
    </label>
  );
}
