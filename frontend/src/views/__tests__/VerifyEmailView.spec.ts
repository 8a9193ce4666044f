import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { alertTexts, blockText, fieldByLabel, mountPage } from '@/__tests__/mountPage'
import { useSessionStore } from '@/stores/useSessionStore'

import VerifyEmailView from '../VerifyEmailView.vue'

const VERIFY = 'POST /api/v1/user/auth/verify-email'

let api: FakeApi
let wrapper: VueWrapper | undefined

beforeEach(() => {
  api = installFakeApi()
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
})

describe('VerifyEmailView', () => {
  it('verifies the token from the link and offers to sign in', async () => {
    api.on(VERIFY, () => jsonResponse(200, { user: ALICE }))

    const page = await mountPage(VerifyEmailView, { path: '/verify-email?token=tok-1' })
    wrapper = page.wrapper

    expect(api.requestsTo(VERIFY).map((request) => request.body)).toEqual([{ token: 'tok-1' }])
    expect(blockText(page.wrapper.get('[role="status"]').element)).toBe(
      'Email verified Thank you: alice@example.test is confirmed.',
    )
    expect(page.wrapper.get('a[href="/sign-in"]').text()).toBe('Sign in')
  })

  it('updates the signed-in user and links to the account', async () => {
    api.on(VERIFY, () => jsonResponse(200, { user: { ...ALICE, email_verified: true } }))

    const page = await mountPage(VerifyEmailView, {
      path: '/verify-email?token=tok-1',
      beforeNavigation: () => {
        useSessionStore().sessionStart(tokensFor({ ...ALICE, email_verified: false }, 'access-1'))
      },
    })
    wrapper = page.wrapper

    expect(useSessionStore().user?.email_verified).toBe(true)
    expect(page.wrapper.get('a[href="/account"]').text()).toBe('Go to your account')
  })

  it.each([
    ['token_expired', 'This link has expired. Send yourself a new one below.'],
    ['invalid_token', 'This link isn’t valid. It may have been used already, or copied only in part.'],
  ])('explains %s and offers to send a new link', async (code, message) => {
    api.on(VERIFY, () => errorResponse(400, { code, param: 'token' }))
    api.on('POST /api/v1/user/auth/resend-verification', () => jsonResponse(202, {}))

    const page = await mountPage(VerifyEmailView, { path: '/verify-email?token=old' })
    wrapper = page.wrapper

    expect(alertTexts(page.wrapper)).toEqual([`We couldn’t verify your email ${message}`])
    const email = fieldByLabel(page.wrapper, 'Your email')
    email.value = 'alice@example.test'
    email.dispatchEvent(new Event('input'))
    await flushPromises()
    await page.wrapper.findAll('button').find((button) => button.text() === 'Send the link again')?.trigger('click')
    await flushPromises()
    expect(api.requestsTo('POST /api/v1/user/auth/resend-verification').map((request) => request.body)).toEqual([
      { email: 'alice@example.test' },
    ])
  })

  it('does not call the API for a link without a token', async () => {
    const page = await mountPage(VerifyEmailView, { path: '/verify-email' })
    wrapper = page.wrapper

    expect(api.requests).toEqual([])
    expect(alertTexts(page.wrapper)).toEqual([
      'We couldn’t verify your email This link is missing its code. Open the link from the email again, in full.',
    ])
  })
})
