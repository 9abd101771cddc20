import { useEffect, useRef, useState } from 'react';
import { api, describeError, ok } from '../../api.ts';
import type { RecordKind } from '../../contract.ts';
import { RecordPicker } from './RecordPicker.tsx';
import type { Preview, SendEmailAction } from './types.ts';

type Template = SendEmailAction['template'];

/**
 * A Send Email template: subject and body with merge tags (`{{contact.firstName | "there"}}`),
 * a picker that inserts a tag where the cursor is, and a preview filled from a real record
 * that lists unknown tags as errors before the workflow is saved.
 */
export function TemplateEditor(props: {
  template: Template;
  kind: RecordKind;
  label: string;
  onChange: (template: Template) => void;
}) {
  const { template, onChange } = props;
  const [tags, setTags] = useState<string[]>([]);
  const [tag, setTag] = useState('contact.firstName');
  const [recordId, setRecordId] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const body = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    ok(api.GET('/workflows/merge-tags')).then(
      (answer) => setTags(answer.tags),
      (e: unknown) => setError(describeError(e)),
    );
  }, []);

  const insertTag = () => {
    const text = template.text ?? '';
    const at = body.current?.selectionStart ?? text.length;
    onChange({ ...template, text: `${text.slice(0, at)}{{${tag}}}${text.slice(at)}` });
  };
  const showPreview = async () => {
    setError(null);
    try {
      setPreview(
        await ok(
          api.POST('/workflows/preview', {
            body: { recordId, subject: template.subject, text: template.text ?? '' },
          }),
        ),
      );
    } catch (e) {
      setError(describeError(e));
    }
  };

  return (
    <div className="template-editor">
      <label>
        Subject
        <input
          aria-label={`${props.label} subject`}
          required
          value={template.subject}
          onChange={(e) => onChange({ ...template, subject: e.target.value })}
        />
      </label>
      <label>
        Body
        <textarea
          ref={body}
          aria-label={`${props.label} body`}
          rows={6}
          value={template.text ?? ''}
          onChange={(e) => onChange({ ...template, text: e.target.value })}
        />
      </label>
      <div className="inline">
        <select aria-label="Merge tag" value={tag} onChange={(e) => setTag(e.target.value)}>
          {tags.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <button type="button" onClick={insertTag}>
          Insert tag
        </button>
        <span className="note">A fallback for an empty value: {'{{contact.firstName | "there"}}'}</span>
      </div>
      <div className="inline">
        <RecordPicker kind={props.kind} label="Preview with" value={recordId} onChange={setRecordId} />
        <button type="button" disabled={!recordId} onClick={() => void showPreview()}>
          Preview
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {preview && (
        <section className="preview" aria-label="Preview">
          {preview.errors.map((e) => (
            <p key={e} className="error">
              {e}
            </p>
          ))}
          <p>
            <strong>{preview.subject}</strong>
          </p>
          <pre>{preview.text}</pre>
          {preview.missing.length > 0 && (
            <p className="note">No value on this record for: {preview.missing.join(', ')} (the fallback is used)</p>
          )}
        </section>
      )}
    </div>
  );
}
