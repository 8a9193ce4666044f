import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'

import BaseMoney from '../BaseMoney.vue'

describe('BaseMoney', () => {
  it.each([
    [150_000_000n, 'Ð 1.5 DOGE'],
    [100_000_000n, 'Ð 1 DOGE'],
    [1n, 'Ð 0.00000001 DOGE'],
    [123_456_789_012_345_678_901n, 'Ð 1,234,567,890,123.45678901 DOGE'],
    [-150_000_000n, '−Ð 1.5 DOGE'],
  ])('shows %s koinu as %j', (koinu, expected) => {
    const wrapper = mount(BaseMoney, { props: { koinu } })

    expect(wrapper.text().replaceAll('\u00a0', ' ')).toBe(expected)
    expect(wrapper.get('data').attributes('value')).toBe(koinu.toString())
  })

  it('shows all eight decimals when exact', () => {
    const wrapper = mount(BaseMoney, { props: { koinu: 150_000_000n, isExact: true } })

    expect(wrapper.text().replaceAll('\u00a0', ' ')).toBe('Ð 1.50000000 DOGE')
  })

  it('hides the Ð sign from screen readers and names the currency for them', () => {
    const wrapper = mount(BaseMoney, { props: { koinu: 150_000_000n } })

    expect(wrapper.get('[aria-hidden="true"]').text()).toBe('Ð')
    expect(wrapper.get('.sr-only').text()).toBe('DOGE')
  })
})
