/**
 * wallet-service: balances from the double-entry ledger, deposit addresses, deposits, the
 * history of transfers, and withdrawals.
 *
 * Amounts travel as JSON strings of digits (`"amount_koinu": "150000000"`) and are decoded here,
 * at the boundary, into bigint koinu with parseKoinu; the API's DOGE display strings (`"available":
 * "1.50000000"`) are dropped, so nothing downstream can show an amount that is not the exact one.
 * Request bodies carry bigint values, which the HTTP client sends as digit strings.
 */
import { parseKoinu } from '@/lib/money'

import { apiGet, apiPost, type IsoDateTime, type Page, type PageParams } from './http'

export const WALLET_BASE_PATH = '/api/v1/wallet/'

const path = (relative: string): string => `${WALLET_BASE_PATH}${relative}`

/** Free-form facts the ledger keeps about a transfer: `txid`, `withdrawal_id`, `auction_id`... */
export type TransferReference = Record<string, unknown>

// Balances

/** One open hold on the user's wallet (a pending ledger transfer). */
export interface WalletHold {
  hold_id: string
  amount_koinu: bigint
  /** Why it is held: `bid_hold`, `order_escrow`, `withdrawal`... */
  reason: string
  /** What holds it: `auction_id`, `order_id`, `withdrawal_id`... */
  reference: TransferReference
  holding_account: string
  created_at: IsoDateTime
  expires_at: IsoDateTime | null
}

export interface WalletHeldByReason {
  reason: string
  amount_koinu: bigint
}

/** GET balance: the three balances, and what the held amount is made of. */
export interface WalletBalance {
  user_id: string
  /** Spendable now. */
  available_koinu: bigint
  /** Reserved by open bids, unpaid orders and pending withdrawals: always the sum of `holds`. */
  held_koinu: bigint
  /** Deposits seen on chain that do not yet have enough confirmations; not spendable. */
  incoming_koinu: bigint
  /** Frozen for review (after a deposit was reversed): it can receive, not spend. */
  is_frozen: boolean
  held_by_reason: WalletHeldByReason[]
  holds: WalletHold[]
}

// Deposit addresses and deposits

/** The user's current deposit address; payments to their older ones still credit. */
export interface DepositAddress {
  address: string
  /** `dogecoin:<address>`, for the QR code. */
  uri: string
  /** `mainnet`, `testnet` or `regtest`. */
  network: string
  created_at: IsoDateTime
}

/**
 * `pending`: seen in the mempool (0 confirmations); `confirming`: in a block, not enough
 * confirmations yet; `credited`: added to the available balance.
 */
export type DepositStatus = 'pending' | 'confirming' | 'credited'

export interface Deposit {
  id: string
  /** Which of the user's deposit addresses it paid. */
  address: string
  txid: string
  vout: number
  amount_koinu: bigint
  status: DepositStatus
  /** Live: recomputed from the chain tip on every request. */
  confirmations: number
  required_confirmations: number
  block_height: number | null
  first_seen_at: IsoDateTime
  credited_at: IsoDateTime | null
}

// History

/** `single`: a plain transfer; `pending`: a hold; `post_pending` / `void_pending`: its outcome. */
export type TransferKind = 'single' | 'pending' | 'post_pending' | 'void_pending'

/** For a hold: still `pending`, or how it ended. Other transfers are `posted`. */
export type TransferStatus = 'pending' | 'posted' | 'voided' | 'expired'

/** One transfer touching the user's wallet (GET transfers). */
export interface WalletTransfer {
  id: string
  kind: TransferKind
  /** `in`: credited to the wallet; `out`: debited from it (a hold, its post and its void are `out`). */
  direction: 'in' | 'out'
  amount_koinu: bigint
  status: TransferStatus
  /** `deposit`, `withdrawal`, `bid_hold`, `order_escrow`, `deposit_reversal`, `expired`... */
  reason: string
  reference: TransferReference
  /** The other side: a platform account's code (`custody`, `bid_holds`...) or `user`. */
  counterparty: string
  /** For a post or void: the hold it resolves. */
  pending_id: string | null
  created_at: IsoDateTime
}

export interface TransferListParams extends PageParams {
  /** Only transfers with this reason code. */
  reason?: string
}

// Withdrawals

/**
 * `awaiting_approval` (above the staff threshold) → `approved` (queued for the signer) → `signed`
 * → `broadcast` → `confirmed`; or `rejected` by staff, or `failed` on chain (the hold is released).
 */
