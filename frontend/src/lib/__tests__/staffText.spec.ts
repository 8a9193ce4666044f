import { describe, expect, it } from 'vitest'

import type { Reconciliation } from '@/api/walletStaff'

import {
  auditActionLabel,
  auditTargetText,
  reconciliationFindings,
  reconciliationTotals,
  reviewReasonText,
} from '../staffText'

const TX_A = 'aa'.repeat(32)
const TX_B = 'bb'.repeat(32)

function run(report: Record<string, unknown>, overrides: Partial<Reconciliation> = {}): Reconciliation {
  return { created_at: '2025-03-02T08:00:00Z', is_balanced: false, drift_koinu: 0n, report, ...overrides }
}

describe('auditActionLabel and auditTargetText', () => {
  it('names each staff action and what it was done to', () => {
    expect(auditActionLabel('withdrawal_approve')).toBe('Approved a withdrawal')
    expect(auditActionLabel('withdrawal_reject')).toBe('Rejected a withdrawal')
    expect(auditActionLabel('account_unfreeze')).toBe('Unfroze a wallet')
    expect(auditActionLabel('limit_raise')).toBe('Limit raise')

    expect(auditTargetText({ target_type: 'withdrawal', target_id: '0b7f4a52-2222-4e0d-8f3a-5b6c7d8e9f00' })).toBe(
      'Withdrawal 0b7f4a52…7d8e9f00',
    )
    expect(auditTargetText({ target_type: 'account', target_id: '6f1c2b7e-1111-4c3d-9e8f-0a1b2c3d4e5f' })).toBe(
      'Wallet of member 6f1c2b7e…2c3d4e5f',
    )
    expect(auditTargetText({ target_type: 'listing_flag', target_id: 'lst-1' })).toBe('Listing flag lst-1')
  })
})

describe('reviewReasonText', () => {
  it('says why a withdrawal waits', () => {
    expect(reviewReasonText({ status: 'awaiting_approval', review_note: '' })).toBe(
      'Above the amount that needs a staff approval.',
    )
    expect(
      reviewReasonText({
        status: 'on_hold',
        review_note: 'wallet frozen when the signer came to pay: deposit ab…:1 reorged out; 5 koinu spent',
      }),
    ).toBe('Held: the wallet was frozen when it was due to be sent (deposit ab…:1 reorged out; 5 koinu spent).')
    expect(reviewReasonText({ status: 'on_hold', review_note: 'wallet frozen when the signer came to pay: ' })).toBe(
      'Held: the wallet was frozen when it was due to be sent (no reason given).',
    )
    expect(reviewReasonText({ status: 'on_hold', review_note: '' })).toBe('Held for review.')
  })
})

describe('reconciliationFindings', () => {
  it('lists every finding in plain words, most serious first', () => {
    const findings = reconciliationFindings(
      run({
        in_flight: [
          { txid: TX_A, state: 'broadcast', is_mined: false, inputs_koinu: 1, fee_koinu: 1, withdrawals: 1 },
          { txid: TX_B, state: 'broadcast', is_mined: true, inputs_koinu: 1, fee_koinu: 1, withdrawals: 2 },
        ],
        missing_outputs: [
          { txid: TX_A, vout: 0, amount_koinu: 150000000, reason: `spent by ${TX_B}, which is not our transaction` },
          { txid: TX_B, vout: 2, amount_koinu: 100000000, reason: "not in the node's UTXO set" },
          { txid: TX_B, vout: 3, amount_koinu: 50000000, reason: 'the node says 40000000 koinu' },
        ],
        settled_not_in_best_chain: [
          { txid: TX_B, state: 'broadcast', block_hash: null, inputs_koinu: 1, change_koinu: 0, withdrawals: 1 },
        ],
        suspected_duplicate_withdrawals: [
          { user_id: '6f1c2b7e-1111-4c3d-9e8f-0a1b2c3d4e5f', address: 'mzBc4X', amount_koinu: 250000000, withdrawal_ids: ['a', 'b'] },
        ],
      }),
    )

    expect(findings).toEqual([
      {
        tone: 'danger',
        text: 'The ledger counts Ð 1.5 in output 0 of transaction aaaaaaaa…aaaaaaaa, but it was spent by a transaction that is not ours.',
      },
      {
        tone: 'danger',
        text: 'The ledger counts Ð 1 in output 2 of transaction bbbbbbbb…bbbbbbbb, but it is not on the chain as unspent.',
      },
      {
        tone: 'danger',
        text: 'The ledger counts Ð 0.5 in output 3 of transaction bbbbbbbb…bbbbbbbb, but the chain shows a different amount.',
      },
      {
        tone: 'danger',
        text: 'Transaction bbbbbbbb…bbbbbbbb paid out 1 withdrawal but is no longer in the main chain; it should be mined again.',
      },
      {
        tone: 'warning',
        text: 'Possible double withdrawal: member 6f1c2b7e…2c3d4e5f sent Ð 2.5 to mzBc4X 2 times within a day.',
      },
      { tone: 'neutral', text: 'Transaction aaaaaaaa…aaaaaaaa (1 withdrawal) is sent and waiting for a block.' },
      { tone: 'neutral', text: 'Transaction bbbbbbbb…bbbbbbbb (2 withdrawals) is mined and waiting for confirmations.' },
    ])
  })

  it('has nothing to say about a clean run, and one sentence about a run that failed', () => {
    expect(reconciliationFindings(run({ in_flight: [], missing_outputs: [] }))).toEqual([])
    expect(reconciliationFindings(run({ error: 'RpcError: connection refused' }, { drift_koinu: null }))).toEqual([
      { tone: 'danger', text: 'The check could not finish, so nothing is known about this run.' },
    ])
  })
})

describe('reconciliationTotals', () => {
  it('gives the ledger’s and the chain’s figures in DOGE', () => {
    expect(
      reconciliationTotals(
        run({ ledger_custody_koinu: 1250000000, chain_outputs_koinu: 1000000000, chain_output_count: 1, mined_unsettled_koinu: 250000000 }),
      ),
    ).toEqual([
      { label: 'The ledger says we hold', value: 'Ð 12.5' },
      { label: 'On chain, in 1 output', value: 'Ð 10' },
      { label: 'Paid out, not yet confirmed', value: 'Ð 2.5' },
    ])
    expect(reconciliationTotals(run({ error: 'x' }))).toEqual([])
  })
})
