import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { tokensFor } from '@/__tests__/fixtures'
import { alertTexts, blockText, mountPage } from '@/__tests__/mountPage'
import { reconciliationWire, STAFF_USER } from '@/__tests__/staffFixtures'
import { useSessionStore } from '@/stores/useSessionStore'

import StaffReconciliation from '../StaffReconciliation.vue'

const RECONCILIATION = 'GET /api/v1/wallet/staff/reconciliation'

let api: FakeApi
let wrapper: VueWrapper

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(new Date('2025-03-02T08:05:00Z'))
  api = installFakeApi({ [RECONCILIATION]: () => jsonResponse(200, reconciliationWire()) })
})

afterEach(() => {
  wrapper.unmount()
  vi.useRealTimers()
})

async function mountReport(): Promise<void> {
  const mounted = await mountPage(StaffReconciliation, {
    beforeNavigation: () => useSessionStore().sessionStart(tokensFor(STAFF_USER, 'staff-token')),
  })
  wrapper = mounted.wrapper
  await flushPromises()
}

function summary() {
  return {
    status: blockText(wrapper.get('[data-testid="reconciliation-status"]').element),
    verdict: wrapper.get('[data-testid="reconciliation-status"] + p').text().replace(/\s+/g, ' '),
    totals: wrapper.findAll('dl > div').map((card) => [card.get('dt').text(), card.get('dd').text()]),
    findings: wrapper.findAll('ul[aria-label="Findings"] > li').map((item) => item.text()),
  }
}

describe('StaffReconciliation', () => {
  it('shows a balanced run: when, that ledger and chain agree, the figures, nothing to look into', async () => {
    await mountReport()

    expect(api.requests.map((request) => request.url)).toEqual(['/api/v1/wallet/staff/reconciliation'])
    expect(summary()).toEqual({
      status: 'Balanced Last run 5 minutes ago (2 Mar 2025, 08:00)',
      verdict: 'The ledger and the chain agree to the koinu.',
      totals: [
        ['The ledger says we hold', 'Ð 12.5'],
        ['On chain, in 3 outputs', 'Ð 12.5'],
        ['Paid out, not yet confirmed', 'Ð 0'],
      ],
      findings: [],
    })
    expect(wrapper.text()).toContain('Nothing to look into.')
  })

  it('shows a run with drift and each finding in plain words', async () => {
    api.on(RECONCILIATION, () =>
      jsonResponse(
        200,
        reconciliationWire(
          { is_balanced: false, drift_koinu: '150000000' },
          {
            chain_outputs_koinu: 1100000000,
            chain_output_count: 2,
            drift_koinu: 150000000,
            missing_outputs: [
              { txid: 'ab'.repeat(32), vout: 1, amount_koinu: 150000000, reason: "not in the node's UTXO set" },
            ],
          },
        ),
      ),
    )
    await mountReport()

    expect(summary()).toEqual({
      status: 'Needs attention Last run 5 minutes ago (2 Mar 2025, 08:00)',
      verdict: 'The ledger counts Ð 1.5 DOGE more than the chain holds.',
      totals: [
        ['The ledger says we hold', 'Ð 12.5'],
        ['On chain, in 2 outputs', 'Ð 11'],
        ['Paid out, not yet confirmed', 'Ð 0'],
      ],
      findings: [
        'The ledger counts Ð 1.5 in output 1 of transaction abababab…abababab, but it is not on the chain as unspent.',
      ],
    })
  })

  it('says the chain holds more when the drift is negative, and that a failed run says nothing', async () => {
    api.on(RECONCILIATION, () => jsonResponse(200, reconciliationWire({ is_balanced: false, drift_koinu: '-100000000' })))
    await mountReport()
    expect(summary().verdict).toBe('The chain holds Ð 1 DOGE more than the ledger counts.')
    wrapper.unmount()

    api.on(RECONCILIATION, () =>
      jsonResponse(200, { created_at: '2025-03-02T08:00:00Z', is_balanced: false, drift_koinu: null, report: { error: 'ChainMoved' } }),
    )
    await mountReport()
    expect(summary()).toEqual({
      status: 'Needs attention Last run 5 minutes ago (2 Mar 2025, 08:00)',
      verdict: 'The last run could not finish (the node or the database did not answer): it is tried again at the next run.',
      totals: [],
      findings: ['The check could not finish, so nothing is known about this run.'],
    })
  })

  it('says when no run has happened yet, reads again on request, and shows an error in plain words', async () => {
    api.on(RECONCILIATION, () =>
      errorResponse(404, { code: 'reconciliation_not_found', message: 'No reconciliation has run yet.' }),
    )
    await mountReport()
    expect(wrapper.text()).toContain('No reconciliation has run yet.')
    expect(alertTexts(wrapper)).toEqual([])

    api.on(RECONCILIATION, () => jsonResponse(200, reconciliationWire()))
    await wrapper.findAll('button').find((button) => button.text() === 'Check for a newer run')?.trigger('click')
    await flushPromises()
    expect(api.requestsTo(RECONCILIATION)).toHaveLength(2)
    expect(summary().status).toBe('Balanced Last run 5 minutes ago (2 Mar 2025, 08:00)')
    wrapper.unmount()

    api.on(RECONCILIATION, () => errorResponse(403, { code: 'missing_role' }))
    await mountReport()
    expect(alertTexts(wrapper)).toEqual([
      'The reconciliation report didn’t load This needs a dBay staff account. If you were given the staff role just now, sign out and sign in again.',
    ])
  })
})
