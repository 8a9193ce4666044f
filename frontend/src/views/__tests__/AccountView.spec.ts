import { type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { installFakeApi, jsonResponse } from '@/__tests__/fakeApi'
import { mountPage } from '@/__tests__/mountPage'
import type { User } from '@/api/user'
import { useSessionStore } from '@/stores/useSessionStore'

import AccountView from '../AccountView.vue'

let wrapper: VueWrapper | undefined

beforeEach(() => {
  installFakeApi({
    'GET /api/v1/user/me/sessions': () => jsonResponse(200, { data: [], has_more: false }),
  })
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
})

async function accountPage(user: User): Promise<VueWrapper> {
  const page = await mountPage(AccountView, {
    path: '/account',
    beforeNavigation: () => {
      useSessionStore().sessionStart(tokensFor(user, 'access-1'))
    },
  })
  wrapper = page.wrapper
  return page.wrapper
}

describe('AccountView', () => {
  it('has the four settings sections under the page heading', async () => {
    const page = await accountPage(ALICE)

    expect(page.get('h1').text()).toBe('Account')
    expect(page.get('h1 + p').text().replace(/\s+/g, ' ')).toBe(
      'Signed in as alice · alice@example.test · member since January 2025',
    )
    expect(page.findAll('section > h2').map((heading) => heading.text())).toEqual([
      'Profile',
      'Password',
      'Two-factor authentication',
      'Signed-in devices',
    ])
    expect(page.get('a[href="/sellers/alice"]').text()).toBe('View your seller profile')
    expect(page.text()).not.toContain('Please verify your email')
  })

  it('asks an unverified user to verify their email', async () => {
    const page = await accountPage({ ...ALICE, email_verified: false })

    expect(page.get('[role="status"]').text()).toContain('Please verify your email')
    expect(page.text()).toContain('We sent a link to alice@example.test.')
  })
})
