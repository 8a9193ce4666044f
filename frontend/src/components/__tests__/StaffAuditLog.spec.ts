import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { tokensFor } from '@/__tests__/fixtures'
import { alertTexts, mountPage } from '@/__tests__/mountPage'
import { MEMBER_ID, OTHER_WITHDRAWAL_ID, STAFF_USER, staffActionWire } from '@/__tests__/staffFixtures'
import { page } from '@/__tests__/walletFixtures'
import { useSessionStore } from '@/stores/useSessionStore'

import StaffAuditLog from '../StaffAuditLog.vue'

const AUDIT_LOG = 'GET /api/v1/wallet/staff/audit-log'
const OTHER_STAFF_ID = '9d8c7b6a-5555-4e3f-8a1b-2c3d4e5f6a7b'

let api: FakeApi
let wrapper: VueWrapper

beforeEach(() => {
  api = installFakeApi({ [AUDIT_LOG]: () => jsonResponse(200, page([])) })
})

afterEach(() => {
  wrapper.unmount()
})

async function mountLog(): Promise<void> {
  const mounted = await mountPage(StaffAuditLog, {
    beforeNavigation: () => useSessionStore().sessionStart(tokensFor(STAFF_USER, 'staff-token')),
  })
  wrapper = mounted.wrapper
  await flushPromises()
}

function entries(): (string | undefined)[][] {
  return wrapper
    .findAll('ol[aria-label="Audit log"] > li')
    .map((item) => [item.attributes('data-action'), ...item.findAll('p').map((line) => line.text().replace(/\s+/g, ' '))])
}

describe('StaffAuditLog', () => {
  it('shows every action, newest first, with what it was done to, by whom and why', async () => {
    api.on(AUDIT_LOG, () =>
      jsonResponse(
        200,
        page([
          staffActionWire({ id: 'act-3', action: 'account_unfreeze', target_type: 'account', target_id: MEMBER_ID, reason: 'paid back', created_at: '2025-03-02T11:00:00Z' }),
          staffActionWire({ id: 'act-2', action: 'withdrawal_approve', target_id: OTHER_WITHDRAWAL_ID, reason: '', staff_id: OTHER_STAFF_ID, created_at: '2025-03-02T10:30:00Z' }),
          staffActionWire(),
        ]),
      ),
    )
    await mountLog()

    expect(api.requests.map((request) => request.url)).toEqual(['/api/v1/wallet/staff/audit-log?limit=20'])
    expect(entries()).toEqual([
      ['account_unfreeze', 'Unfroze a wallet 2 Mar 2025, 11:00', 'Wallet of member 6f1c2b7e…2c3d4e5f · by you', 'Reason: paid back'],
      ['withdrawal_approve', 'Approved a withdrawal 2 Mar 2025, 10:30', 'Withdrawal 1c8e5b63…8e9f0a11 · by staff member 9d8c7b6a…4e5f6a7b'],
      ['withdrawal_reject', 'Rejected a withdrawal 2 Mar 2025, 10:15', 'Withdrawal 0b7f4a52…7d8e9f00 · by you', 'Reason: scam report'],
    ])
  })

  it('loads older actions after the last one shown', async () => {
    api.on(AUDIT_LOG, (request) =>
      request.url.includes('starting_after=act-1')
        ? jsonResponse(200, page([staffActionWire({ id: 'act-0', action: 'withdrawal_approve', reason: '' })]))
        : jsonResponse(200, page([staffActionWire()], true)),
    )
    await mountLog()

    await wrapper.findAll('button').find((button) => button.text() === 'Load older actions')?.trigger('click')
    await flushPromises()

    expect(api.requests.at(-1)?.url).toBe('/api/v1/wallet/staff/audit-log?limit=20&starting_after=act-1')
    expect(entries().map((entry) => entry[0])).toEqual(['withdrawal_reject', 'withdrawal_approve'])
    expect(wrapper.findAll('button')).toHaveLength(0)
  })

  it('says when there is nothing yet, and when the log cannot be read', async () => {
    await mountLog()
    expect(wrapper.text()).toContain('No staff action yet.')
    wrapper.unmount()

    api.on(AUDIT_LOG, () => errorResponse(503, { code: 'service_unavailable' }))
    await mountLog()
    expect(alertTexts(wrapper)).toEqual(['Something went wrong on our side. Please try again in a moment.'])
    expect(wrapper.text()).not.toContain('No staff action yet.')
  })
})
