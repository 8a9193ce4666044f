import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import { RouterView, type Router } from 'vue-router'

import { installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { mountPage } from '@/__tests__/mountPage'
import { STAFF_USER, staffActionWire, staffWithdrawalWire } from '@/__tests__/staffFixtures'
import { page } from '@/__tests__/walletFixtures'
import { useSessionStore } from '@/stores/useSessionStore'

/** The app's outlet, so /staff renders StaffView and StaffView its section. */
const Outlet = defineComponent({ render: () => h(RouterView) })

let api: FakeApi
let wrapper: VueWrapper
let router: Router

beforeEach(() => {
  api = installFakeApi({
    'GET /api/v1/wallet/staff/withdrawals': () => jsonResponse(200, page([staffWithdrawalWire()])),
    'GET /api/v1/wallet/staff/audit-log': () => jsonResponse(200, page([staffActionWire()])),
  })
})

afterEach(() => {
  wrapper.unmount()
})

async function mountAt(path: string, user = STAFF_USER): Promise<void> {
  const mounted = await mountPage(Outlet, {
    path,
    beforeNavigation: () => useSessionStore().sessionStart(tokensFor(user, 'access-1')),
  })
  wrapper = mounted.wrapper
  router = mounted.router
  // The section's chunk loads lazily.
  await new Promise((resolve) => setTimeout(resolve, 0))
  await flushPromises()
}

function staffRequests(): string[] {
  return api.requests.filter((request) => request.url.includes('/staff/')).map((request) => request.url)
}

describe('StaffView', () => {
  it('tells a member without the staff role that the area is for staff, and asks the staff API nothing', async () => {
    await mountAt('/staff', ALICE)

    expect(wrapper.get('h1').text()).toBe('This area is for dBay staff')
    expect(wrapper.get('h1 + p').text()).toBe(
      'Your account cannot use the staff tools. If you were given the staff role just now, sign out and sign in again.',
    )
    expect(wrapper.get('a').attributes('href')).toBe('/')
    expect(wrapper.find('nav').exists()).toBe(false)
    expect(staffRequests()).toEqual([])
  })

  it('shows staff the sections, the current one marked, and the review queue first', async () => {
    await mountAt('/staff')

    expect(wrapper.get('h1').text()).toBe('Staff')
    const nav = wrapper.get('nav[aria-label="Staff sections"]')
    expect(nav.findAll('a').map((link) => [link.text(), link.attributes('href'), link.attributes('aria-current')])).toEqual([
      ['Withdrawals to review', '/staff', 'page'],
      ['Frozen wallets', '/staff/frozen-wallets', undefined],
      ['Suspense account', '/staff/suspense', undefined],
      ['Reconciliation', '/staff/reconciliation', undefined],
      ['Audit log', '/staff/audit-log', undefined],
      ['Message reports', '/staff/reports', undefined],
      ['Email delivery', '/staff/emails', undefined],
    ])
    expect(wrapper.get('h2').text()).toBe('Withdrawals to review')
    expect(staffRequests()).toEqual(['/api/v1/wallet/staff/withdrawals?limit=20'])
  })

  it('moves between sections', async () => {
    await mountAt('/staff')

    await router.push('/staff/audit-log')
    await new Promise((resolve) => setTimeout(resolve, 0))
    await flushPromises()

    expect(wrapper.get('h2').text()).toBe('Audit log')
    expect(wrapper.get('nav a[aria-current="page"]').text()).toBe('Audit log')
    expect(staffRequests()).toEqual([
      '/api/v1/wallet/staff/withdrawals?limit=20',
      '/api/v1/wallet/staff/audit-log?limit=20',
    ])
  })
})
