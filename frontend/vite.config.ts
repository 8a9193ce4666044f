import { fileURLToPath, URL } from 'node:url'

import tailwindcss from '@tailwindcss/vite'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

/**
 * Where `npm run dev` forwards `/api` requests (and `/ws` WebSockets). The default is the local gateway
 * (`make up` serves it on port 3000), so the dev server talks to the same services
 * the built app does. Override with DBAY_API_PROXY_TARGET.
 */
const apiProxyTarget = process.env.DBAY_API_PROXY_TARGET ?? 'http://127.0.0.1:3000'

export default defineConfig({
  plugins: [vue(), tailwindcss()],
  // vue-i18n's build-time switches: Composition API only (no legacy API code in the bundle), no
  // devtools hooks in production.
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  resolve: {
    alias: {
      '@': fileURLToPath(new URL('./src', import.meta.url)),
    },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': {
        target: apiProxyTarget,
        changeOrigin: false,
      },
      // Notification push (docs/adr/0004: the gateway upgrades WebSockets on /ws/).
      '/ws': {
        target: apiProxyTarget,
        ws: true,
      },
    },
  },
})
