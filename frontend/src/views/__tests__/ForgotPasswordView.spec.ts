import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { alertTexts, blockText, fieldByLabel, fieldError, mountPage, typeInto } from '@/__tests__/mountPage'

import ForgotPasswordView from '../ForgotPasswordView.vue'

const FORGOT = 'POST /api/v1/user/auth/password/forgot'

let api: FakeApi
let wrapper: VueWrapper | undefined

beforeEach(() => {
  api = installFakeApi()
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
})

async function submitEmail(email: string): Promise<VueWrapper> {
  const page = await mountPage(ForgotPasswordView, { path: '/forgot-password' })
  wrapper = page.wrapper
  await typeInto(page.wrapper, 'Email', email)
  await page.wrapper.get('form').trigger('submit')
  await flushPromises()
  return page.wrapper
}

describe('ForgotPasswordView', () => {
  it('asks for a link and answers the same whether or not the account exists', async () => {
    api.on(FORGOT, () => jsonResponse(202, {}))

    const page = await submitEmail(' someone@example.test ')

    expect(api.requestsTo(FORGOT).map((request) => request.body)).toEqual([{ email: 'someone@example.test' }])
    expect(blockText(page.get('[role="status"]').element)).toBe(
      'Check your email If there is a dBay account for someone@example.test, a link to reset its password is on its way. The link works once and expires soon.',
    )
    expect(page.find('form').exists()).toBe(false)
    expect(document.activeElement).toBe(page.get('[role="status"]').element)
  })

  it('puts an email error on the email field', async () => {
    api.on(FORGOT, () =>
      errorResponse(400, { code: 'invalid_field', message: 'email: Enter a valid email address.', param: 'email' }),
    )

    const page = await submitEmail('someone@example.invalid')

    expect(fieldError(fieldByLabel(page, 'Email'))).toBe('Enter a valid email address.')
  })

  it('shows rate_limited with the wait', async () => {
    api.on(FORGOT, () => errorResponse(429, { code: 'rate_limited' }, { 'Retry-After': '600' }))

    const page = await submitEmail('someone@example.test')

    expect(alertTexts(page)).toEqual(['Too many attempts. Please try again in 10 minutes.'])
  })
})
