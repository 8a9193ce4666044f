import { describe, expect, it } from 'vitest'

import { ApiError } from '@/api/http'
import { koinuDecode } from '@/api/listingsSeller'
import {
  basisPointsText,
  finalValueFee,
  listingActions,
  sellFieldFromParam,
  timeLeftText,
  withSellFields,
} from '@/lib/sellText'

describe('finalValueFee', () => {
  it('takes the basis points of the price, rounded down to a whole koinu, exactly past 2^53', () => {
    expect(finalValueFee({ final_value_fee_bps: 500 }, 2_550_000_000n)).toBe(127_500_000n)
    expect(finalValueFee({ final_value_fee_bps: 333 }, 7n)).toBe(0n)
    expect(finalValueFee({ final_value_fee_bps: 500 }, 100_000_000_000_000_001n)).toBe(5_000_000_000_000_000n)
  })

  it('writes basis points as a percentage', () => {
    expect(basisPointsText(500)).toBe('5 %')
    expect(basisPointsText(250)).toBe('2.5 %')
    expect(basisPointsText(1)).toBe('0.01 %')
  })
})

describe('koinuDecode', () => {
  it('decodes every *_koinu string at any depth to bigint, and nothing else', () => {
    expect(
      koinuDecode({
        price_koinu: '9007199254740993',
        buy_it_now_koinu: null,
        title: '123',
        shipping_options: [{ service: 'Post', price_koinu: '0', ships_to: ['DE'] }],
        seller_view: { reserve_price_koinu: '5', view_count: 3 },
      }),
    ).toEqual({
      price_koinu: 9_007_199_254_740_993n,
      buy_it_now_koinu: null,
      title: '123',
      shipping_options: [{ service: 'Post', price_koinu: 0n, ships_to: ['DE'] }],
      seller_view: { reserve_price_koinu: 5n, view_count: 3 },
    })
  })

  it('refuses an amount that is not a string of digits', () => {
    expect(() => koinuDecode({ price_koinu: '1.5' })).toThrow('Expected koinu as a string of digits')
  })
})

describe('sellFieldFromParam', () => {
  it.each([
    ['title', 'title'],
    ['location', 'location_country'],
    ['location.postal_code', 'location_postal_code'],
    ['shipping_options.0.price_koinu', 'shipping_options'],
    ['item_specifics.2.name', 'item_specifics'],
  ])('%s → %s', (param, field) => {
    expect(sellFieldFromParam(param)).toBe(field)
  })

  it('renames the param of an ApiError on its way out', async () => {
    const refused = new ApiError(400, { type: 'invalid_request', code: 'invalid_field', message: 'Bad.', param: 'location.country' })
    await expect(withSellFields(() => Promise.reject(refused))).rejects.toMatchObject({
      status: 400,
      code: 'invalid_field',
      param: 'location_country',
    })
  })
})

describe('listingActions', () => {
  it('follows the listing rules: what each state allows', () => {
    expect(listingActions({ status: 'draft', format: 'auction', bid_count: 0 })).toEqual({
      canEdit: false,
      canContinueDraft: true,
      canEnd: false,
      canCancel: true,
      canChangeTiming: true,
      canChangePrices: true,
    })
    expect(listingActions({ status: 'active', format: 'auction', bid_count: 0 })).toMatchObject({
      canEdit: true,
      canEnd: true,
      canCancel: false,
      canChangeTiming: false,
      canChangePrices: true,
    })
    expect(listingActions({ status: 'active', format: 'auction', bid_count: 3 })).toMatchObject({
      canEnd: false,
      canChangePrices: false,
    })
    expect(listingActions({ status: 'scheduled', format: 'fixed_price', bid_count: 0 })).toMatchObject({
      canEdit: true,
      canCancel: true,
      canChangeTiming: true,
    })
    for (const status of ['ended', 'sold', 'cancelled', 'withdrawn'] as const) {
      expect(Object.values(listingActions({ status, format: 'auction', bid_count: 0 }))).toEqual([
        false, false, false, false, false, false,
      ])
    }
  })
})

describe('timeLeftText', () => {
  const now = new Date('2026-12-05T12:00:00Z')
  it.each([
    ['2026-12-05T11:59:00Z', 'Ending now'],
    ['2026-12-05T12:01:30Z', '1 minute left'],
    ['2026-12-05T12:45:00Z', '45 minutes left'],
    ['2026-12-05T17:00:00Z', '5 hours left'],
    ['2026-12-06T12:00:00Z', '1 day left'],
    ['2026-12-12T11:00:00Z', '6 days left'],
  ])('%s → %s', (endsAt, text) => {
    expect(timeLeftText(endsAt, now)).toBe(text)
  })
})
