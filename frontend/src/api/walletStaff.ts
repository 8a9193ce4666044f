/**
 * wallet-service's staff operations (role `staff`, checked on the server; 403 `missing_role`
 * otherwise): the withdrawals waiting for review, frozen wallets, the suspense account, the
 * latest reconciliation and the audit log of every staff action.
 *
 * Amounts are decoded to bigint koinu here, as in api/wallet.ts. Approve, reject and unfreeze
 * confirm the session with user-service at once (a revoked session is refused then, not when its
 * token expires) and are recorded in the audit log by the service; they take no Idempotency-Key:
 * a second approve or reject of the same withdrawal is refused (409), never done twice.
 */
import { parseKoinu, parseSignedKoinu } from '@/lib/money'

import type { components } from './generated/wallet-service'
import { apiGet, apiPost, type Page, type PageParams } from './http'
import { WALLET_BASE_PATH, withdrawalFrom, type Withdrawal } from './wallet'

const path = (relative: string): string => `${WALLET_BASE_PATH}${relative}`

type Schemas = components['schemas']

type Decoded<Wire> = {
  [Key in keyof Wire]: Key extends `${string}_koinu` ? bigint : Wire[Key]
}

/**
 * A withdrawal waiting for staff: `awaiting_approval` (above the approval threshold) or `on_hold`
 * (the signer found the wallet frozen; `review_note` says why).
 */
export type StaffWithdrawal = Decoded<Schemas['StaffWithdrawalOutput']>

export type StaffReviewStatus = 'awaiting_approval' | 'on_hold'

/** The withdrawal after a review: `approved` (queued for the signer) or `rejected`. */
export type ReviewedWithdrawal = Withdrawal

/** A user's wallet frozen for review (after a reorg took back a deposit they had spent, say). */
export type FrozenWallet = Decoded<Schemas['FrozenWalletOutput']>

/** One transfer in or out of the suspense account (`counterparty`: the other account's code). */
export type SuspenseEntry = Decoded<Schemas['SuspenseEntryOutput']>

/** `posted_koinu`: credits minus debits posted, signed (negative: owed to the platform). */
export type SuspenseAccount = Omit<Decoded<Schemas['SuspenseOutput']>, 'entries'> & { entries: SuspenseEntry[] }

/**
 * The latest reconciliation of ledger custody against the chain. `drift_koinu` is signed, null
 * when the run could not finish (`report.error` then). `report` is the service's free-form
 * report: lib/staffText.ts reads its findings.
 */
export type Reconciliation = Omit<Decoded<Schemas['ReconciliationOutput']>, 'drift_koinu'> & { drift_koinu: bigint | null }

/** One staff action, as the append-only audit log keeps it. */
export type StaffAction = Schemas['StaffActionOutput']

function staffWithdrawalFrom(wire: Schemas['StaffWithdrawalOutput']): StaffWithdrawal {
  return {
    id: wire.id,
    user_id: wire.user_id,
    address: wire.address,
    amount_koinu: parseKoinu(wire.amount_koinu),
    fee_koinu: parseKoinu(wire.fee_koinu),
    status: wire.status,
    review_note: wire.review_note,
    txid: wire.txid,
    confirmations: wire.confirmations,
    created_at: wire.created_at,
    failure_reason: wire.failure_reason,
  }
}

function frozenWalletFrom(wire: Schemas['FrozenWalletOutput']): FrozenWallet {
  return {
    user_id: wire.user_id,
    frozen_reason: wire.frozen_reason,
    available_koinu: parseKoinu(wire.available_koinu),
    held_koinu: parseKoinu(wire.held_koinu),
    posted_koinu: parseKoinu(wire.posted_koinu),
  }
}

function suspenseEntryFrom(wire: Schemas['SuspenseEntryOutput']): SuspenseEntry {
  return {
    id: wire.id,
    kind: wire.kind,
    direction: wire.direction,
    amount_koinu: parseKoinu(wire.amount_koinu),
    reason: wire.reason,
    reference: wire.reference,
    counterparty: wire.counterparty,
    created_at: wire.created_at,
  }
}

// Calls

/** Withdrawals waiting for review, oldest first (`status`: only those). */
export async function staffWithdrawalsList(
  params: PageParams & { status?: StaffReviewStatus } = {},
): Promise<Page<StaffWithdrawal>> {
  const page = await apiGet<Schemas['PaginatedStaffWithdrawalOutputList']>(path('staff/withdrawals'), {
    query: { ...params },
  })
  return { data: page.data.map(staffWithdrawalFrom), has_more: page.has_more }
}

/** Approves a withdrawal awaiting approval or on hold: it joins the signer's queue. */
export async function staffWithdrawalApprove(withdrawalId: string, reason = ''): Promise<ReviewedWithdrawal> {
  return withdrawalFrom(
    await apiPost<Schemas['WithdrawalOutput']>(path(`withdrawals/${encodeURIComponent(withdrawalId)}/approve`), {
      reason,
    }),
  )
}

/** Rejects a withdrawal with a reason its owner is shown; its hold is released. */
export async function staffWithdrawalReject(withdrawalId: string, reason: string): Promise<ReviewedWithdrawal> {
  return withdrawalFrom(
    await apiPost<Schemas['WithdrawalOutput']>(path(`withdrawals/${encodeURIComponent(withdrawalId)}/reject`), {
      reason,
    }),
  )
}

/**
 * Frozen wallets, one page (at most 100). The API pages by each row's `user_id`
 * (`starting_after`); this page does not ask for a second one yet.
 */
export async function staffFrozenWalletsList(params: { limit?: number } = {}): Promise<Page<FrozenWallet>> {
  const page = await apiGet<Schemas['PaginatedFrozenWalletOutputList']>(path('staff/frozen-accounts'), {
    query: { ...params },
  })
  return { data: page.data.map(frozenWalletFrom), has_more: page.has_more }
}

/** Lifts the freeze of a user's wallet, with the reason recorded in the audit log. */
export async function staffWalletUnfreeze(userId: string, reason: string): Promise<FrozenWallet> {
  return frozenWalletFrom(
    await apiPost<Schemas['FrozenWalletOutput']>(path(`staff/accounts/${encodeURIComponent(userId)}/unfreeze`), {
      reason,
    }),
  )
}

/** The suspense account's balance and a page of its transfers, newest first. */
export async function staffSuspenseGet(params: PageParams = {}): Promise<SuspenseAccount> {
  const wire = await apiGet<Schemas['SuspenseOutput']>(path('staff/suspense'), { query: { ...params } })
  return {
    posted_koinu: parseSignedKoinu(wire.posted_koinu),
    debits_posted_koinu: parseKoinu(wire.debits_posted_koinu),
    credits_posted_koinu: parseKoinu(wire.credits_posted_koinu),
    entries: wire.entries.map(suspenseEntryFrom),
    has_more: wire.has_more,
  }
}

/** The latest reconciliation; 404 `reconciliation_not_found` before the first one has run. */
export async function staffReconciliationGet(): Promise<Reconciliation> {
  const wire = await apiGet<Schemas['ReconciliationOutput']>(path('staff/reconciliation'))
  return {
    created_at: wire.created_at,
    is_balanced: wire.is_balanced,
    drift_koinu: wire.drift_koinu === null ? null : parseSignedKoinu(wire.drift_koinu),
    report: wire.report,
  }
}

/** Every staff action, newest first. */
export async function staffAuditLogList(params: PageParams = {}): Promise<Page<StaffAction>> {
  return apiGet<Schemas['PaginatedStaffActionOutputList']>(path('staff/audit-log'), { query: { ...params } })
}
