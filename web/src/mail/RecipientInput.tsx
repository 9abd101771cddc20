import { useEffect, useId, useState } from 'react';
import { api, ok } from '../api.ts';
import type { AddressSuggestion } from '../contract.ts';

/** Suggestions are asked for once typing pauses this long. */
const DEBOUNCE_MS = 150;

/**
 * A comma-separated list of addresses with suggestions for the one being typed
 * (the user's contacts and past correspondents, GET /addresses/suggest): a
 * combobox, chosen with the arrow keys and Enter or Tab, or with the mouse.
 */
export function RecipientInput({
  value,
  onChange,
  disabled,
  invalid,
  placeholder,
}: {
  value: string;
  onChange: (value: string) => void;
  disabled: boolean;
  invalid: boolean;
  placeholder?: string;
}) {
  const listId = useId();
  const [suggestions, setSuggestions] = useState<AddressSuggestion[]>([]);
  const [active, setActive] = useState(0);
  const [focused, setFocused] = useState(false);
  const typed = lastEntry(value);

  useEffect(() => {
    if (!focused || typed.length < 1) return setSuggestions([]);
    let live = true;
    const timer = setTimeout(() => {
      ok(api.GET('/addresses/suggest', { params: { query: { q: typed, limit: 8 } } })).then(
        (answer) => {
          if (!live) return;
          const chosen = new Set(entries(value).map((a) => a.toLowerCase()));
          setSuggestions(answer.items.filter((s) => !chosen.has(s.address) || s.address === typed.toLowerCase()));
          setActive(0);
        },
        () => live && setSuggestions([]),
      );
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [typed, focused]);

  const open = focused && suggestions.length > 0;
  const choose = (s: AddressSuggestion) => {
    const before = value.slice(0, value.length - lastRaw(value).length);
    onChange(`${before}${before.trim() === '' ? '' : ' '}${s.address}, `);
    setSuggestions([]);
  };

  return (
    <span className="recipient-input">
      <input
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
        placeholder={placeholder}
        aria-invalid={invalid && !open}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={open ? `${listId}-${active}` : undefined}
        autoComplete="off"
        onFocus={() => setFocused(true)}
        onBlur={() => setFocused(false)}
        onKeyDown={(e) => {
          if (!open) return;
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            const step = e.key === 'ArrowDown' ? 1 : -1;
            setActive((i) => (i + step + suggestions.length) % suggestions.length);
          } else if (e.key === 'Enter' || e.key === 'Tab') {
            const s = suggestions[active];
            if (!s) return;
            e.preventDefault();
            choose(s);
          } else if (e.key === 'Escape') {
            e.stopPropagation(); // closes the list, not the window
            setSuggestions([]);
          }
        }}
      />
      {open && (
        <ul className="suggestions" role="listbox" id={listId} aria-label="Suggested recipients">
          {suggestions.map((s, i) => (
            <li
              key={s.address}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              // Chosen before the input's blur closes the list.
              onMouseDown={(e) => {
                e.preventDefault();
                choose(s);
              }}
            >
              {s.name ? (
                <>
                  <span className="name">{s.name}</span> <span className="address">{s.address}</span>
                </>
              ) : (
                <span className="address">{s.address}</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </span>
  );
}

function entries(value: string): string[] {
  return value
    .split(/[,;]/)
    .map((a) => a.trim())
    .filter(Boolean);
}

/** The text after the last separator, as typed. */
function lastRaw(value: string): string {
  return value.split(/[,;]/).pop() ?? '';
}

function lastEntry(value: string): string {
  return lastRaw(value).trim();
}
