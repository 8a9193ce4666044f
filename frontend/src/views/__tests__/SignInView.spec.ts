import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { ALICE, tokensFor } from '@/__tests__/fixtures'
import {
  deferred,
  errorResponse,
  installFakeApi,
  jsonResponse,
  type FakeApi,
} from '@/__tests__/fakeApi'
import { alertTexts, fieldByLabel, fieldError, mountPage, typeInto } from '@/__tests__/mountPage'
import { setAccessTokenProvider } from '@/api/http'
import { SESSION_ENDED_MESSAGE, useSessionStore } from '@/stores/useSessionStore'

import SignInView from '../SignInView.vue'

const LOGIN = 'POST /api/v1/user/auth/login'
const LOGIN_2FA = 'POST /api/v1/user/auth/login/2fa'

let api: FakeApi
let wrapper: VueWrapper | undefined

beforeEach(() => {
  api = installFakeApi({
    'POST /api/v1/user/auth/refresh': () => errorResponse(401, { code: 'not_authenticated' }),
  })
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  setAccessTokenProvider(() => null)
})

async function signInPage(path = '/sign-in?next=/wallet') {
  const page = await mountPage(SignInView, { path })
  wrapper = page.wrapper
  return page
}

async function submitPassword(page: { wrapper: VueWrapper }, login = ' alice ', password = 'pw-1'): Promise<void> {
  await typeInto(page.wrapper, 'Email or username', login)
  await typeInto(page.wrapper, 'Password', password)
  await page.wrapper.get('form').trigger('submit')
  await flushPromises()
}

describe('SignInView: password step', () => {
  it('signs in and goes to ?next=', async () => {
    api.on(LOGIN, () => jsonResponse(200, tokensFor(ALICE, 'access-1')))
    const page = await signInPage()

    await submitPassword(page)

    expect(api.requestsTo(LOGIN).map((request) => request.body)).toEqual([
      { login: 'alice', password: 'pw-1' },
    ])
    await vi.waitFor(() => {
      expect(page.router.currentRoute.value.fullPath).toBe('/wallet')
    }, { timeout: 5_000 })
    expect(useSessionStore().accessToken).toBe('access-1')
  })

  it('goes home after signing in when ?next= is missing or leads off the site', async () => {
    api.on(LOGIN, () => jsonResponse(200, tokensFor(ALICE, 'access-1')))
    const page = await signInPage('/sign-in?next=//evil.example/')

    await submitPassword(page)

    await vi.waitFor(() => {
      expect(page.router.currentRoute.value.fullPath).toBe('/')
    }, { timeout: 5_000 })
  })

  it('disables the submit button while the request runs', async () => {
    const answer = deferred<Response>()
    api.on(LOGIN, () => answer.promise)
    const page = await signInPage()

    await submitPassword(page)

    const button = page.wrapper.get('button[type="submit"]')
    expect(button.attributes('disabled')).toBeDefined()
    expect(button.text()).toBe('Signing in…')
    answer.resolve(errorResponse(401, { code: 'invalid_credentials' }))
    await flushPromises()
    expect(page.wrapper.get('button[type="submit"]').attributes('disabled')).toBeUndefined()
  })

  it('shows invalid_credentials at the top of the form, not on a field', async () => {
    api.on(LOGIN, () => errorResponse(401, { code: 'invalid_credentials', message: 'Invalid login.' }))
    const page = await signInPage()

    await submitPassword(page)

    expect(alertTexts(page.wrapper)).toEqual([
      'That email or username and password don’t match. Check them and try again.',
    ])
    expect(fieldError(fieldByLabel(page.wrapper, 'Password'))).toBe('')
    expect(page.router.currentRoute.value.path).toBe('/sign-in')
    expect(useSessionStore().isSignedIn).toBe(false)
  })

  it('shows when a locked account unlocks', async () => {
    vi.useFakeTimers({ now: new Date('2025-06-01T12:00:00Z'), shouldAdvanceTime: true })
    api.on(LOGIN, () =>
      errorResponse(
        423,
        {
          code: 'account_locked',
          type: 'authentication_error',
          message:
            'This account is locked after too many failed sign-in attempts. It unlocks at 2025-06-01 12:15:00 UTC (in about 15 minutes).',
        },
        { 'Retry-After': '900' },
      ),
    )
    const page = await signInPage()

    await submitPassword(page)
    vi.useRealTimers()

    expect(alertTexts(page.wrapper)).toEqual([
      'This account is locked for now after too many failed sign-ins. You can try again after 12:15.',
    ])
  })

  it('says how long to wait when rate limited', async () => {
    api.on(LOGIN, () => errorResponse(429, { code: 'rate_limited' }, { 'Retry-After': '120' }))
    const page = await signInPage()

    await submitPassword(page)

    expect(alertTexts(page.wrapper)).toEqual(['Too many attempts. Please try again in 2 minutes.'])
  })

  it('puts an error with param "login" on the login field and focuses it', async () => {
    api.on(LOGIN, () =>
      errorResponse(400, { code: 'invalid_field', message: 'login: Ensure this field has no more than 254 characters.', param: 'login' }),
    )
    const page = await signInPage()

    await submitPassword(page, 'a'.repeat(300), 'pw')

    const loginField = fieldByLabel(page.wrapper, 'Email or username')
    expect(fieldError(loginField)).toBe('Ensure this field has no more than 254 characters.')
    expect(loginField.getAttribute('aria-invalid')).toBe('true')
    expect(document.activeElement).toBe(loginField)
    expect(alertTexts(page.wrapper)).toEqual([])
  })

  it('shows why the last session ended', async () => {
    const page = await signInPage('/sign-in')
    useSessionStore().$patch({ signInNotice: SESSION_ENDED_MESSAGE })
    await flushPromises()

    expect(page.wrapper.get('[role="status"]').text()).toBe(
      'Your session ended — please sign in again.',
    )
  })
})

