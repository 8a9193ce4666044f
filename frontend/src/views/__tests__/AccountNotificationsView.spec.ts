import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { preferencesWire } from '@/__tests__/messagingFixtures'
import { signedInPage } from '@/__tests__/signedInPage'
import { setAccessTokenProvider } from '@/api/http'

import AccountNotificationsView from '../AccountNotificationsView.vue'

const PUT = 'PUT /api/v1/notifications/preferences'

let api: FakeApi
let wrapper: VueWrapper | undefined

beforeEach(() => {
  api = installFakeApi({
    'POST /api/v1/user/auth/refresh': () => jsonResponse(200, tokensFor(ALICE, 'access-1')),
    'GET /api/v1/notifications/preferences': () => jsonResponse(200, preferencesWire()),
  })
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  setAccessTokenProvider(() => null)
})

async function settingsPage(): Promise<VueWrapper> {
  const mounted = await signedInPage(AccountNotificationsView, { path: '/account/notifications' })
  wrapper = mounted.wrapper
  return mounted.wrapper
}

describe('AccountNotificationsView', () => {
  it('shows each type with its in-app switch and email choices; a required one is locked and says why', async () => {
    const view = await settingsPage()

    const rows = view.findAll('li[data-type]')
    expect(rows.map((row) => row.get('h2').text())).toEqual(['New message', 'New sign-in'])
    const message = rows[0]!
    expect(message.findAll('option').map((option) => option.text())).toEqual(['Right away', 'Daily summary', 'Off'])
    expect((message.get('select').element as HTMLSelectElement).disabled).toBe(false)
    expect((message.get('input[type="checkbox"]').element as HTMLInputElement).checked).toBe(true)

    const security = rows[1]!
    const select = security.get('select')
    expect((select.element as HTMLSelectElement).disabled).toBe(true)
    expect(document.getElementById(select.attributes('aria-describedby') ?? '')?.textContent).toBe(
      '🔒 Always emailed: this notice protects your account and money, so it can’t be turned off.',
    )
    expect(view.text()).toContain('Daily summaries are sent once a day at 08:00 UTC.')
  })

  it('saves a change at once, for that type only, and says so', async () => {
    const saved = preferencesWire()
    saved.types[0]!.email = 'daily'
    api.on(PUT, () => jsonResponse(200, saved))
    const view = await settingsPage()

    await view.get('li[data-type="message.new"] select').setValue('daily')
    await flushPromises()

    expect(api.requestsTo(PUT).map((request) => request.body)).toEqual([
      { types: [{ type: 'message.new', in_app: true, email: 'daily' }] },
    ])
    expect(view.get('[role="status"]').text()).toBe('Saved: New message')
    expect((view.get('li[data-type="message.new"] select').element as HTMLSelectElement).value).toBe('daily')

    await view.get('li[data-type="message.new"] input[type="checkbox"]').setValue(false)
    await flushPromises()
    expect(api.requestsTo(PUT).at(-1)?.body).toEqual({ types: [{ type: 'message.new', in_app: false, email: 'daily' }] })
  })

  it('shows a refusal in words', async () => {
    api.on(PUT, () => errorResponse(400, { code: 'email_required', message: 'Security notices are always emailed.' }))
    const view = await settingsPage()

    await view.get('li[data-type="message.new"] select').setValue('off')
    await flushPromises()

    expect(view.get('[role="alert"]').text()).toBe('Security notices are always emailed.')
  })
})
