/**
 * wallet-service: balances from the double-entry ledger, deposit addresses, deposits, the
 * history of transfers, and withdrawals.
 *
 * Amounts travel as JSON strings of digits (`"amount_koinu": "150000000"`) and are decoded here,
 * at the boundary, into bigint koinu with parseKoinu; the API's DOGE display strings (`"available":
 * "1.50000000"`) are dropped, so nothing downstream can show an amount that is not the exact one.
 * Request bodies carry bigint values, which the HTTP client sends as digit strings.
 */
import { parseKoinu, parseSignedKoinu } from '@/lib/money'

import type { components } from './generated/wallet-service'
import { apiGet, apiPost, type Page, type PageParams } from './http'

export const WALLET_BASE_PATH = '/api/v1/wallet/'

const path = (relative: string): string => `${WALLET_BASE_PATH}${relative}`

type Schemas = components['schemas']

/**
 * A wire type as the app holds it: every `*_koinu` digit string decoded to bigint koinu. The
 * shapes come from wallet-service's OpenAPI document (src/api/generated, `npm run api:types`).
 */
type Decoded<Wire> = {
  [Key in keyof Wire]: Key extends `${string}_koinu` ? bigint : Wire[Key]
}

/** Free-form facts the ledger keeps about a transfer: `txid`, `withdrawal_id`, `auction_id`... */
export type TransferReference = Record<string, unknown>

// Balances. The API's DOGE display strings (`available`, `amount`...) are dropped.

/** One open hold on the user's wallet (a pending ledger transfer). */
export type WalletHold = Omit<Decoded<Schemas['WalletHold']>, 'amount'>

export type WalletHeldByReason = Omit<Decoded<Schemas['WalletHeldByReason']>, 'amount'>

/**
 * GET balance. `available_koinu`: spendable now; `held_koinu`: reserved by open bids, unpaid
 * orders and pending withdrawals (always the sum of `holds`); `incoming_koinu`: deposits not yet
 * confirmed enough, not spendable; `is_frozen`: frozen for review, it can receive, not spend.
 */
export interface WalletBalance
  extends Omit<
    Decoded<Schemas['WalletBalance']>,
    'available' | 'held' | 'incoming' | 'held_by_reason' | 'holds'
  > {
  held_by_reason: WalletHeldByReason[]
  holds: WalletHold[]
}

// Deposit addresses and deposits

/** The user's current deposit address (`uri` is `dogecoin:<address>`, for the QR code). */
export type DepositAddress = Schemas['DepositAddressOutput']

/**
 * `pending`: seen in the mempool (0 confirmations); `confirming`: in a block, not enough
 * confirmations yet; `credited`: added to the available balance.
 */
export type DepositStatus = Schemas['WalletDepositStatusEnum']

/** `confirmations` is live: recomputed from the chain tip on every request. */
export type Deposit = Decoded<Schemas['DepositOutput']>

// History

/** `single`: a plain transfer; `pending`: a hold; `post_pending` / `void_pending`: its outcome. */
export type TransferKind = Schemas['WalletTransferKindEnum']

/** For a hold: still `pending`, or how it ended. Other transfers are `posted`. */
export type TransferStatus = Schemas['WalletTransferStateEnum']

/**
 * One transfer touching the user's wallet (GET transfers). `direction` `out` covers a hold, its
 * post and its void; `counterparty` is a platform account's code or `user`.
 */
export type WalletTransfer = Omit<Decoded<Schemas['WalletTransfer']>, 'amount'>

export interface TransferListParams extends PageParams {
  /** Only transfers with this reason code. */
  reason?: string
  /** One row per movement: a hold and the post or void that ended it are one row, in the hold's state. */
  activity?: boolean
}

// Withdrawals

/**
 * `awaiting_approval` (above the staff threshold) → `approved` (queued for the signer) → `signed`
 * → `broadcast` → `confirmed`; `on_hold` when the signer found the wallet frozen (staff review it);
 * or `rejected` by staff, or `failed` on chain (the hold is released).
 */
export type WithdrawalStatus = Schemas['WalletWithdrawalStatusEnum']

/** `fee_koinu`: the network fee charged on top of the amount, quoted when it was requested. */
export type Withdrawal = Decoded<Schemas['WithdrawalOutput']>

/** GET withdrawals/quote: what a withdrawal costs (`total_koinu` = amount + fee is held). */
export type WithdrawalQuote = Decoded<Schemas['WithdrawalQuoteOutput']>

export type WithdrawalRequest = Decoded<Schemas['InputRequest']>

function balanceFrom(wire: Schemas['WalletBalance']): WalletBalance {
  return {
    user_id: wire.user_id,
    available_koinu: parseKoinu(wire.available_koinu),
    held_koinu: parseKoinu(wire.held_koinu),
    incoming_koinu: parseKoinu(wire.incoming_koinu),
    is_frozen: wire.is_frozen,
    held_by_reason: wire.held_by_reason.map((part) => ({
      reason: part.reason,
      amount_koinu: parseKoinu(part.amount_koinu),
    })),
    holds: wire.holds.map((hold) => ({
      hold_id: hold.hold_id,
      amount_koinu: parseKoinu(hold.amount_koinu),
      reason: hold.reason,
      reference: hold.reference,
      holding_account: hold.holding_account,
      created_at: hold.created_at,
      expires_at: hold.expires_at,
    })),
  }
}

function depositAddressFrom(wire: DepositAddress): DepositAddress {
  return { address: wire.address, uri: wire.uri, network: wire.network, created_at: wire.created_at }
}

