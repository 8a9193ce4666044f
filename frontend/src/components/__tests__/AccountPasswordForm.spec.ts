import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { errorResponse, installFakeApi, noContent, type FakeApi } from '@/__tests__/fakeApi'
import { alertTexts, fieldByLabel, fieldError, mountPage, typeInto } from '@/__tests__/mountPage'
import { useSessionStore } from '@/stores/useSessionStore'

import AccountPasswordForm from '../AccountPasswordForm.vue'

const CHANGE = 'POST /api/v1/user/me/password'

let api: FakeApi
let wrapper: VueWrapper

beforeEach(async () => {
  api = installFakeApi()
  const page = await mountPage(AccountPasswordForm, {
    beforeNavigation: () => {
      useSessionStore().sessionStart(tokensFor(ALICE, 'access-1'))
    },
  })
  wrapper = page.wrapper
})

afterEach(() => {
  wrapper.unmount()
})

async function change(current: string, next: string, again = next): Promise<void> {
  await typeInto(wrapper, 'Current password', current)
  await typeInto(wrapper, 'New password', next)
  await typeInto(wrapper, 'New password again', again)
  await wrapper.get('form').trigger('submit')
  await flushPromises()
}

describe('AccountPasswordForm', () => {
  it('changes the password and clears the fields', async () => {
    api.on(CHANGE, noContent)

    await change('old-pw-1', 'River-table-9')

    expect(api.requestsTo(CHANGE).map((request) => request.body)).toEqual([
      { current_password: 'old-pw-1', new_password: 'River-table-9' },
    ])
    expect(wrapper.get('[role="status"]').text()).toBe('Password changed.')
    expect(fieldByLabel(wrapper, 'Current password').value).toBe('')
    expect(fieldByLabel(wrapper, 'New password').value).toBe('')
  })

  it('puts a wrong current password on that field, with or without a param', async () => {
    api.on(CHANGE, () => errorResponse(400, { code: 'invalid_credentials' }))

    await change('wrong', 'River-table-9')

    const current = fieldByLabel(wrapper, 'Current password')
    expect(fieldError(current)).toBe('That isn’t your current password.')
    expect(document.activeElement).toBe(current)
    expect(alertTexts(wrapper)).toEqual([])
  })

  it('puts weak_password on the new password with the server’s message', async () => {
    api.on(CHANGE, () =>
      errorResponse(400, {
        code: 'weak_password',
        message: 'new_password: This password is too similar to your username.',
        param: 'new_password',
      }),
    )

    await change('old-pw-1', 'alice-2025!')

    expect(fieldError(fieldByLabel(wrapper, 'New password'))).toBe(
      'This password is too similar to your username.',
    )
  })

  it('catches two different new passwords before asking the API', async () => {
    await change('old-pw-1', 'River-table-9', 'River-table-8')

    expect(fieldError(fieldByLabel(wrapper, 'New password again'))).toBe(
      'The two passwords are different.',
    )
    expect(api.requests).toEqual([])
  })
})
