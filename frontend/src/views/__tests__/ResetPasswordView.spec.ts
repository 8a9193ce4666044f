import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { errorResponse, installFakeApi, noContent, type FakeApi } from '@/__tests__/fakeApi'
import { alertTexts, blockText, fieldByLabel, fieldError, mountPage, typeInto } from '@/__tests__/mountPage'

import ResetPasswordView from '../ResetPasswordView.vue'

const RESET = 'POST /api/v1/user/auth/password/reset'

let api: FakeApi
let wrapper: VueWrapper | undefined

beforeEach(() => {
  api = installFakeApi()
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
})

async function submitPasswords(first: string, second = first, path = '/reset-password?token=tok-1'): Promise<VueWrapper> {
  const page = await mountPage(ResetPasswordView, { path })
  wrapper = page.wrapper
  await typeInto(page.wrapper, 'New password', first)
  await typeInto(page.wrapper, 'New password again', second)
  await page.wrapper.get('form').trigger('submit')
  await flushPromises()
  return page.wrapper
}

describe('ResetPasswordView', () => {
  it('sets the new password with the token from the link', async () => {
    api.on(RESET, noContent)

    const page = await submitPasswords('River-table-9')

    expect(api.requestsTo(RESET).map((request) => request.body)).toEqual([
      { token: 'tok-1', new_password: 'River-table-9' },
    ])
    expect(blockText(page.get('[role="status"]').element)).toBe(
      'Password changed Your new password is set. Sign in with it now.',
    )
  })

  it('catches two different passwords before asking the API', async () => {
    const page = await submitPasswords('River-table-9', 'River-table-8')

    const again = fieldByLabel(page, 'New password again')
    expect(fieldError(again)).toBe('The two passwords are different.')
    expect(again.getAttribute('aria-invalid')).toBe('true')
    expect(api.requests).toEqual([])
  })

  it('puts weak_password on the new password field with the server’s message', async () => {
    api.on(RESET, () =>
      errorResponse(400, { code: 'weak_password', message: 'This password is too common.', param: 'new_password' }),
    )

    const page = await submitPasswords('password123')

    expect(fieldError(fieldByLabel(page, 'New password'))).toBe('This password is too common.')
    expect(alertTexts(page)).toEqual([])
  })

  it.each([
    ['token_expired', 'This reset link has expired. Ask for a new one. Ask for a new link'],
    ['invalid_token', 'This reset link isn’t valid: it may have been used already. Ask for a new one. Ask for a new link'],
  ])('explains a %s link and offers a new one', async (code, expected) => {
    api.on(RESET, () => errorResponse(400, { code, param: 'token' }))

    const page = await submitPasswords('River-table-9')

    expect(alertTexts(page)).toEqual([expected])
    expect(page.get('[role="alert"] a').attributes('href')).toBe('/forgot-password')
  })

  it('says so when the link has no token, without a form', async () => {
    const page = await mountPage(ResetPasswordView, { path: '/reset-password' })
    wrapper = page.wrapper

    expect(alertTexts(page.wrapper)).toEqual([
      'This link is missing its code. Open the link from the email again, in full.',
    ])
    expect(page.wrapper.find('form').exists()).toBe(false)
  })
})
