import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { ALICE } from '@/__tests__/fixtures'
import {
  deferred,
  errorResponse,
  installFakeApi,
  jsonResponse,
  type FakeApi,
} from '@/__tests__/fakeApi'
import { alertTexts, blockText, fieldByLabel, fieldError, mountPage, typeInto } from '@/__tests__/mountPage'

import RegisterView from '../RegisterView.vue'

const REGISTER = 'POST /api/v1/user/auth/register'

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
})

async function fillAndSubmit(): Promise<VueWrapper> {
  const page = await mountPage(RegisterView, { path: '/register' })
  wrapper = page.wrapper
  await typeInto(page.wrapper, 'Email', ' alice@example.test ')
  await typeInto(page.wrapper, 'Username', ' alice ')
  await typeInto(page.wrapper, 'Password', 'River-table-9')
  await page.wrapper.get('form').trigger('submit')
  await flushPromises()
  return page.wrapper
}

describe('RegisterView', () => {
  it('labels every field and hints at password strength as you type', async () => {
    const page = await mountPage(RegisterView, { path: '/register' })
    wrapper = page.wrapper

    expect(fieldByLabel(page.wrapper, 'Email').type).toBe('email')
    expect(fieldByLabel(page.wrapper, 'Username').getAttribute('autocomplete')).toBe('username')
    const password = fieldByLabel(page.wrapper, 'Password')
    expect(password.getAttribute('autocomplete')).toBe('new-password')
    expect(password.getAttribute('aria-describedby')).toContain('register-password-strength')

    expect(page.wrapper.get('#register-password-strength').text()).toBe(
      'Use at least 10 characters. A few unrelated words make a strong, memorable password.',
    )
    await typeInto(page.wrapper, 'Password', 'password123')
    expect(page.wrapper.get('#register-password-strength [aria-live]').text()).toBe(
      'Strength: Weak. Avoid common words and sequences, and your username or email.',
    )
    await typeInto(page.wrapper, 'Password', 'Correct-Horse-Battery-9')
    expect(page.wrapper.get('#register-password-strength [aria-live]').text()).toBe('Strength: Strong.')
  })

  it('creates the account with trimmed email and username, then says to check the email', async () => {
    api.on(REGISTER, () => jsonResponse(201, { user: { ...ALICE, email_verified: false } }))

    const page = await fillAndSubmit()

    expect(api.requestsTo(REGISTER).map((request) => request.body)).toEqual([
      { email: 'alice@example.test', username: 'alice', password: 'River-table-9' },
    ])
    expect(page.get('h1').text()).toBe('Check your email')
    expect(page.get('[role="status"]').text()).toContain(
      'We sent a link to alice@example.test. Open it to verify your email, then sign in.',
    )
  })

  it('disables the submit button while the account is being created', async () => {
    const answer = deferred<Response>()
    api.on(REGISTER, () => answer.promise)

    const page = await fillAndSubmit()

    expect(page.get('button[type="submit"]').attributes('disabled')).toBeDefined()
    expect(page.get('button[type="submit"]').text()).toBe('Creating your account…')
    answer.resolve(errorResponse(409, { code: 'email_taken', param: 'email' }))
    await flushPromises()
    expect(page.get('button[type="submit"]').attributes('disabled')).toBeUndefined()
  })

  it('puts email_taken on the email field', async () => {
    api.on(REGISTER, () => errorResponse(409, { code: 'email_taken', param: 'email' }))

    const page = await fillAndSubmit()

    const email = fieldByLabel(page, 'Email')
    expect(fieldError(email)).toBe(
      'There is already an account with this email. Sign in, or reset your password if you’ve forgotten it.',
    )
    expect(email.getAttribute('aria-invalid')).toBe('true')
    expect(document.activeElement).toBe(email)
    expect(fieldError(fieldByLabel(page, 'Username'))).toBe('')
    expect(alertTexts(page)).toEqual([])
  })

  it('puts username_taken on the username field, even without a param', async () => {
    api.on(REGISTER, () => errorResponse(409, { code: 'username_taken' }))

    const page = await fillAndSubmit()

    expect(fieldError(fieldByLabel(page, 'Username'))).toBe('That username is taken. Try another one.')
    expect(fieldError(fieldByLabel(page, 'Email'))).toBe('')
  })

  it('shows the server’s weak_password message on the password field', async () => {
    api.on(REGISTER, () =>
      errorResponse(400, {
        code: 'weak_password',
        message: 'password: This password has appeared in a data breach.',
        param: 'password',
      }),
    )

    const page = await fillAndSubmit()

    expect(fieldError(fieldByLabel(page, 'Password'))).toBe('This password has appeared in a data breach.')
    expect(page.get('h1').text()).toBe('Create your account')
  })

  it('shows rate_limited at the top with the wait', async () => {
    api.on(REGISTER, () => errorResponse(429, { code: 'rate_limited' }, { 'Retry-After': '30' }))

    const page = await fillAndSubmit()

    expect(alertTexts(page)).toEqual(['Too many attempts. Please try again in 30 seconds.'])
  })

  it('sends the verification link again from the success screen', async () => {
    api.on(REGISTER, () => jsonResponse(201, { user: ALICE }))
    api.on('POST /api/v1/user/auth/resend-verification', () => jsonResponse(202, {}))
    const page = await fillAndSubmit()

    const resend = page.findAll('button').find((button) => button.text() === 'Send the link again')
    await resend?.trigger('click')
    await flushPromises()

    expect(api.requestsTo('POST /api/v1/user/auth/resend-verification').map((request) => request.body)).toEqual([
      { email: 'alice@example.test' },
    ])
    expect(page.text()).toContain('Sent. Look for a new email to alice@example.test.')
  })
})

