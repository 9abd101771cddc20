import { useEffect, useState } from 'react';
import { api, ok } from '../api.ts';
import type { BouncingAddress } from '../contract.ts';

/** The recipients whose mail bounced lately, asked again a moment after the list stops changing. */
export function useBouncing(addresses: string[]): BouncingAddress[] {
  const [bouncing, setBouncing] = useState<BouncingAddress[]>([]);
  const key = [...new Set(addresses.map((a) => a.toLowerCase()))].sort().join(',');
  useEffect(() => {
    if (key === '') return setBouncing([]);
    let current = true;
    const timer = setTimeout(() => {
      ok(api.GET('/bounces', { params: { query: { addresses: key } } })).then(
        (answer) => current && setBouncing(answer.items),
        () => current && setBouncing([]), // the warning is a courtesy: no answer, no warning
      );
    }, 400);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [key]);
  return bouncing;
}