describe('SignInView: second factor', () => {
  beforeEach(() => {
    api.on(LOGIN, () => jsonResponse(200, { mfa_required: true, mfa_token: 'mfa-1', expires_in: 300 }))
  })

  it('asks for the code when the API answers mfa_required, then signs in with it', async () => {
    api.on(LOGIN_2FA, () => jsonResponse(200, tokensFor(ALICE, 'access-1')))
    const page = await signInPage()

    await submitPassword(page)

    expect(page.wrapper.get('h1').text()).toBe('Two-factor authentication')
    const codeField = fieldByLabel(page.wrapper, 'Authentication code')
    expect(codeField.getAttribute('autocomplete')).toBe('one-time-code')
    expect(codeField.getAttribute('inputmode')).toBe('numeric')
    expect(document.activeElement).toBe(codeField)
    expect(useSessionStore().isSignedIn).toBe(false)

    await typeInto(page.wrapper, 'Authentication code', '123 456')
    await page.wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(api.requestsTo(LOGIN_2FA).map((request) => request.body)).toEqual([
      { mfa_token: 'mfa-1', code: '123456' },
    ])
    await vi.waitFor(() => {
      expect(page.router.currentRoute.value.fullPath).toBe('/wallet')
    }, { timeout: 5_000 })
    expect(useSessionStore().accessToken).toBe('access-1')
  })

  it('accepts a recovery code, sent as typed', async () => {
    api.on(LOGIN_2FA, () => jsonResponse(200, tokensFor(ALICE, 'access-1')))
    const page = await signInPage()
    await submitPassword(page)

    const toggle = page.wrapper.findAll('button').find((button) => button.text() === 'Use a recovery code instead')
    await toggle?.trigger('click')
    await typeInto(page.wrapper, 'Recovery code', ' k3x9-7qpm ')
    await page.wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(api.requestsTo(LOGIN_2FA).map((request) => request.body)).toEqual([
      { mfa_token: 'mfa-1', code: 'k3x9-7qpm' },
    ])
  })

  it('puts invalid_mfa_code on the code field', async () => {
    api.on(LOGIN_2FA, () => errorResponse(401, { code: 'invalid_mfa_code', param: 'code' }))
    const page = await signInPage()
    await submitPassword(page)

    await typeInto(page.wrapper, 'Authentication code', '000000')
    await page.wrapper.get('form').trigger('submit')
    await flushPromises()

    const codeField = fieldByLabel(page.wrapper, 'Authentication code')
    expect(fieldError(codeField)).toBe(
      'That code didn’t work. Enter the current 6-digit code from your authenticator app, or one of your recovery codes.',
    )
    expect(codeField.getAttribute('aria-invalid')).toBe('true')
    expect(alertTexts(page.wrapper)).toEqual([])
    expect(useSessionStore().isSignedIn).toBe(false)
  })

  it('puts invalid_mfa_code on the code field even without a param', async () => {
    api.on(LOGIN_2FA, () => errorResponse(400, { code: 'invalid_mfa_code' }))
    const page = await signInPage()
    await submitPassword(page)

    await typeInto(page.wrapper, 'Authentication code', '000000')
    await page.wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(fieldError(fieldByLabel(page.wrapper, 'Authentication code'))).toContain('That code didn’t work.')
  })

  it('goes back to the password when the challenge has expired', async () => {
    api.on(LOGIN_2FA, () => errorResponse(401, { code: 'token_expired', param: 'mfa_token' }))
    const page = await signInPage()
    await submitPassword(page)

    await typeInto(page.wrapper, 'Authentication code', '123456')
    await page.wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(page.wrapper.get('h1').text()).toBe('Sign in')
    expect(alertTexts(page.wrapper)).toEqual(['That took too long. Please enter your password again.'])
  })
})
