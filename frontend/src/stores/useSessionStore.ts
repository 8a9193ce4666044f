import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

import type { UserProfile } from '@/api/user'

/**
 * Who is signed in. Stays signed out (null) until the user-service issue adds signing in:
 * that issue calls sessionStart with the tokens user-service returns and points the HTTP
 * client's access-token provider at this store.
 */
export const useSessionStore = defineStore('session', () => {
  const user = ref<UserProfile | null>(null)
  const accessToken = ref<string | null>(null)

  const isSignedIn = computed(() => user.value !== null && accessToken.value !== null)

  function sessionStart(session: { user: UserProfile; accessToken: string }): void {
    user.value = session.user
    accessToken.value = session.accessToken
  }

  function sessionEnd(): void {
    user.value = null
    accessToken.value = null
  }

  // Pinia needs every state ref returned (no private state); change it only through the actions.
  return {
    user,
    accessToken,
    isSignedIn,
    sessionStart,
    sessionEnd,
  }
})
