import { t } from '@/i18n'
/** "Firefox on Windows": enough to recognise a device in the session list. */
export function describeUserAgent(userAgent: string): string {
  const browser = browserName(userAgent)
  const system = systemName(userAgent)
  if (browser === null && system === null) {
    return t('userAgent.unknownDevice')
  }
  if (browser === null) {
    return t('userAgent.aBrowserOn', { system })
  }
  return system === null ? browser : t('userAgent.browserOnSystem', { browser, system })
}

function browserName(userAgent: string): string | null {
  if (/Edg(e|A|iOS)?\//.test(userAgent)) return 'Edge'
  if (/OPR\/|Opera/.test(userAgent)) return 'Opera'
  if (/Firefox\/|FxiOS\//.test(userAgent)) return 'Firefox'
  if (/Chromium\//.test(userAgent)) return 'Chromium'
  if (/(Headless)?Chrome\/|CriOS\//.test(userAgent)) return 'Chrome'
  if (/Version\/[\d.]+.*Safari\//.test(userAgent)) return 'Safari'
  return null
}

function systemName(userAgent: string): string | null {
  if (/iPhone|iPad|iPod/.test(userAgent)) return 'iOS'
  if (/Android/.test(userAgent)) return 'Android'
  if (/CrOS/.test(userAgent)) return 'ChromeOS'
  if (/Windows/.test(userAgent)) return 'Windows'
  if (/Mac OS X|Macintosh/.test(userAgent)) return 'macOS'
  if (/Linux/.test(userAgent)) return 'Linux'
  return null
}