function depositFrom(wire: Schemas['DepositOutput']): Deposit {
  return {
    id: wire.id,
    address: wire.address,
    txid: wire.txid,
    vout: wire.vout,
    amount_koinu: parseKoinu(wire.amount_koinu),
    status: wire.status,
    confirmations: wire.confirmations,
    required_confirmations: wire.required_confirmations,
    block_height: wire.block_height,
    first_seen_at: wire.first_seen_at,
    credited_at: wire.credited_at,
  }
}

function transferFrom(wire: Schemas['WalletTransfer']): WalletTransfer {
  return {
    id: wire.id,
    kind: wire.kind,
    direction: wire.direction,
    amount_koinu: parseKoinu(wire.amount_koinu),
    signed_amount_koinu: parseSignedKoinu(wire.signed_amount_koinu),
    status: wire.status,
    reason: wire.reason,
    reference: wire.reference,
    counterparty: wire.counterparty,
    pending_id: wire.pending_id,
    created_at: wire.created_at,
  }
}

/** A withdrawal as the API answers it, amounts decoded (also what staff reviews answer). */
export function withdrawalFrom(wire: Schemas['WithdrawalOutput']): Withdrawal {
  return {
    id: wire.id,
    address: wire.address,
    amount_koinu: parseKoinu(wire.amount_koinu),
    fee_koinu: parseKoinu(wire.fee_koinu),
    status: wire.status,
    txid: wire.txid,
    confirmations: wire.confirmations,
    created_at: wire.created_at,
    failure_reason: wire.failure_reason,
  }
}

function quoteFrom(wire: Schemas['WithdrawalQuoteOutput']): WithdrawalQuote {
  return {
    amount_koinu: parseKoinu(wire.amount_koinu),
    fee_koinu: parseKoinu(wire.fee_koinu),
    total_koinu: parseKoinu(wire.total_koinu),
    estimated_size_bytes: wire.estimated_size_bytes,
    fee_per_kb_koinu: parseKoinu(wire.fee_per_kb_koinu),
  }
}

function pageFrom<WireItem, Item>(page: Page<WireItem>, decode: (item: WireItem) => Item): Page<Item> {
  return { data: page.data.map(decode), has_more: page.has_more }
}

// Calls

export async function walletBalanceGet(): Promise<WalletBalance> {
  return balanceFrom(await apiGet<Schemas['WalletBalance']>(path('balance')))
}

/** The current deposit address; the first call creates it. */
export async function depositAddressGet(): Promise<DepositAddress> {
  return depositAddressFrom(await apiGet<Schemas['DepositAddressOutput']>(path('deposit-address')))
}

/** Replaces the current deposit address with a fresh one; the old ones keep crediting. */
export async function depositAddressRotate(idempotencyKey: string): Promise<DepositAddress> {
  return depositAddressFrom(await apiPost<Schemas['DepositAddressOutput']>(path('deposit-address'), {}, { idempotencyKey }))
}

/** Deposits, newest first: incoming (pending, confirming) and credited. */
export async function depositsList(params: PageParams = {}): Promise<Page<Deposit>> {
  return pageFrom(await apiGet<Schemas['PaginatedDepositOutputList']>(path('deposits'), { query: { ...params } }), depositFrom)
}

/** Every transfer touching the wallet, newest first, optionally of one reason. */
export async function transfersList(params: TransferListParams = {}): Promise<Page<WalletTransfer>> {
  return pageFrom(
    await apiGet<Schemas['WalletTransferPage']>(path('transfers'), { query: { ...params } }),
    transferFrom,
  )
}

/**
 * The fee a withdrawal of `amountKoinu` would be charged, and the total held for it. With
 * `address`, wallet-service checks the destination too (400 `invalid_address` saying why), so a
 * bad address is refused before anyone is asked for a 2FA code.
 */
export async function withdrawalQuoteGet(amountKoinu: bigint, address?: string): Promise<WithdrawalQuote> {
  return quoteFrom(
    await apiGet<Schemas['WithdrawalQuoteOutput']>(path('withdrawals/quote'), {
      query: { amount_koinu: amountKoinu, address },
    }),
  )
}

/**
 * The largest withdrawal possible now: the available balance minus the fee for it (400
 * `insufficient_funds` when the balance does not even cover the fee).
 */
export async function withdrawalQuoteMaxGet(): Promise<WithdrawalQuote> {
  return quoteFrom(
    await apiGet<Schemas['WithdrawalQuoteOutput']>(path('withdrawals/quote'), { query: { max: true } }),
  )
}

/**
 * Asks to send `amount_koinu` to `address`; amount + fee are held at once. Needs an access token
 * with a fresh second factor (403 `mfa_required` otherwise: see useSessionStore.sessionStepUp) and
 * one Idempotency-Key per attempt, reused when retrying that attempt.
 */
export async function withdrawalRequest(
  request: WithdrawalRequest,
  idempotencyKey: string,
): Promise<Withdrawal> {
  return withdrawalFrom(
    await apiPost<Schemas['WithdrawalOutput']>(
      path('withdrawals'),
      { address: request.address, amount_koinu: request.amount_koinu },
      { idempotencyKey },
    ),
  )
}

/** Withdrawals, newest first. */
export async function withdrawalsList(params: PageParams = {}): Promise<Page<Withdrawal>> {
  return pageFrom(
    await apiGet<Schemas['PaginatedWithdrawalOutputList']>(path('withdrawals'), { query: { ...params } }),
    withdrawalFrom,
  )
}

export async function withdrawalGet(withdrawalId: string): Promise<Withdrawal> {
  return withdrawalFrom(
    await apiGet<Schemas['WithdrawalOutput']>(path(`withdrawals/${encodeURIComponent(withdrawalId)}`)),
  )
}
