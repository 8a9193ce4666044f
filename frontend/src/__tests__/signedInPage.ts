import { flushPromises } from '@vue/test-utils'
import type { Component } from 'vue'

import { setAccessTokenProvider } from '@/api/http'
import { sessionHintSet } from '@/lib/sessionHint'
import { useSessionStore } from '@/stores/useSessionStore'

import { mountPage, type MountedPage } from './mountPage'

/**
 * Mounts a page for a signed-in user: the fake API must answer `POST /api/v1/user/auth/refresh`
 * with the user's tokens (the start-up restore signs them in, as in the app).
 */
export async function signedInPage(
  component: Component,
  options: { path: string; props?: Record<string, unknown> },
): Promise<MountedPage> {
  const mounted = await mountPage(component, {
    ...options,
    beforeNavigation: () => {
      sessionHintSet(true)
      const session = useSessionStore()
      setAccessTokenProvider(() => session.accessToken)
      // As main.ts does at start-up (pages without a route guard do not wait for it).
      void session.sessionRestore()
    },
  })
  await flushPromises()
  return mounted
}
