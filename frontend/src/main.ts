import './assets/main.css'

import { PiniaColada } from '@pinia/colada'
import { createPinia } from 'pinia'
import { createApp } from 'vue'

import { setAccessTokenProvider, setUnauthorizedHandler } from './api/http'
import App from './App.vue'
import { i18n } from './i18n'
import { isChunkLoadError, staleChunkReload } from './lib/staleChunk'
import { installLiveChannel } from './live'
import { installSessionScopedCache, QUERY_DEFAULTS } from './queries/queryClient'
import { createAppRouter, installSessionExpiredRedirect } from './router'
import { useSessionStore } from './stores/useSessionStore'

const app = createApp(App)
const pinia = createPinia()
const router = createAppRouter()

// A deploy replaced the hashed chunks this page names, so a lazy import fails: reload once to get
// the new build. During a navigation router.onError does it, at the page the user asked for.
let isNavigating = false
router.beforeEach(() => {
  isNavigating = true
})
router.afterEach(() => {
  isNavigating = false
})
window.addEventListener('vite:preloadError', (event) => {
  if (!isNavigating && staleChunkReload(window.location.href)) {
    event.preventDefault()
  }
})
app.use(pinia)
app.use(PiniaColada, { queryOptions: QUERY_DEFAULTS })
app.use(i18n)
app.use(router)

// One place for errors nothing else caught (a render or a watcher): log them, never swallow.
app.config.errorHandler = (error, _instance, info) => {
  console.error(`Unhandled error (${info}):`, error)
}

// A lazy page whose chunk is gone (stale build): load the target page from the server instead.
router.onError((error, to) => {
  isNavigating = false
  if (isChunkLoadError(error)) {
    staleChunkReload(to.fullPath)
  }
})

// Every API call carries the signed-in user's access token (none while signed out); a 401 renews
// it once through the session store, and a session the API has ended goes to sign-in.
const session = useSessionStore(pinia)
setAccessTokenProvider(() => session.accessToken)
setUnauthorizedHandler((rejectedAccessToken) => session.sessionRefresh(rejectedAccessToken))
installSessionExpiredRedirect(router, session)
installSessionScopedCache(pinia)
// The live channel (WebSocket /ws/): the user's own events and the public topics pages ask for.
installLiveChannel(pinia)

// Sign back in silently if this browser has a session (route guards wait for this too).
void session.sessionRestore()

// Mount once the first page is resolved, so the layout does not jump when it arrives.
void router.isReady().then(() => app.mount('#app'))
