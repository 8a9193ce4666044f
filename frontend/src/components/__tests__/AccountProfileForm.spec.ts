import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { alertTexts, fieldByLabel, fieldError, mountPage, typeInto } from '@/__tests__/mountPage'
import { setAccessTokenProvider } from '@/api/http'
import { useSessionStore } from '@/stores/useSessionStore'

import AccountProfileForm from '../AccountProfileForm.vue'

const PROFILE = 'PATCH /api/v1/user/me/profile'

let api: FakeApi
let wrapper: VueWrapper

beforeEach(async () => {
  api = installFakeApi()
  const page = await mountPage(AccountProfileForm, {
    beforeNavigation: () => {
      const session = useSessionStore()
      session.sessionStart(tokensFor(ALICE, 'access-1'))
      setAccessTokenProvider(() => session.accessToken)
    },
  })
  wrapper = page.wrapper
})

afterEach(() => {
  wrapper.unmount()
  setAccessTokenProvider(() => null)
})

async function save(): Promise<void> {
  await wrapper.get('form').trigger('submit')
  await flushPromises()
}

describe('AccountProfileForm', () => {
  it('starts from the saved profile', () => {
    expect(fieldByLabel(wrapper, 'Display name (optional)').value).toBe('Alice A.')
    expect(fieldByLabel(wrapper, 'Location (optional)').value).toBe('Lyon')
    expect(fieldByLabel(wrapper, 'Avatar URL (optional)').value).toBe('')
    expect(fieldByLabel(wrapper, 'About you (optional)').value).toBe('Vintage cameras.')
  })

  it('sends only the fields that changed, then keeps what the API saved', async () => {
    const saved = { ...ALICE.profile, location: 'Paris', bio: '' }
    api.on(PROFILE, () => jsonResponse(200, { profile: saved }))

    await typeInto(wrapper, 'Location (optional)', ' Paris ')
    await typeInto(wrapper, 'About you (optional)', '')
    await save()

    expect(api.requestsTo(PROFILE).map((request) => [request.body, request.headers.authorization])).toEqual([
      [{ location: 'Paris', bio: '' }, 'Bearer access-1'],
    ])
    expect(useSessionStore().user?.profile).toEqual(saved)
    expect(wrapper.get('[role="status"]').text()).toBe('Profile saved.')
  })

  it('does not call the API when nothing changed', async () => {
    await save()

    expect(api.requests).toEqual([])
    expect(wrapper.get('[role="status"]').text()).toBe('Nothing to save: your profile is up to date.')
  })

  it('puts an error on the field its param names', async () => {
    api.on(PROFILE, () =>
      errorResponse(400, {
        code: 'invalid_field',
        message: 'avatar_url: Enter a valid URL.',
        param: 'avatar_url',
      }),
    )

    await typeInto(wrapper, 'Avatar URL (optional)', 'https://example.test/avatar')
    await save()

    const avatar = fieldByLabel(wrapper, 'Avatar URL (optional)')
    expect(fieldError(avatar)).toBe('Enter a valid URL.')
    expect(document.activeElement).toBe(avatar)
    expect(fieldError(fieldByLabel(wrapper, 'Location (optional)'))).toBe('')
    expect(alertTexts(wrapper)).toEqual([])
    expect(useSessionStore().user?.profile).toEqual(ALICE.profile)
  })
})
