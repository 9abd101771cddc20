// axe-core run in the page: the accessibility check every browser test makes on each screen it saves.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { AxeResults } from 'axe-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const FAILING_IMPACTS = new Set(['serious', 'critical']);
/** Emails' own HTML: the frames they are shown in, and what is quoted inside the compose editor. */
const EXCLUDED = [['iframe'], ['.editor *']];

/**
 * The serious and critical axe-core violations on the page as it is now, one line each
 * ("rule: what is wrong — where"). Emails' own HTML is not the app's and is left out: the frames
 * emails are shown in, and what is inside the compose editor (a quoted email's images, say); so
 * are other sites' pages a test passes through (the stand-in identity provider's sign-in).
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const ours = await page.evaluate("document.title === 'Tandem' && document.getElementById('root') !== null");
  if (!ours) return [];
  const hasAxe = await page.evaluate("'axe' in window");
  if (!hasAxe) await page.evaluate(AXE_SOURCE);
  const results = (await page.evaluate(
    `axe.run(${JSON.stringify({ exclude: EXCLUDED })}, { resultTypes: ['violations'], iframes: false })`,
  )) as AxeResults;
  return results.violations
    .filter((violation) => FAILING_IMPACTS.has(violation.impact ?? ''))
    .map(
      (violation) =>
        `${violation.id}: ${violation.help} — ${violation.nodes
          .slice(0, 5)
          .map((node) => node.target.join(' '))
          .join(', ')}`,
    );
}
