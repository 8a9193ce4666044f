import { describe, expect, it } from 'vitest'

import type { Deposit, WalletTransfer } from '@/api/wallet'

import {
  depositProgressText,
  heldReasonLabel,
  holdStatusLabel,
  addressPlaceholder,
  networkNotice,
  reasonLabel,
  shortenMiddle,
  transferEffect,
  transferTitle,
  withdrawalEndedText,
} from '../walletText'

const DEPOSIT: Deposit = {
  id: 'dep-1',
  address: 'addr',
  txid: 'tx',
  vout: 0,
  amount_koinu: 1n,
  status: 'pending',
  confirmations: 0,
  required_confirmations: 20,
  block_height: null,
  first_seen_at: '2025-03-01T12:00:00Z',
  credited_at: null,
}

const TRANSFER: WalletTransfer = {
  id: 'trf-1',
  kind: 'single',
  direction: 'out',
  amount_koinu: 1n,
  signed_amount_koinu: -1n,
  status: 'posted',
  reason: 'order_escrow',
  reference: {},
  counterparty: 'order_escrow',
  pending_id: null,
  created_at: '2025-03-01T12:00:00Z',
}

describe('walletText', () => {
  it('names reasons, and reads an unknown code as words', () => {
    expect(['deposit', 'withdrawal', 'bid_hold', 'order_escrow', 'deposit_reversal', 'seller_payout', ''].map(reasonLabel)).toEqual([
      'Deposit',
      'Withdrawal',
      'Bid',
      'Order payment',
      'Deposit reversed',
      'Seller payout',
      'Transfer',
    ])
    expect(['bid_hold', 'order_escrow', 'withdrawal', 'auction_fee'].map(heldReasonLabel)).toEqual([
      'Bids',
      'Orders',
      'Withdrawals',
      'Auction fee',
    ])
  })

  it.each([
    [{ kind: 'single', direction: 'in', signed: '1' }, 'credit', 'Order payment', null],
    [{ kind: 'single', direction: 'out', signed: '-1' }, 'debit', 'Order payment', null],
    [{ kind: 'pending', status: 'pending', signed: '-1' }, 'debit', 'Order payment', 'Held'],
    [{ kind: 'pending', status: 'posted', signed: '-1' }, 'debit', 'Order payment', 'Paid'],
    [{ kind: 'pending', status: 'voided', signed: '0' }, 'none', 'Order payment', 'Released'],
    [{ kind: 'pending', status: 'expired', signed: '0' }, 'none', 'Order payment', 'Expired'],
    [{ kind: 'post_pending', signed: '-1' }, 'debit', 'Order payment · paid from hold', null],
    [{ kind: 'void_pending', signed: '0' }, 'none', 'Order payment · released', null],
    [{ kind: 'void_pending', reason: 'expired', signed: '0' }, 'none', 'Hold expired', null],
  ] as const)('describes %j', (fields, effect, title, holdStatus) => {
    const { signed, ...rest } = fields
    const transfer = { ...TRANSFER, ...rest, signed_amount_koinu: BigInt(signed) }

    expect([transferEffect(transfer), transferTitle(transfer), holdStatusLabel(transfer)]).toEqual([
      effect,
      title,
      holdStatus,
    ])
  })

  it('says how far a deposit is', () => {
    expect(depositProgressText(DEPOSIT)).toBe('Seen on the network · 0 of 20 confirmations')
    expect(depositProgressText({ ...DEPOSIT, status: 'confirming', confirmations: 19, block_height: 5 })).toBe(
      '19 of 20 confirmations',
    )
    expect(depositProgressText({ ...DEPOSIT, status: 'credited', confirmations: 20, block_height: 5 })).toBe(
      'Credited',
    )
  })

  it('shortens long ids in the middle and leaves short ones alone', () => {
    expect(shortenMiddle('0123456789abcdef0123456789abcdef')).toBe('01234567…89abcdef')
    expect(shortenMiddle('0123456789abcdefg')).toBe('0123456789abcdefg')
  })

  it('shows what an address looks like on the network: D on mainnet, m or n on the test networks', () => {
    expect(['mainnet', 'testnet', 'regtest', null].map(addressPlaceholder)).toEqual([
      'D…',
      'm… or n…',
      'm… or n…',
      null,
    ])
  })

  it('names test networks and says nothing for mainnet', () => {
    expect(['mainnet', 'testnet', 'regtest', 'signet'].map(networkNotice)).toEqual([
      null,
      'Dogecoin testnet: test coins only',
      'Regtest network: test coins only',
      'signet network',
    ])
  })

  it('explains a withdrawal that ended unpaid, with staff’s note but not the signer’s internals', () => {
    expect(withdrawalEndedText({ status: 'failed', failure_reason: 'inputs spent by another transaction (abc)' })).toBe(
      'The transaction could not be completed on the network. The amount and fee are back in your available balance.',
    )
    expect(withdrawalEndedText({ status: 'rejected', failure_reason: 'rejected by staff' })).toBe(
      'Declined by our team. The amount and fee are back in your available balance.',
    )
    expect(withdrawalEndedText({ status: 'confirmed', failure_reason: null })).toBeNull()
  })
})
