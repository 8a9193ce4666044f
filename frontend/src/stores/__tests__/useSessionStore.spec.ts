import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'

import type { UserProfile } from '@/api/user'

import { useSessionStore } from '../useSessionStore'

const ALICE: UserProfile = {
  id: 'usr_alice',
  username: 'alice',
  display_name: 'Alice',
  created_at: '2025-01-02T03:04:05Z',
}

beforeEach(() => {
  setActivePinia(createPinia())
})

describe('useSessionStore', () => {
  it('starts signed out', () => {
    const session = useSessionStore()

    expect(session.user).toBeNull()
    expect(session.accessToken).toBeNull()
    expect(session.isSignedIn).toBe(false)
  })

  it('is signed in after sessionStart, with that user and token', () => {
    const session = useSessionStore()

    session.sessionStart({ user: ALICE, accessToken: 'header.payload.signature' })

    expect(session.user).toEqual(ALICE)
    expect(session.accessToken).toBe('header.payload.signature')
    expect(session.isSignedIn).toBe(true)
  })

  it('forgets the user and token on sessionEnd', () => {
    const session = useSessionStore()
    session.sessionStart({ user: ALICE, accessToken: 'header.payload.signature' })

    session.sessionEnd()

    expect(session.user).toBeNull()
    expect(session.accessToken).toBeNull()
    expect(session.isSignedIn).toBe(false)
  })

  it('exposes only its public API', () => {
    const session = useSessionStore()

    const publicKeys = Object.keys(session).filter(
      (key) => !key.startsWith('$') && !key.startsWith('_'),
    )

    expect(publicKeys.sort()).toEqual([
      'accessToken',
      'isSignedIn',
      'sessionEnd',
      'sessionStart',
      'user',
    ])
  })
})
