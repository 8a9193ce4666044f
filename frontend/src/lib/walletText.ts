/**
 * Words for the wallet's codes: transfer reasons, deposit progress and withdrawal statuses.
 * wallet-service sends machine codes (`bid_hold`, `awaiting_approval`); people read these.
 */
import type { Deposit, WalletTransfer, Withdrawal, WithdrawalStatus } from '@/api/wallet'

const REASON_LABELS: Readonly<Record<string, string>> = {
  deposit: 'Deposit',
  withdrawal: 'Withdrawal',
  bid_hold: 'Bid',
  order_escrow: 'Order payment',
  deposit_reversal: 'Deposit reversed',
  expired: 'Hold expired',
  network_fee: 'Network fee',
}

/** The reason filters the history offers (null: everything). */
export const HISTORY_FILTERS: readonly { reason: string | null; label: string }[] = [
  { reason: null, label: 'All activity' },
  { reason: 'deposit', label: 'Deposits' },
  { reason: 'withdrawal', label: 'Withdrawals' },
  { reason: 'bid_hold', label: 'Bids' },
  { reason: 'order_escrow', label: 'Orders' },
  { reason: 'deposit_reversal', label: 'Reversed deposits' },
]

/** "Deposit", "Bid"; an unknown code reads as words ("seller_payout" → "Seller payout"). */
export function reasonLabel(reason: string): string {
  const known = REASON_LABELS[reason]
  if (known !== undefined) {
    return known
  }
  const words = reason.replace(/_/g, ' ').trim()
  return words === '' ? 'Transfer' : `${words.charAt(0).toUpperCase()}${words.slice(1)}`
}

/** What the held amount is made of, per reason: "Bids", "Withdrawals". */
export function heldReasonLabel(reason: string): string {
  switch (reason) {
    case 'bid_hold':
      return 'Bids'
    case 'order_escrow':
      return 'Orders'
    case 'withdrawal':
      return 'Withdrawals'
    default:
      return reasonLabel(reason)
  }
}

/**
 * How a history row changes the available balance: `credit` (+), `debit` (−), or `none` for the
 * post of a hold (the amount already left the available balance when it was held).
 */
export type TransferEffect = 'credit' | 'debit' | 'none'

export function transferEffect(transfer: WalletTransfer): TransferEffect {
  switch (transfer.kind) {
    case 'pending':
      return 'debit'
    case 'post_pending':
      return 'none'
    case 'void_pending':
      return 'credit'
    case 'single':
      return transfer.direction === 'in' ? 'credit' : 'debit'
  }
}

/** "Deposit", "Withdrawal · held", "Bid · paid from hold", "Bid · released". */
export function transferTitle(transfer: WalletTransfer): string {
  const label = reasonLabel(transfer.reason)
  switch (transfer.kind) {
    case 'pending':
      return `${label} · held`
    case 'post_pending':
      return `${label} · paid from hold`
    case 'void_pending':
      return transfer.reason === 'expired' ? label : `${label} · released`
    case 'single':
      return label
  }
}

/** For a hold: what became of it. Null for other transfers, which are simply done. */
export function holdStatusLabel(transfer: WalletTransfer): string | null {
  if (transfer.kind !== 'pending') {
    return null
  }
  switch (transfer.status) {
    case 'pending':
      return 'Held'
    case 'posted':
      return 'Paid'
    case 'voided':
      return 'Released'
    case 'expired':
      return 'Expired'
  }
}

/** "abcdef12…90abcdef": long ids (txids, addresses) shortened for a list. */
export function shortenMiddle(text: string, keep = 8): string {
  return text.length <= keep * 2 + 1 ? text : `${text.slice(0, keep)}…${text.slice(-keep)}`
}

/** "Seen on the network, waiting for a block", "2 of 6 confirmations", "Credited". */
export function depositProgressText(deposit: Deposit): string {
  switch (deposit.status) {
    case 'pending':
      return `Seen on the network · 0 of ${deposit.required_confirmations} ${confirmationsWord(deposit.required_confirmations)}`
    case 'confirming':
      return `${deposit.confirmations} of ${deposit.required_confirmations} ${confirmationsWord(deposit.required_confirmations)}`
    case 'credited':
      return 'Credited'
  }
}

function confirmationsWord(count: number): string {
  return count === 1 ? 'confirmation' : 'confirmations'
}

export type StatusTone = 'neutral' | 'progress' | 'success' | 'warning' | 'danger'

export const WITHDRAWAL_STATUS: Readonly<Record<WithdrawalStatus, { label: string; tone: StatusTone }>> = {
  awaiting_approval: { label: 'Awaiting approval', tone: 'warning' },
  approved: { label: 'Queued', tone: 'progress' },
  signed: { label: 'Sending', tone: 'progress' },
  broadcast: { label: 'Sent', tone: 'progress' },
  confirmed: { label: 'Confirmed', tone: 'success' },
  failed: { label: 'Failed', tone: 'danger' },
  rejected: { label: 'Rejected', tone: 'danger' },
}

/** A network name for people, and whether its coins are only for testing. */
export function networkNotice(network: string): string | null {
  switch (network) {
    case 'mainnet':
      return null
    case 'testnet':
      return 'Dogecoin testnet: test coins only'
    case 'regtest':
      return 'Regtest network: test coins only'
    default:
      return `${network} network`
  }
}

/**
 * Why a withdrawal ended without being paid, for its owner. The signer's own reason is technical
 * (spent inputs, the node's error) and is not repeated; staff's note on a rejection is.
 */
export function withdrawalEndedText(withdrawal: Pick<Withdrawal, 'status' | 'failure_reason'>): string | null {
  const refund = 'The amount and fee are back in your available balance.'
  if (withdrawal.status === 'failed') {
    return `The transaction could not be completed on the network. ${refund}`
  }
  if (withdrawal.status === 'rejected') {
    const note = /^rejected by staff: (.+)$/s.exec(withdrawal.failure_reason ?? '')?.[1]?.trim()
    return note ? `Declined by our team: “${note}” ${refund}` : `Declined by our team. ${refund}`
  }
  return null
}
