import './assets/main.css'

import { createPinia } from 'pinia'
import { createApp } from 'vue'

import { setAccessTokenProvider } from './api/http'
import App from './App.vue'
import { createAppRouter } from './router'
import { useSessionStore } from './stores/useSessionStore'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(createAppRouter())

// Every API call carries the signed-in user's access token (none while signed out).
const session = useSessionStore(pinia)
setAccessTokenProvider(() => session.accessToken)

app.mount('#app')
