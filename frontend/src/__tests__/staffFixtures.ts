/**
 * wallet-service's staff API answers as they come over the wire, and a staff member to sign in.
 */
import type { User } from '@/api/user'

import { ALICE } from './fixtures'
import { DESTINATION_ADDRESS, TXID, WITHDRAWAL_TXID } from './walletFixtures'

export const STAFF_USER: User = {
  ...ALICE,
  id: '7a0c3e52-0000-4b1e-9c2d-5e6f7a8b9c0d',
  email: 'sam@example.test',
  username: 'sam',
  roles: ['buyer', 'seller', 'staff'],
}

export const MEMBER_ID = '6f1c2b7e-1111-4c3d-9e8f-0a1b2c3d4e5f'
export const WITHDRAWAL_ID = '0b7f4a52-2222-4e0d-8f3a-5b6c7d8e9f00'
export const OTHER_WITHDRAWAL_ID = '1c8e5b63-3333-4f1e-9a4b-6c7d8e9f0a11'

/** 25,000 DOGE to DESTINATION_ADDRESS, above the approval threshold, requested 1 Mar 2025 11:00. */
export function staffWithdrawalWire(overrides: Record<string, unknown> = {}) {
  return {
    id: WITHDRAWAL_ID,
    user_id: MEMBER_ID,
    address: DESTINATION_ADDRESS,
    amount_koinu: '2500000000000',
    fee_koinu: '1000000',
    status: 'awaiting_approval',
    review_note: '',
    txid: null,
    confirmations: 0,
    created_at: '2025-03-01T11:00:00Z',
    failure_reason: null,
    ...overrides,
  }
}

/** The withdrawal as approve / reject answer it (no user_id, no review_note). */
export function reviewedWithdrawalWire(status: 'approved' | 'rejected', overrides: Record<string, unknown> = {}) {
  return {
    id: WITHDRAWAL_ID,
    address: DESTINATION_ADDRESS,
    amount_koinu: '2500000000000',
    fee_koinu: '1000000',
    status,
    txid: null,
    confirmations: 0,
    created_at: '2025-03-01T11:00:00Z',
    failure_reason: status === 'rejected' ? 'rejected by staff: scam report' : null,
    ...overrides,
  }
}

export function frozenWalletWire(overrides: Record<string, unknown> = {}) {
  return {
    user_id: MEMBER_ID,
    frozen_reason: 'deposit a1b2c3d4e5f60718...:1 reorged out; 150000000 koinu spent',
    available_koinu: '0',
    held_koinu: '201000000',
    posted_koinu: '50000000',
    ...overrides,
  }
}

export function suspenseWire(overrides: Record<string, unknown> = {}) {
  return {
    posted_koinu: '150000000',
    debits_posted_koinu: '0',
    credits_posted_koinu: '150000000',
    entries: [
      {
        id: 'trf-shortfall-1',
        kind: 'single',
        direction: 'in',
        amount_koinu: '150000000',
        reason: 'deposit_shortfall',
        reference: { txid: TXID, vout: 1, user_id: MEMBER_ID },
        counterparty: 'user',
        created_at: '2025-03-02T09:30:00Z',
      },
    ],
    has_more: false,
    ...overrides,
  }
}

/** A balanced run with nothing to report, 2 Mar 2025 08:00. */
export function reconciliationWire(overrides: Record<string, unknown> = {}, report: Record<string, unknown> = {}) {
  return {
    created_at: '2025-03-02T08:00:00Z',
    is_balanced: true,
    drift_koinu: '0',
    report: {
      ledger_custody_koinu: 1250000000,
      chain_outputs_koinu: 1250000000,
      chain_output_count: 3,
      mined_unsettled_koinu: 0,
      drift_koinu: 0,
      follower_height: 412,
      node_best_block: '5f'.repeat(32),
      in_flight: [],
      missing_outputs: [],
      settled_unmined_koinu: 0,
      settled_not_in_best_chain: [],
      suspected_duplicate_withdrawals: [],
      is_balanced: true,
      ...report,
    },
    ...overrides,
  }
}

export function staffActionWire(overrides: Record<string, unknown> = {}) {
  return {
    id: 'act-1',
    staff_id: STAFF_USER.id,
    action: 'withdrawal_reject',
    target_type: 'withdrawal',
    target_id: WITHDRAWAL_ID,
    reason: 'scam report',
    detail: { status_before: 'awaiting_approval', status_after: 'rejected', user_id: MEMBER_ID },
    created_at: '2025-03-02T10:15:00Z',
    ...overrides,
  }
}

export { WITHDRAWAL_TXID }
