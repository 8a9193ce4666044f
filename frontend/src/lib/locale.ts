/**
 * The locale dates and numbers are formatted in: the browser's (navigator.languages), so a
 * visitor in Germany reads "2. Jan. 2025" and "1.234,5" while the words stay in the message
 * locale (src/i18n.ts). Tests fix it with setFormatLocale.
 */

let formatLocaleOverride: string | null = null
/** The browser's locale, looked up once (asking Intl which locales it supports is slow). */
let browserLocale: string | null = null

/** The first of the browser's preferred locales that Intl supports, else "en". */
export function formatLocale(): string {
  if (formatLocaleOverride !== null) {
    return formatLocaleOverride
  }
  browserLocale ??= supportedBrowserLocale()
  return browserLocale
}

function supportedBrowserLocale(): string {
  const preferred = typeof navigator === 'undefined' ? [] : [...(navigator.languages ?? []), navigator.language]
  for (const candidate of preferred) {
    if (candidate && Intl.DateTimeFormat.supportedLocalesOf([candidate]).length > 0) {
      return candidate
    }
  }
  return 'en'
}

/** Formats in `locale` from now on (null: the browser's again). For tests and a language switch. */
export function setFormatLocale(locale: string | null): void {
  formatLocaleOverride = locale
  browserLocale = null
}

const numberFormats = new Map<string, Intl.NumberFormat>()

/** A cached Intl.NumberFormat for the current locale (building one is slow). */
export function numberFormat(options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const locale = formatLocale()
  const cacheKey = `${locale}|${JSON.stringify(options)}`
  let format = numberFormats.get(cacheKey)
  if (format === undefined) {
    format = new Intl.NumberFormat(locale, options)
    numberFormats.set(cacheKey, format)
  }
  return format
}

/** A count as the reader writes it: 12,345 (en), 12.345 (de), 12 345 (fr). */
export function formatCount(value: number | bigint): string {
  return numberFormat({ maximumFractionDigits: 0 }).format(value)
}

/** A measure with a fixed number of decimals: 4.5 (en), 4,5 (de). */
export function formatDecimal(value: number, fractionDigits: number): string {
  return numberFormat({ minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits }).format(value)
}

/** The locale's decimal separator ("." in English, "," in German). */
export function decimalSeparator(): string {
  return numberFormat().formatToParts(1.5).find((part) => part.type === 'decimal')?.value ?? '.'
}
