import './assets/main.css'

import { createPinia } from 'pinia'
import { createApp } from 'vue'

import { setAccessTokenProvider, setUnauthorizedHandler } from './api/http'
import App from './App.vue'
import { createAppRouter, installSessionExpiredRedirect } from './router'
import { useSessionStore } from './stores/useSessionStore'

const app = createApp(App)
const pinia = createPinia()
const router = createAppRouter()
app.use(pinia)
app.use(router)

// Every API call carries the signed-in user's access token (none while signed out); a 401 renews
// it once through the session store, and a session the API has ended goes to sign-in.
const session = useSessionStore(pinia)
setAccessTokenProvider(() => session.accessToken)
setUnauthorizedHandler((rejectedAccessToken) => session.sessionRefresh(rejectedAccessToken))
installSessionExpiredRedirect(router, session)

// Sign back in silently if the refresh cookie is still good (route guards wait for this too).
void session.sessionRestore()

app.mount('#app')
