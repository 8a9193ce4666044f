import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import {
  frozenWalletWire,
  MEMBER_ID,
  reconciliationWire,
  reviewedWithdrawalWire,
  staffActionWire,
  staffWithdrawalWire,
  suspenseWire,
  WITHDRAWAL_ID,
} from '@/__tests__/staffFixtures'
import { DESTINATION_ADDRESS, page, TXID } from '@/__tests__/walletFixtures'

import { ApiError, setAccessTokenProvider } from '../http'
import {
  staffAuditLogList,
  staffFrozenWalletsList,
  staffReconciliationGet,
  staffSuspenseGet,
  staffWalletUnfreeze,
  staffWithdrawalApprove,
  staffWithdrawalReject,
  staffWithdrawalsList,
} from '../walletStaff'

let api: FakeApi

beforeEach(() => {
  api = installFakeApi()
  setAccessTokenProvider(() => 'staff-token')
})

afterEach(() => {
  setAccessTokenProvider(() => null)
})

function sent(): { method: string; url: string; body: unknown; authorization: string | undefined; key: string | undefined }[] {
  return api.requests.map((request) => ({
    method: request.method,
    url: request.url,
    body: request.body,
    authorization: request.headers.authorization,
    key: request.headers['idempotency-key'],
  }))
}

