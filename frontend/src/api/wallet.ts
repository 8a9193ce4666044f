/**
 * wallet-service: balances from the double-entry ledger, deposit addresses, deposits and
 * withdrawals.
 *
 * Placeholder until the wallet-service issue lands: only the base path and the shapes of the
 * resources the design brief names. Amounts are bigint koinu, decoded with parseKoinu.
 */
import type { IsoDateTime } from './http'

export const WALLET_BASE_PATH = '/api/v1/wallet/'

/** The three balances shown everywhere. */
export interface WalletBalance {
  /** Spendable now. */
  available_koinu: bigint
  /** Reserved by open bids, unpaid orders and pending withdrawals. */
  held_koinu: bigint
  /** Deposits seen on chain that do not yet have enough confirmations. */
  incoming_koinu: bigint
}

/** The user's own Dogecoin deposit address; never shared with another user. */
export interface DepositAddress {
  address: string
  created_at: IsoDateTime
}

export type DepositStatus = 'pending' | 'confirmed' | 'reversed'

export interface Deposit {
  id: string
  txid: string
  vout: number
  amount_koinu: bigint
  confirmations: number
  status: DepositStatus
  created_at: IsoDateTime
}

export type WithdrawalStatus = 'requested' | 'signed' | 'broadcast' | 'confirmed' | 'failed'

export interface Withdrawal {
  id: string
  to_address: string
  amount_koinu: bigint
  network_fee_koinu: bigint
  status: WithdrawalStatus
  txid: string | null
  created_at: IsoDateTime
}
