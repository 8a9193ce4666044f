import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'

import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { mountPage } from '@/__tests__/mountPage'
import {
  frozenWalletWire,
  MEMBER_ID,
  reviewedWithdrawalWire,
  STAFF_USER,
  staffActionWire,
  staffWithdrawalWire,
  suspenseWire,
  WITHDRAWAL_ID,
} from '@/__tests__/staffFixtures'
import { page } from '@/__tests__/walletFixtures'
import type { User } from '@/api/user'
import { useSessionStore } from '@/stores/useSessionStore'

import {
  useFrozenWallets,
  useReconciliation,
  useStaffAuditLog,
  useStaffWithdrawals,
  useSuspenseAccount,
  useWalletUnfreeze,
  useWithdrawalReview,
} from '../staff'

let api: FakeApi
let wrapper: VueWrapper
let queries: {
  withdrawals: ReturnType<typeof useStaffWithdrawals>
  review: ReturnType<typeof useWithdrawalReview>
  frozen: ReturnType<typeof useFrozenWallets>
  unfreeze: ReturnType<typeof useWalletUnfreeze>
  suspense: ReturnType<typeof useSuspenseAccount>
  reconciliation: ReturnType<typeof useReconciliation>
  log: ReturnType<typeof useStaffAuditLog>
}

const Host = defineComponent({
  setup() {
    queries = {
      withdrawals: useStaffWithdrawals(),
      review: useWithdrawalReview(),
      frozen: useFrozenWallets(),
      unfreeze: useWalletUnfreeze(),
      suspense: useSuspenseAccount(),
      reconciliation: useReconciliation(),
      log: useStaffAuditLog(),
    }
    return () => h('div')
  },
})

beforeEach(() => {
  api = installFakeApi({
    'GET /api/v1/wallet/staff/withdrawals': () => jsonResponse(200, page([staffWithdrawalWire()])),
    'GET /api/v1/wallet/staff/frozen-accounts': () => jsonResponse(200, page([frozenWalletWire()])),
    'GET /api/v1/wallet/staff/suspense': () => jsonResponse(200, suspenseWire()),
    'GET /api/v1/wallet/staff/reconciliation': () =>
      errorResponse(404, { code: 'reconciliation_not_found', message: 'No reconciliation has run yet.' }),
    'GET /api/v1/wallet/staff/audit-log': () => jsonResponse(200, page([staffActionWire()])),
  })
})

afterEach(() => {
  wrapper.unmount()
})

async function mountHost(user: User): Promise<void> {
  wrapper = (await mountPage(Host, { beforeNavigation: () => useSessionStore().sessionStart(tokensFor(user, 'access-1')) })).wrapper
  await flushPromises()
}

function counts(): Record<string, number> {
  const result: Record<string, number> = {}
  for (const request of api.requests) {
    const route = `${request.method} ${request.url.split('?')[0] ?? ''}`
    result[route] = (result[route] ?? 0) + 1
  }
  return result
}

describe('staff queries', () => {
  it('ask nothing while the signed-in user is not staff', async () => {
    await mountHost(ALICE)

    expect(api.requests).toEqual([])
    expect(queries.withdrawals.items.value).toEqual([])
  })

  it('read each staff resource once; no reconciliation yet is null, not an error', async () => {
    await mountHost(STAFF_USER)

    expect(counts()).toEqual({
      'GET /api/v1/wallet/staff/withdrawals': 1,
      'GET /api/v1/wallet/staff/frozen-accounts': 1,
      'GET /api/v1/wallet/staff/suspense': 1,
      'GET /api/v1/wallet/staff/reconciliation': 1,
      'GET /api/v1/wallet/staff/audit-log': 1,
    })
    expect(queries.reconciliation.data.value).toBeNull()
    expect(queries.reconciliation.error.value).toBeNull()
    expect(queries.withdrawals.items.value.map((withdrawal) => withdrawal.amount_koinu)).toEqual([2_500_000_000_000n])
  })

  it('read the queue and the audit log again after a review, and the frozen list and the log after an unfreeze', async () => {
    api.on(`POST /api/v1/wallet/withdrawals/${WITHDRAWAL_ID}/reject`, () => jsonResponse(200, reviewedWithdrawalWire('rejected')))
    api.on(`POST /api/v1/wallet/staff/accounts/${MEMBER_ID}/unfreeze`, () => jsonResponse(200, frozenWalletWire()))
    await mountHost(STAFF_USER)

    const rejected = await queries.review.mutateAsync({ withdrawalId: WITHDRAWAL_ID, decision: 'reject', reason: 'scam' })
    expect(rejected.status).toBe('rejected')
    expect(counts()['GET /api/v1/wallet/staff/withdrawals']).toBe(2)
    expect(counts()['GET /api/v1/wallet/staff/audit-log']).toBe(2)
    expect(counts()['GET /api/v1/wallet/staff/frozen-accounts']).toBe(1)

    await queries.unfreeze.mutateAsync({ userId: MEMBER_ID, reason: 'paid back' })
    expect(counts()['GET /api/v1/wallet/staff/frozen-accounts']).toBe(2)
    expect(counts()['GET /api/v1/wallet/staff/audit-log']).toBe(3)
    expect(counts()['GET /api/v1/wallet/staff/withdrawals']).toBe(2)
  })

  it('read the queue again when a review is refused because it was already reviewed, not on other errors', async () => {
    api.on(`POST /api/v1/wallet/withdrawals/${WITHDRAWAL_ID}/approve`, () =>
      errorResponse(409, { code: 'withdrawal_not_awaiting_approval' }),
    )
    await mountHost(STAFF_USER)

    await expect(queries.review.mutateAsync({ withdrawalId: WITHDRAWAL_ID, decision: 'approve', reason: '' })).rejects.toMatchObject({
      status: 409,
    })
    expect(counts()['GET /api/v1/wallet/staff/withdrawals']).toBe(2)

    api.on(`POST /api/v1/wallet/withdrawals/${WITHDRAWAL_ID}/approve`, () => errorResponse(400, { code: 'invalid_field', param: 'reason' }))
    await expect(queries.review.mutateAsync({ withdrawalId: WITHDRAWAL_ID, decision: 'approve', reason: '' })).rejects.toMatchObject({
      status: 400,
    })
    expect(counts()['GET /api/v1/wallet/staff/withdrawals']).toBe(2)
  })
})
