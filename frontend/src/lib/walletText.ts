/**
 * Words for the wallet's codes: transfer reasons, deposit progress and withdrawal statuses.
 * wallet-service sends machine codes (`bid_hold`, `awaiting_approval`); people read these.
 */
import type { Deposit, WalletTransfer, Withdrawal, WithdrawalStatus } from '@/api/wallet'
import { t } from '@/i18n'

const REASON_LABELS: Readonly<Record<string, string>> = {
  deposit: t('walletText.deposit'),
  withdrawal: t('walletText.withdrawal'),
  bid_hold: t('walletText.bid'),
  order_escrow: t('walletText.orderPayment'),
  deposit_reversal: t('walletText.depositReversed'),
  expired: t('walletText.holdExpired'),
  network_fee: t('walletText.networkFee'),
}

/** The reason filters the history offers (null: everything). */
export const HISTORY_FILTERS: readonly { reason: string | null; label: string }[] = [
  { reason: null, label: t('walletText.allActivity') },
  { reason: 'deposit', label: t('walletText.deposits') },
  { reason: 'withdrawal', label: t('walletText.withdrawals') },
  { reason: 'bid_hold', label: t('walletText.bids') },
  { reason: 'order_escrow', label: t('walletText.orders') },
  { reason: 'deposit_reversal', label: t('walletText.reversedDeposits') },
]

/** "Deposit", "Bid"; an unknown code reads as words ("seller_payout" → "Seller payout"). */
export function reasonLabel(reason: string): string {
  const known = REASON_LABELS[reason]
  if (known !== undefined) {
    return known
  }
  const words = reason.replace(/_/g, ' ').trim()
  return words === '' ? t('walletText.transfer') : `${words.charAt(0).toUpperCase()}${words.slice(1)}`
}

/** What the held amount is made of, per reason: "Bids", "Withdrawals". */
export function heldReasonLabel(reason: string): string {
  switch (reason) {
    case 'bid_hold':
      return t('walletText.bids')
    case 'order_escrow':
      return t('walletText.orders')
    case 'withdrawal':
      return t('walletText.withdrawals')
    default:
      return reasonLabel(reason)
  }
}

/**
 * How a history row changes the wallet, from its `signed_amount_koinu`: `credit` (+), `debit`
 * (−), or `none` (a hold that was released or expired: nothing left the wallet).
 */
export type TransferEffect = 'credit' | 'debit' | 'none'

export function transferEffect(transfer: WalletTransfer): TransferEffect {
  if (transfer.signed_amount_koinu > 0n) {
    return 'credit'
  }
  return transfer.signed_amount_koinu < 0n ? 'debit' : 'none'
}

/** "Deposit", "Withdrawal" (a hold: its state is its badge), "Bid · paid from hold", "Bid · released". */
export function transferTitle(transfer: WalletTransfer): string {
  const label = reasonLabel(transfer.reason)
  switch (transfer.kind) {
    case 'pending':
      return label
    case 'post_pending':
      return t('walletText.paidFromHold', { label })
    case 'void_pending':
      return transfer.reason === 'expired' ? label : t('walletText.releasedFromHold', { label })
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
      return t('walletText.held')
    case 'posted':
      return t('walletText.paid')
    case 'voided':
      return t('walletText.released')
    case 'expired':
      return t('walletText.expired')
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
      return t('walletText.seenOnTheNetwork', deposit.required_confirmations)
    case 'confirming':
      return t('walletText.confirmingProgress', { confirmations: deposit.confirmations }, deposit.required_confirmations)
    case 'credited':
      return t('walletText.credited')
  }
}

export type StatusTone = 'neutral' | 'progress' | 'success' | 'warning' | 'danger'

export const WITHDRAWAL_STATUS: Readonly<Record<WithdrawalStatus, { label: string; tone: StatusTone }>> = {
  awaiting_approval: { label: t('walletText.awaitingApproval'), tone: 'warning' },
  approved: { label: t('walletText.queued'), tone: 'progress' },
  on_hold: { label: t('walletText.onHold'), tone: 'warning' },
  signed: { label: t('walletText.sending'), tone: 'progress' },
  broadcast: { label: t('walletText.sent'), tone: 'progress' },
  confirmed: { label: t('walletText.confirmed'), tone: 'success' },
  failed: { label: t('walletText.failed'), tone: 'danger' },
  rejected: { label: t('walletText.rejected'), tone: 'danger' },
}

/** A network name for people, and whether its coins are only for testing. */
/**
 * What a withdrawal address looks like on `network`, for the address field's placeholder: mainnet
 * addresses start with D, testnet and regtest ones with m or n. Null while the network is unknown.
 */
export function addressPlaceholder(network: string | null): string | null {
  if (network === null) {
    return null
  }
  return network === 'mainnet' ? t('walletText.addressPlaceholderMainnet') : t('walletText.addressPlaceholderTest')
}

export function networkNotice(network: string): string | null {
  switch (network) {
    case 'mainnet':
      return null
    case 'testnet':
      return t('walletText.dogecoinTestnetTestCoins')
    case 'regtest':
      return t('walletText.regtestNetworkTestCoins')
    default:
      return t('walletText.otherNetwork', { network })
  }
}

/**
 * Why a withdrawal ended without being paid, for its owner. The signer's own reason is technical
 * (spent inputs, the node's error) and is not repeated; staff's note on a rejection is.
 */
export function withdrawalEndedText(withdrawal: Pick<Withdrawal, 'status' | 'failure_reason'>): string | null {
  const refund = t('walletText.theAmountAndFee')
  if (withdrawal.status === 'failed') {
    return t('walletText.theTransactionCouldNot', { refund })
  }
  if (withdrawal.status === 'rejected') {
    const note = /^rejected by staff: (.+)$/s.exec(withdrawal.failure_reason ?? '')?.[1]?.trim()
    return note ? t('walletText.declinedByOurTeam', { note, refund }) : t('walletText.declinedByOurTeam2', { refund })
  }
  return null
}