export type WithdrawalStatus =
  | 'awaiting_approval'
  | 'approved'
  | 'signed'
  | 'broadcast'
  | 'confirmed'
  | 'failed'
  | 'rejected'

export interface Withdrawal {
  id: string
  /** Where the DOGE go. */
  address: string
  amount_koinu: bigint
  /** The network fee charged on top of the amount (quoted when it was requested). */
  fee_koinu: bigint
  status: WithdrawalStatus
  txid: string | null
  confirmations: number
  created_at: IsoDateTime
  failure_reason: string | null
}

/** GET withdrawals/quote: what a withdrawal of `amount_koinu` costs, before asking for it. */
export interface WithdrawalQuote {
  amount_koinu: bigint
  fee_koinu: bigint
  /** amount + fee: what is held from the available balance. */
  total_koinu: bigint
  estimated_size_bytes: number
  fee_per_kb_koinu: bigint
}

export interface WithdrawalRequest {
  address: string
  amount_koinu: bigint
}

// The wire format: amounts are strings of digits until decoded below.

type Wire<T> = {
  [Key in keyof T]: Key extends `${string}_koinu` ? string : T[Key]
}

interface WalletBalanceWire extends Omit<Wire<WalletBalance>, 'held_by_reason' | 'holds'> {
  held_by_reason: Wire<WalletHeldByReason>[]
  holds: Wire<WalletHold>[]
}

function balanceFrom(wire: WalletBalanceWire): WalletBalance {
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

function depositFrom(wire: Wire<Deposit>): Deposit {
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

function transferFrom(wire: Wire<WalletTransfer>): WalletTransfer {
  return {
    id: wire.id,
    kind: wire.kind,
    direction: wire.direction,
    amount_koinu: parseKoinu(wire.amount_koinu),
    status: wire.status,
    reason: wire.reason,
    reference: wire.reference,
    counterparty: wire.counterparty,
    pending_id: wire.pending_id,
    created_at: wire.created_at,
  }
}

function withdrawalFrom(wire: Wire<Withdrawal>): Withdrawal {
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

function quoteFrom(wire: Wire<WithdrawalQuote>): WithdrawalQuote {
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
  return balanceFrom(await apiGet<WalletBalanceWire>(path('balance')))
}

/** The current deposit address; the first call creates it. */
export async function depositAddressGet(): Promise<DepositAddress> {
  return depositAddressFrom(await apiGet<DepositAddress>(path('deposit-address')))
}

/** Replaces the current deposit address with a fresh one; the old ones keep crediting. */
export async function depositAddressRotate(idempotencyKey: string): Promise<DepositAddress> {
  return depositAddressFrom(await apiPost<DepositAddress>(path('deposit-address'), {}, { idempotencyKey }))
}

/** Deposits, newest first: incoming (pending, confirming) and credited. */
export async function depositsList(params: PageParams = {}): Promise<Page<Deposit>> {
  return pageFrom(await apiGet<Page<Wire<Deposit>>>(path('deposits'), { query: { ...params } }), depositFrom)
}

/** Every transfer touching the wallet, newest first, optionally of one reason. */
export async function transfersList(params: TransferListParams = {}): Promise<Page<WalletTransfer>> {
  return pageFrom(
    await apiGet<Page<Wire<WalletTransfer>>>(path('transfers'), { query: { ...params } }),
    transferFrom,
  )
}

/** The fee a withdrawal of `amountKoinu` would be charged, and the total held for it. */
export async function withdrawalQuoteGet(amountKoinu: bigint): Promise<WithdrawalQuote> {
  return quoteFrom(
    await apiGet<Wire<WithdrawalQuote>>(path('withdrawals/quote'), {
      query: { amount_koinu: amountKoinu },
    }),
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
    await apiPost<Wire<Withdrawal>>(
      path('withdrawals'),
      { address: request.address, amount_koinu: request.amount_koinu },
      { idempotencyKey },
    ),
  )
}

/** Withdrawals, newest first. */
export async function withdrawalsList(params: PageParams = {}): Promise<Page<Withdrawal>> {
  return pageFrom(
    await apiGet<Page<Wire<Withdrawal>>>(path('withdrawals'), { query: { ...params } }),
    withdrawalFrom,
  )
}

export async function withdrawalGet(withdrawalId: string): Promise<Withdrawal> {
  return withdrawalFrom(
    await apiGet<Wire<Withdrawal>>(path(`withdrawals/${encodeURIComponent(withdrawalId)}`)),
  )
}