describe('wallet-service staff API client', () => {
  it('lists the review queue with amounts as bigint koinu', async () => {
    api.on('GET /api/v1/wallet/staff/withdrawals', () =>
      jsonResponse(200, page([staffWithdrawalWire({ status: 'on_hold', review_note: 'wallet frozen when the signer came to pay: x' })], true)),
    )

    const result = await staffWithdrawalsList({ limit: 20, starting_after: 'wd-0', status: 'on_hold' })

    expect(result).toEqual({
      data: [
        {
          id: WITHDRAWAL_ID,
          user_id: MEMBER_ID,
          address: DESTINATION_ADDRESS,
          amount_koinu: 2_500_000_000_000n,
          fee_koinu: 1_000_000n,
          status: 'on_hold',
          review_note: 'wallet frozen when the signer came to pay: x',
          txid: null,
          confirmations: 0,
          created_at: '2025-03-01T11:00:00Z',
          failure_reason: null,
        },
      ],
      has_more: true,
    })
    expect(sent()).toEqual([
      {
        method: 'GET',
        url: '/api/v1/wallet/staff/withdrawals?limit=20&starting_after=wd-0&status=on_hold',
        body: undefined,
        authorization: 'Bearer staff-token',
        key: undefined,
      },
    ])
  })

  it('approves and rejects with the reason in the body, and no Idempotency-Key', async () => {
    api.on(`POST /api/v1/wallet/withdrawals/${WITHDRAWAL_ID}/approve`, () =>
      jsonResponse(200, reviewedWithdrawalWire('approved')),
    )
    api.on(`POST /api/v1/wallet/withdrawals/${WITHDRAWAL_ID}/reject`, () =>
      jsonResponse(200, reviewedWithdrawalWire('rejected')),
    )

    const approved = await staffWithdrawalApprove(WITHDRAWAL_ID)
    const rejected = await staffWithdrawalReject(WITHDRAWAL_ID, 'scam report')

    expect(approved).toEqual({
      id: WITHDRAWAL_ID,
      address: DESTINATION_ADDRESS,
      amount_koinu: 2_500_000_000_000n,
      fee_koinu: 1_000_000n,
      status: 'approved',
      txid: null,
      confirmations: 0,
      created_at: '2025-03-01T11:00:00Z',
      failure_reason: null,
    })
    expect(rejected.status).toBe('rejected')
    expect(rejected.failure_reason).toBe('rejected by staff: scam report')
    expect(sent()).toEqual([
      {
        method: 'POST',
        url: `/api/v1/wallet/withdrawals/${WITHDRAWAL_ID}/approve`,
        body: { reason: '' },
        authorization: 'Bearer staff-token',
        key: undefined,
      },
      {
        method: 'POST',
        url: `/api/v1/wallet/withdrawals/${WITHDRAWAL_ID}/reject`,
        body: { reason: 'scam report' },
        authorization: 'Bearer staff-token',
        key: undefined,
      },
    ])
  })

  it('passes a refusal on as an ApiError with its code', async () => {
    api.on(`POST /api/v1/wallet/withdrawals/${WITHDRAWAL_ID}/reject`, () =>
      errorResponse(409, { code: 'withdrawal_not_awaiting_approval', message: 'The withdrawal is rejected, not waiting for a review.' }),
    )

    const error = await staffWithdrawalReject(WITHDRAWAL_ID, 'again').catch((caught: unknown) => caught)

    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).status).toBe(409)
    expect((error as ApiError).code).toBe('withdrawal_not_awaiting_approval')
  })

  it('lists frozen wallets and unfreezes one with a reason', async () => {
    api.on('GET /api/v1/wallet/staff/frozen-accounts', () => jsonResponse(200, page([frozenWalletWire()])))
    api.on(`POST /api/v1/wallet/staff/accounts/${MEMBER_ID}/unfreeze`, () =>
      jsonResponse(200, frozenWalletWire({ frozen_reason: '' })),
    )

    const frozen = await staffFrozenWalletsList({ limit: 100 })
    const unfrozen = await staffWalletUnfreeze(MEMBER_ID, 'Reviewed: the deposit was sent again')

    expect(frozen).toEqual({
      data: [
        {
          user_id: MEMBER_ID,
          frozen_reason: 'deposit a1b2c3d4e5f60718...:1 reorged out; 150000000 koinu spent',
          available_koinu: 0n,
          held_koinu: 201_000_000n,
          posted_koinu: 50_000_000n,
        },
      ],
      has_more: false,
    })
    expect(unfrozen.frozen_reason).toBe('')
    expect(sent().map(({ method, url, body }) => [method, url, body])).toEqual([
      ['GET', '/api/v1/wallet/staff/frozen-accounts?limit=100', undefined],
      ['POST', `/api/v1/wallet/staff/accounts/${MEMBER_ID}/unfreeze`, { reason: 'Reviewed: the deposit was sent again' }],
    ])
  })

  it('reads the suspense account with a signed balance', async () => {
    api.on('GET /api/v1/wallet/staff/suspense', () =>
      jsonResponse(200, suspenseWire({ posted_koinu: '-20000000', debits_posted_koinu: '170000000' })),
    )

    const suspense = await staffSuspenseGet({ limit: 20 })

    expect(suspense).toEqual({
      posted_koinu: -20_000_000n,
      debits_posted_koinu: 170_000_000n,
      credits_posted_koinu: 150_000_000n,
      entries: [
        {
          id: 'trf-shortfall-1',
          kind: 'single',
          direction: 'in',
          amount_koinu: 150_000_000n,
          reason: 'deposit_shortfall',
          reference: { txid: TXID, vout: 1, user_id: MEMBER_ID },
          counterparty: 'user',
          created_at: '2025-03-02T09:30:00Z',
        },
      ],
      has_more: false,
    })
    expect(api.requests[0]?.url).toBe('/api/v1/wallet/staff/suspense?limit=20')
  })

  it('reads the latest reconciliation, its drift signed, null when it could not run', async () => {
    api.on('GET /api/v1/wallet/staff/reconciliation', () =>
      jsonResponse(200, reconciliationWire({ is_balanced: false, drift_koinu: '-250000000' })),
    )
    expect((await staffReconciliationGet()).drift_koinu).toBe(-250_000_000n)

    api.on('GET /api/v1/wallet/staff/reconciliation', () =>
      jsonResponse(200, { created_at: '2025-03-02T08:00:00Z', is_balanced: false, drift_koinu: null, report: { error: 'x' } }),
    )
    expect(await staffReconciliationGet()).toEqual({
      created_at: '2025-03-02T08:00:00Z',
      is_balanced: false,
      drift_koinu: null,
      report: { error: 'x' },
    })
  })

  it('pages the audit log', async () => {
    api.on('GET /api/v1/wallet/staff/audit-log', () => jsonResponse(200, page([staffActionWire()], true)))

    const log = await staffAuditLogList({ limit: 20, starting_after: 'act-0' })

    expect(log).toEqual({ data: [staffActionWire()], has_more: true })
    expect(api.requests[0]?.url).toBe('/api/v1/wallet/staff/audit-log?limit=20&starting_after=act-0')
  })
})
