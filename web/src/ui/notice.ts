import { useEffect, useState } from 'react';
import { useLocation } from 'react-router';

const SHOWN_MS = 5000;

/**
 * A passing notice ("Your email was sent."): shown for a few seconds, and gone
 * as soon as the user goes elsewhere in the app.
 */
export function useNotice(): [string | null, (text: string | null) => void] {
  const [notice, setNotice] = useState<string | null>(null);
  const where = useLocation().pathname;
  useEffect(() => setNotice(null), [where]);
  useEffect(() => {
    if (notice === null) return;
    const timer = setTimeout(() => setNotice(null), SHOWN_MS);
    return () => clearTimeout(timer);
  }, [notice]);
  return [notice, setNotice];
}
