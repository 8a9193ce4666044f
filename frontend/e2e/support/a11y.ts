/**
 * axe-core in the browser tests: any serious or critical violation (WCAG 2.1 A/AA and axe's best
 * practices) fails the test with the rule, what it means and where.
 */
import AxeBuilder from '@axe-core/playwright'
import { expect, type Page } from '@playwright/test'

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']

/** The paths checkA11y has checked, per page (read by the fixture in ../fixtures.ts). */
export const checkedPaths = new WeakMap<Page, Set<string>>()

/**
 * Runs axe on the page as it is now and fails on any serious or critical violation. Call it
 * once each page a test visits has rendered (and for states within a page worth checking: an
 * open menu, a form's result).
 */
export async function checkA11y(page: Page): Promise<void> {
  await page.waitForLoadState('load')
  const path = new URL(page.url()).pathname
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze()
  const blocking = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => node.target.join(' ')),
    }))
  const paths = checkedPaths.get(page) ?? new Set<string>()
  paths.add(path)
  checkedPaths.set(page, paths)
  expect(blocking, `axe: serious or critical accessibility violations on ${path}`).toEqual([])
}
