import { useState } from 'react';
import type { SendEmailAction } from './types.ts';

type Attachment = NonNullable<SendEmailAction['attachments']>[number];

/** The files a Send Email carries: added here, kept by the server in its blob store once the workflow is saved. */
export function TemplateFiles(props: {
  action: SendEmailAction;
  label: string;
  onChange: (a: SendEmailAction) => void;
}) {
  const { action, onChange } = props;
  const [error, setError] = useState<string | null>(null);
  const files = action.attachments ?? [];
  const add = async (list: FileList | null) => {
    try {
      const read = await Promise.all([...(list ?? [])].map(readFile));
      onChange({ ...action, attachments: [...files, ...read] });
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <div className="inline">
      <label>
        Files
        <input aria-label={`${props.label} files`} type="file" multiple onChange={(e) => void add(e.target.files)} />
      </label>
      <ul aria-label={`${props.label} attached files`}>
        {files.map((f, i) => (
          <li key={`${f.filename}-${i}`}>
            {f.filename} ({Math.ceil((f.size ?? 0) / 1024)} KB){' '}
            <button type="button" onClick={() => onChange({ ...action, attachments: files.filter((_, j) => j !== i) })}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      {error && <span className="error">{error}</span>}
    </div>
  );
}

function readFile(file: File): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve({
        filename: file.name,
        contentType: file.type || 'application/octet-stream',
        contentBase64: url.slice(url.indexOf(',') + 1),
        size: file.size,
      });
    };
    reader.onerror = () => reject(reader.error ?? new Error(`Cannot read ${file.name}`));
    reader.readAsDataURL(file);
  });
}
