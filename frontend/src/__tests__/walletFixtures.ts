/**
 * wallet-service answers as they come over the wire (amounts as strings of digits), for the
 * client, store and component tests. Ids and addresses look like the real ones.
 */

export const DEPOSIT_ADDRESS = 'mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn'
export const NEW_DEPOSIT_ADDRESS = 'n3GNqMveyvaPvUbH469vDRadqpJMPc84JA'
export const DESTINATION_ADDRESS = 'mzBc4XEFSdzCDcTxAgf6EZXgsZWpztRhef'
export const TXID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90'
export const WITHDRAWAL_TXID = 'ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100'

export const ADDRESS_WIRE = {
  address: DEPOSIT_ADDRESS,
  uri: `dogecoin:${DEPOSIT_ADDRESS}`,
  network: 'regtest',
  created_at: '2025-03-01T10:00:00Z',
}

/** 5 DOGE available, 2.01 DOGE held by a withdrawal, 2.5 DOGE incoming. */
export function balanceWire(overrides: Record<string, unknown> = {}) {
  return {
    user_id: '6f1c2b7e-1111-4c3d-9e8f-0a1b2c3d4e5f',
    available_koinu: '500000000',
    available: '5.00000000',
    held_koinu: '201000000',
    held: '2.01000000',
    incoming_koinu: '250000000',
    incoming: '2.50000000',
    is_frozen: false,
    held_by_reason: [{ reason: 'withdrawal', amount_koinu: '201000000', amount: '2.01000000' }],
    holds: [
      {
        hold_id: '0b7f4a52-2222-4e0d-8f3a-5b6c7d8e9f00',
        amount_koinu: '201000000',
        amount: '2.01000000',
        reason: 'withdrawal',
        reference: { withdrawal_id: 'wd-1', address: DESTINATION_ADDRESS },
        holding_account: 'withdrawals_in_flight',
        created_at: '2025-03-01T11:00:00Z',
        expires_at: null,
      },
    ],
    ...overrides,
  }
}

export function depositWire(overrides: Record<string, unknown> = {}) {
  return {
    id: 'dep-1',
    address: DEPOSIT_ADDRESS,
    txid: TXID,
    vout: 1,
    amount_koinu: '250000000',
    status: 'pending',
    confirmations: 0,
    required_confirmations: 6,
    block_height: null,
    first_seen_at: '2025-03-01T12:00:00Z',
    credited_at: null,
    ...overrides,
  }
}

export function transferWire(overrides: Record<string, unknown> = {}) {
  const transfer = {
    id: 'trf-1',
    kind: 'single',
    direction: 'in',
    amount_koinu: '700000000',
    amount: '7.00000000',
    status: 'posted',
    reason: 'deposit',
    reference: { txid: TXID, vout: 1, credit_number: 1 },
    counterparty: 'custody',
    pending_id: null,
    created_at: '2025-03-01T10:30:00Z',
    ...overrides,
  }
  return { signed_amount_koinu: signedAmountOf(transfer), ...transfer }
}

/** wallet-service's `signed_amount_koinu`: the row's effect on the wallet, each koinu on one row. */
function signedAmountOf(transfer: { kind: unknown; direction: unknown; status: unknown; amount_koinu: unknown }): string {
  const amount = String(transfer.amount_koinu)
  switch (transfer.kind) {
    case 'pending':
      return transfer.status === 'pending' ? `-${amount}` : '0'
    case 'post_pending':
      return `-${amount}`
    case 'void_pending':
      return '0'
    default:
      return transfer.direction === 'in' ? amount : `-${amount}`
  }
}

export function withdrawalWire(overrides: Record<string, unknown> = {}) {
  return {
    id: 'wd-1',
    address: DESTINATION_ADDRESS,
    amount_koinu: '200000000',
    fee_koinu: '1000000',
    status: 'approved',
    txid: null,
    confirmations: 0,
    created_at: '2025-03-01T11:00:00Z',
    failure_reason: null,
    ...overrides,
  }
}

/** 2 DOGE, fee 0.01 DOGE (226 bytes at 0.01 DOGE per started kB). */
export function quoteWire(amountKoinu = '200000000', feeKoinu = '1000000') {
  return {
    amount_koinu: amountKoinu,
    fee_koinu: feeKoinu,
    total_koinu: (BigInt(amountKoinu) + BigInt(feeKoinu)).toString(),
    estimated_size_bytes: 226,
    fee_per_kb_koinu: '1000000',
  }
}

export function page<T>(data: T[], hasMore = false) {
  return { data, has_more: hasMore }
}
