/**
 * The app's words, from src/locales/<locale>.json through vue-i18n (Composition API mode).
 *
 * Templates call `t('key')` from useI18n(), or `$t('key')`; modules outside components (lib/,
 * stores) import `t` from here. Dates and numbers are not formatted with the message locale
 * but with the browser's (lib/locale.ts, lib/dates.ts, lib/money.ts).
 *
 * vue-i18n's message syntax gives `{ } @ $ |` a meaning: write a literal one as `{'@'}`.
 */
import { createI18n } from 'vue-i18n'

import en from './locales/en.json'

export type MessageSchema = typeof en

export const i18n = createI18n<[MessageSchema], 'en', false>({
  legacy: false,
  locale: 'en',
  fallbackLocale: 'en',
  messages: { en },
})

/** Translates outside components (the same function useI18n().t returns). */
export const t = i18n.global.t
