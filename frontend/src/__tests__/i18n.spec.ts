import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { i18n, t } from '@/i18n'
import en from '@/locales/en.json'
import { depositProgressText } from '@/lib/walletText'

const SRC = join(__dirname, '..')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) {
      return name === '__tests__' || name === 'generated' ? [] : sourceFiles(path)
    }
    return /\.(ts|vue)$/.test(name) ? [path] : []
  })
}

function messageKeys(messages: object, prefix = ''): string[] {
  return Object.entries(messages).flatMap(([key, value]) =>
    typeof value === 'string' ? [`${prefix}${key}`] : messageKeys(value as object, `${prefix}${key}.`),
  )
}

describe('messages (src/locales/en.json)', () => {
  const used = new Set(
    sourceFiles(SRC).flatMap((path) =>
      // Keys are quoted dotted names: t('walletView.wallet'), message('forms.email.invalid'), keypath="…".
      [...readFileSync(path, 'utf8').matchAll(/'([a-zA-Z]\w*(?:\.\w+)+)'|keypath="([\w.]+)"/g)].map(
        (match) => match[1] ?? match[2] ?? '',
      ),
    ),
  )

  it('has every key the code asks for', () => {
    const known = new Set(messageKeys(en))
    const namespaces = new Set(Object.keys(en))
    const asked = [...used].filter((key) => namespaces.has(key.split('.')[0] ?? ''))
    expect(asked.filter((key) => !known.has(key)).sort()).toEqual([])
  })

  it('has no message nothing asks for', () => {
    expect(messageKeys(en).filter((key) => !used.has(key)).sort()).toEqual([])
  })

  it('compiles every message (vue-i18n syntax: a literal @ { } | is written {\'@\'})', () => {
    const failures = messageKeys(en).filter((key) => {
      try {
        return i18n.global.t(key, { n: 1 }) === key
      } catch {
        return true
      }
    })
    expect(failures).toEqual([])
  })

  it('fills in named values and picks the plural form by count', () => {
    expect(t('forms.email.invalid')).toBe('Enter an email address like name@example.com.')
    const deposit = {
      id: 'd1',
      address: 'nA',
      txid: 'tx',
      vout: 0,
      amount_koinu: 1n,
      confirmations: 2,
      block_height: 1,
      first_seen_at: '2025-01-02T12:00:00Z',
      credited_at: null,
    }
    expect(depositProgressText({ ...deposit, status: 'confirming', required_confirmations: 6 })).toBe('2 of 6 confirmations')
    expect(depositProgressText({ ...deposit, status: 'confirming', required_confirmations: 1 })).toBe('2 of 1 confirmation')
    expect(depositProgressText({ ...deposit, status: 'pending', required_confirmations: 1 })).toBe(
      'Seen on the network · 0 of 1 confirmation',
    )
  })
})