describe('RegisterView: checks before sending', () => {
  it('shows every field’s problem at once, focuses the first, and sends nothing', async () => {
    const page = await mountPage(RegisterView, { path: '/register' })
    await typeInto(page.wrapper, 'Username', 'ab-')

    await page.wrapper.get('form').trigger('submit')
    await flushPromises()

    const email = fieldByLabel(page.wrapper, 'Email')
    expect(fieldError(email)).toBe('Enter your email address.')
    expect(fieldError(fieldByLabel(page.wrapper, 'Username'))).toBe('Use only letters, digits and underscores.')
    expect(fieldError(fieldByLabel(page.wrapper, 'Password'))).toBe('Enter your password.')
    expect(document.activeElement).toBe(email)
    expect(api.requestsTo('POST /api/v1/user/auth/register')).toEqual([])
    page.wrapper.unmount()
  })

  it('says a short password is too short together with the other problems, the minimum stated once', async () => {
    const page = await mountPage(RegisterView, { path: '/register' })
    await typeInto(page.wrapper, 'Email', 'alice@')
    await typeInto(page.wrapper, 'Password', 'Short-9')

    await page.wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(fieldError(fieldByLabel(page.wrapper, 'Email'))).toBe('Enter an email address like name@example.com.')
    expect(fieldError(fieldByLabel(page.wrapper, 'Username'))).toBe('Choose a username.')
    const password = fieldByLabel(page.wrapper, 'Password')
    expect(fieldError(password)).toBe('This password is too short.')
    expect(password.getAttribute('aria-describedby')).toContain('register-password-strength')
    expect(blockText(page.wrapper.get('#register-password-strength').element)).toBe(
      'Use at least 10 characters. A few unrelated words make a strong, memorable password. Strength: Too short.',
    )
    expect(page.wrapper.text().match(/\d+ characters/g)).toEqual(['10 characters'])
    expect(api.requestsTo('POST /api/v1/user/auth/register')).toEqual([])
    page.wrapper.unmount()
  })
})
