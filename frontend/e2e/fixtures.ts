/**
 * The browser tests' `test` and `expect`: Playwright's, plus axe on every page a test shows.
 * Import them from here, not from '@playwright/test'.
 *
 * Call checkA11y(page) (./support/a11y) once each page a test visits has rendered. After the test
 * this fixture checks every page still open once more, and fails the test if a page showed a path
 * (a full load or a client-side route change that stayed for at least REDIRECT_MS, in any page of
 * the test) that no checkA11y call covered. Shorter stays are redirects (a guard sending a
 * signed-out visitor to sign-in) and are not pages anyone saw.
 */
import { test as base, type Page } from '@playwright/test'

import { checkA11y, checkedPaths } from './support/a11y'

export { expect } from '@playwright/test'
export { checkA11y } from './support/a11y'

const REDIRECT_MS = 500

export const test = base.extend<{ a11yEveryPage: void }>({
  a11yEveryPage: [
    async ({ context }, use) => {
      const shown = new Set<string>()
      const watch = (page: Page): void => {
        let current: { path: string; at: number } | null = null
        page.on('framenavigated', (frame) => {
          if (frame !== page.mainFrame() || !frame.url().startsWith('http')) {
            return
          }
          const path = new URL(frame.url()).pathname
          if (current !== null && current.path !== path && Date.now() - current.at >= REDIRECT_MS) {
            shown.add(current.path)
          }
          if (current?.path !== path) {
            current = { path, at: Date.now() }
          }
        })
        page.on('close', () => {
          if (current !== null) {
            shown.add(current.path)
          }
        })
      }
      context.pages().forEach(watch)
      context.on('page', watch)

      await use()

      const checked = new Set<string>()
      for (const page of context.pages()) {
        if (!page.isClosed() && page.url().startsWith('http')) {
          shown.add(new URL(page.url()).pathname)
          await checkA11y(page)
        }
        for (const path of checkedPaths.get(page) ?? []) {
          checked.add(path)
        }
      }
      const unchecked = [...shown].filter((path) => !checked.has(path)).sort()
      base.expect(unchecked, 'pages this test showed that no checkA11y(page) call checked').toEqual([])
    },
    { auto: true },
  ],
})
