/**
 * The browser tests' `test` and `expect`: Playwright's, plus axe on every page a test shows.
 * Import them from here, not from '@playwright/test'.
 *
 * Call checkA11y(page) (./support/a11y) once each page a test visits has rendered. After the test
 * this fixture checks every page still open once more, and fails the test if a page showed a path
 * (a load or a client-side route change, in any page of the test) that no checkA11y call covered.
 * A path the app left with history.replaceState (a guard redirecting a signed-out visitor to
 * sign-in, say) was passed through, not shown, and needs no check.
 */
import { test as base, type Page } from '@playwright/test'

import { checkA11y, checkedPaths } from './support/a11y'

export { expect } from '@playwright/test'
export { checkA11y } from './support/a11y'

/** Runs in every document before the app: reports each path left by history.replaceState. */
const REPORT_REPLACED_PATHS = `(() => {
  const replaceState = history.replaceState.bind(history)
  history.replaceState = (state, unused, url) => {
    if (url !== undefined && url !== null && new URL(url, location.href).pathname !== location.pathname) {
      void window.dbayPathReplaced(location.pathname)
    }
    replaceState(state, unused, url)
  }
})()`

export const test = base.extend<{ a11yEveryPage: void }>({
  a11yEveryPage: [
    async ({ context }, use) => {
      const visited = new Set<string>()
      const replaced = new Set<string>()
      await context.exposeBinding('dbayPathReplaced', (_source, path: string) => {
        replaced.add(path)
      })
      await context.addInitScript({ content: REPORT_REPLACED_PATHS })
      const watch = (page: Page): void => {
        page.on('framenavigated', (frame) => {
          if (frame === page.mainFrame() && frame.url().startsWith('http')) {
            visited.add(new URL(frame.url()).pathname)
          }
        })
      }
      context.pages().forEach(watch)
      context.on('page', watch)

      await use()

      const checked = new Set<string>()
      const current = new Set<string>()
      for (const page of context.pages()) {
        if (!page.isClosed() && page.url().startsWith('http')) {
          current.add(new URL(page.url()).pathname)
          await checkA11y(page)
        }
        for (const path of checkedPaths.get(page) ?? []) {
          checked.add(path)
        }
      }
      const unchecked = [...visited]
        .filter((path) => !checked.has(path) && (current.has(path) || !replaced.has(path)))
        .sort()
      base.expect(unchecked, 'pages this test showed that no checkA11y(page) call checked').toEqual([])
    },
    { auto: true },
  ],
})
