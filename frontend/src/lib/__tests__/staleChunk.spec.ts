import { describe, expect, it } from 'vitest'

import {
  isChunkLoadError,
  STALE_CHUNK_RELOAD_INTERVAL_MS,
  STALE_CHUNK_RELOAD_KEY,
  staleChunkReload,
  type StaleChunkEnvironment,
} from '../staleChunk'

function environment(now: number, stored: Record<string, string> = {}) {
  const visited: string[] = []
  const storage = new Map(Object.entries(stored))
  const env: StaleChunkEnvironment = {
    storage: { getItem: (key) => storage.get(key) ?? null, setItem: (key, value) => void storage.set(key, value) },
    now: () => now,
    navigate: (url) => void visited.push(url),
  }
  return { env, visited, storage }
}

describe('staleChunkReload', () => {
  it('reloads the page once and remembers when', () => {
    const { env, visited, storage } = environment(1_000_000)

    expect(staleChunkReload('/wallet', env)).toBe(true)

    expect(visited).toEqual(['/wallet'])
    expect(storage.get(STALE_CHUNK_RELOAD_KEY)).toBe('1000000')
  })

  it('does not reload again within the interval, so a missing chunk cannot loop', () => {
    const { env, visited } = environment(1_000_000 + STALE_CHUNK_RELOAD_INTERVAL_MS - 1, {
      [STALE_CHUNK_RELOAD_KEY]: '1000000',
    })

    expect(staleChunkReload('/wallet', env)).toBe(false)
    expect(visited).toEqual([])
  })

  it('reloads again after the interval', () => {
    const { env, visited } = environment(1_000_000 + STALE_CHUNK_RELOAD_INTERVAL_MS, {
      [STALE_CHUNK_RELOAD_KEY]: '1000000',
    })

    expect(staleChunkReload('/sell', env)).toBe(true)
    expect(visited).toEqual(['/sell'])
  })
})

describe('isChunkLoadError', () => {
  it.each([
    ['Failed to fetch dynamically imported module: https://dbay.example/assets/WalletView-1a2b.js', true],
    ['error loading dynamically imported module', true],
    ['Importing a module script failed.', true],
    ['Unable to preload CSS for /assets/x.css', true],
    ['Cannot read properties of undefined', false],
  ])('%s → %s', (message, expected) => {
    expect(isChunkLoadError(new TypeError(message))).toBe(expected)
  })
})
