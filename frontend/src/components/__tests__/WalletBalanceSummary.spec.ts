import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'

import { blockText } from '@/__tests__/mountPage'
import type { WalletBalance } from '@/api/wallet'

import WalletBalanceSummary from '../WalletBalanceSummary.vue'

const BALANCE: WalletBalance = {
  user_id: 'u-1',
  available_koinu: 123_456_789_000n,
  held_koinu: 701_000_000n,
  incoming_koinu: 250_000_000n,
  is_frozen: false,
  held_by_reason: [
    { reason: 'bid_hold', amount_koinu: 500_000_000n },
    { reason: 'withdrawal', amount_koinu: 201_000_000n },
  ],
  holds: [],
}

function amounts(wrapper: ReturnType<typeof mount>): (string | undefined)[] {
  return ['available', 'held', 'incoming'].map((name) =>
    wrapper.get(`[data-testid="balance-${name}"] data`).attributes('value'),
  )
}

describe('WalletBalanceSummary', () => {
  it('shows the three balances exactly, and what the held amount is made of', () => {
    const wrapper = mount(WalletBalanceSummary, { props: { balance: BALANCE } })

    expect(wrapper.findAll('h3').map((heading) => heading.text())).toEqual(['Available', 'Held', 'Incoming'])
    expect(amounts(wrapper)).toEqual(['123456789000', '701000000', '250000000'])
    expect(wrapper.get('[data-testid="balance-available"]').text().replace(/\s+/g, ' ')).toBe('Ð 1,234.56789 DOGE')
    expect(
      wrapper.findAll('ul[aria-label="Held for"] li').map((item) => blockText(item.element)),
    ).toEqual(['Bids Ð 5 DOGE', 'Withdrawals Ð 2.01 DOGE'])
  })

  it('says nothing is held when nothing is', () => {
    const wrapper = mount(WalletBalanceSummary, {
      props: { balance: { ...BALANCE, held_koinu: 0n, held_by_reason: [] } },
    })

    expect(wrapper.find('ul[aria-label="Held for"]').exists()).toBe(false)
    expect(wrapper.text()).toContain('Nothing is held now.')
  })
})
