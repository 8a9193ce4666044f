import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { installFakeApi, jsonResponse, noContent, type FakeApi } from '@/__tests__/fakeApi'
import { mountPage } from '@/__tests__/mountPage'
import { useSessionStore } from '@/stores/useSessionStore'

import AccountSessionList from '../AccountSessionList.vue'

const THIS_DEVICE = {
  id: 'ses_1',
  created_at: '2025-03-01T10:00:00Z',
  last_used_at: '2025-03-02T11:30:00Z',
  user_agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
  ip_address: '192.0.2.1',
  current: true,
}
const PHONE = {
  id: 'ses_2',
  created_at: '2025-02-10T08:00:00Z',
  last_used_at: '2025-02-11T09:15:00Z',
  user_agent:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1',
  ip_address: '198.51.100.7',
  current: false,
}
const LAPTOP = {
  ...PHONE,
  id: 'ses_3',
  user_agent: 'Mozilla/5.0 (Windows NT 10.0; rv:131.0) Gecko/20100101 Firefox/131.0',
  ip_address: null,
}

let api: FakeApi
let wrapper: VueWrapper

beforeEach(async () => {
  api = installFakeApi({
    'GET /api/v1/user/me/sessions': (request) =>
      request.url.includes('starting_after=ses_2')
        ? jsonResponse(200, { data: [LAPTOP], has_more: false })
        : jsonResponse(200, { data: [THIS_DEVICE, PHONE], has_more: true }),
  })
  const page = await mountPage(AccountSessionList, {
    beforeNavigation: () => {
      useSessionStore().sessionStart(tokensFor(ALICE, 'access-1'))
    },
  })
  wrapper = page.wrapper
})

afterEach(() => {
  wrapper.unmount()
})

/** Each row: the device, its details, and its button's accessible name (if it has one). */
function rows(): string[][] {
  return wrapper.findAll('ul[aria-label="Signed-in devices"] > li').map((row) => [
    ...row.findAll('p').map((line) => line.text().replace(/\s+/g, ' ').trim()),
    ...row.findAll('button').map((button) => button.attributes('aria-label') ?? ''),
  ])
}

describe('AccountSessionList', () => {
  it('lists the devices, this one marked and without a sign-out button', () => {
    expect(api.requests.map((request) => request.url)).toEqual(['/api/v1/user/me/sessions?limit=20'])
    expect(rows()).toEqual([
      ['Chrome on Linux This device', '192.0.2.1 · signed in 1 Mar 2025 · last active 2 Mar 2025, 11:30'],
      [
        'Safari on iOS',
        '198.51.100.7 · signed in 10 Feb 2025 · last active 11 Feb 2025, 09:15',
        'Sign out Safari on iOS, last active 11 Feb 2025, 09:15',
      ],
    ])
  })

  it('loads the next page after the last session', async () => {
    await wrapper.findAll('button').find((button) => button.text() === 'Show more')?.trigger('click')
    await flushPromises()

    expect(api.requests.map((request) => request.url)).toEqual([
      '/api/v1/user/me/sessions?limit=20',
      '/api/v1/user/me/sessions?limit=20&starting_after=ses_2',
    ])
    expect(rows()[2]).toEqual([
      'Firefox on Windows',
      'signed in 10 Feb 2025 · last active 11 Feb 2025, 09:15',
      'Sign out Firefox on Windows, last active 11 Feb 2025, 09:15',
    ])
    expect(wrapper.findAll('button').map((button) => button.text())).not.toContain('Show more')
  })

  it('revokes another session and takes it off the list', async () => {
    api.on('DELETE /api/v1/user/me/sessions/ses_2', noContent)

    await wrapper.get('ul[aria-label="Signed-in devices"] button').trigger('click')
    await flushPromises()

    expect(api.requestsTo('DELETE /api/v1/user/me/sessions/ses_2')).toHaveLength(1)
    expect(rows()).toEqual([
      ['Chrome on Linux This device', '192.0.2.1 · signed in 1 Mar 2025 · last active 2 Mar 2025, 11:30'],
    ])
    expect(wrapper.findAll('[role="status"]').map((status) => status.text()).filter(Boolean)).toEqual([
      'Signed out Safari on iOS.',
    ])
  })
})
