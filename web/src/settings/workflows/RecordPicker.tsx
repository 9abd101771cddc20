import { useEffect, useState } from 'react';
import { api, describeError, ok } from '../../api.ts';
import type { RecordKind } from '../../contract.ts';
import { KIND_LABELS, KIND_PATHS } from '../../records/kinds.ts';

/** A record of one kind, chosen by name: for a template preview or a run by hand. */
export function RecordPicker(props: {
  kind: RecordKind;
  label: string;
  value: string;
  onChange: (id: string) => void;
}) {
  const [records, setRecords] = useState<{ id: string; name: string }[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    ok(api.GET(`/${KIND_PATHS[props.kind]}`, { params: { query: { limit: 100 } } })).then(
      (page) => setRecords(page.items),
      (e: unknown) => setError(describeError(e)),
    );
  }, [props.kind]);
  return (
    <label className="inline">
      {props.label}
      <select aria-label={props.label} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">Choose a {KIND_LABELS[props.kind].one.toLowerCase()}…</option>
        {records.map((r) => (
          <option key={r.id} value={r.id}>
            {r.name}
          </option>
        ))}
      </select>
      {error && <span className="error">{error}</span>}
    </label>
  );
}
