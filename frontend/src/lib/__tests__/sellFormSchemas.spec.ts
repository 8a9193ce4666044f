import { describe, expect, it } from 'vitest'

import { sellDetailsSchema, sellPriceSchema, sellShippingSchema, type SellPriceInput } from '@/lib/formSchemas'

const PRICE: SellPriceInput = {
  format: 'auction',
  start_price_koinu: '10',
  reserve_price_koinu: '',
  buy_it_now_koinu: '25.5',
  price_koinu: '',
  quantity: '1',
  ending: 'duration',
  duration_days: '7',
  end_time: '',
  is_scheduled: false,
  scheduled_start_at: '',
}

function issues(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  return (result.error?.issues ?? []).map((issue) => [issue.path.join('.'), issue.message])
}

describe('sellDetailsSchema', () => {
  it('reports every missing field at once', () => {
    const result = sellDetailsSchema.safeParse({ title: ' ', condition: '', description: '', item_specifics: [] })

    expect(issues(result)).toEqual([
      ['title', 'Enter a title.'],
      ['condition', 'Choose the item\'s condition.'],
      ['description', 'Describe the item.'],
    ])
  })

  it('skips rows without a value, trims the rest, and refuses a value without a name and repeated names', () => {
    const ok = sellDetailsSchema.parse({
      title: ' Camera ',
      condition: 'good',
      description: 'Fine.',
      item_specifics: [
        { name: ' Brand ', value: 'Canon ' },
        { name: 'Model', value: ' ' },
        { name: '', value: '' },
      ],
    })
    expect(ok).toEqual({ title: 'Camera', condition: 'good', description: 'Fine.', item_specifics: [{ name: 'Brand', value: 'Canon' }] })

    const bad = sellDetailsSchema.safeParse({
      title: 'Camera',
      condition: 'good',
      description: 'Fine.',
      item_specifics: [
        { name: '', value: 'Black' },
        { name: 'Brand', value: 'Canon' },
        { name: 'brand', value: 'Nikon' },
      ],
    })
    expect(issues(bad)).toEqual([
      [
        'item_specifics',
        'Give the item specific “Black” a name, such as Brand or Colour. “brand” is listed twice.',
      ],
    ])
  })

  it('keeps the title to 80 characters', () => {
    const result = sellDetailsSchema.safeParse({ title: 'x'.repeat(81), condition: 'new', description: 'd', item_specifics: [] })
    expect(issues(result)).toEqual([['title', 'Keep the title to 80 characters or fewer.']])
  })
})

describe('sellPriceSchema', () => {
  it('reads DOGE exactly into koinu and leaves the fixed-price fields out of an auction', () => {
    expect(sellPriceSchema.parse({ ...PRICE, start_price_koinu: '0.1', buy_it_now_koinu: '90071992.54740993' })).toEqual({
      format: 'auction',
      start_price_koinu: 10_000_000n,
      reserve_price_koinu: null,
      buy_it_now_koinu: 9_007_199_254_740_993n,
      price_koinu: null,
      quantity: 1,
      duration_days: 7,
      end_time: null,
      scheduled_start_at: null,
    })
  })

  it('reports every price problem at once', () => {
    const result = sellPriceSchema.safeParse({
      ...PRICE,
      start_price_koinu: 'ten',
      reserve_price_koinu: '0.000000001',
      buy_it_now_koinu: '-3',
      duration_days: '',
    })
    expect(issues(result)).toEqual([
      ['start_price_koinu', 'Enter the price as a number of DOGE, for example 12.5.'],
      ['reserve_price_koinu', 'DOGE amounts have at most 8 decimal places.'],
      ['buy_it_now_koinu', 'A price cannot be negative.'],
      ['duration_days', 'Choose how long the auction runs.'],
    ])
  })

  it('checks the reserve and Buy It Now against the start price, as listing-service does', () => {
    const result = sellPriceSchema.safeParse({ ...PRICE, start_price_koinu: '10', reserve_price_koinu: '5', buy_it_now_koinu: '8' })
    expect(issues(result)).toEqual([
      ['reserve_price_koinu', 'The reserve price must be at least the start price.'],
      ['buy_it_now_koinu', 'The Buy It Now price must be at least the start price.'],
    ])
  })

  it('takes a fixed price with a quantity, and no duration (open until sold out)', () => {
    expect(
      sellPriceSchema.parse({ ...PRICE, format: 'fixed_price', price_koinu: '3', quantity: '12', duration_days: '' }),
    ).toMatchObject({ format: 'fixed_price', price_koinu: 300_000_000n, quantity: 12, duration_days: null, start_price_koinu: null })
    const bad = sellPriceSchema.safeParse({ ...PRICE, format: 'fixed_price', price_koinu: '0', quantity: '10001' })
    expect(issues(bad)).toEqual([
      ['price_koinu', 'The price must be more than zero.'],
      ['quantity', 'Enter a whole number of items from 1 to 10000.'],
    ])
  })

  it('refuses a scheduled start in the past and an end time under an hour away', () => {
    const result = sellPriceSchema.safeParse({
      ...PRICE,
      is_scheduled: true,
      scheduled_start_at: '2020-01-01T10:00',
      ending: 'end_time',
      end_time: new Date(Date.now() + 10 * 60_000).toISOString(),
    })
    expect(issues(result)).toEqual([
      ['scheduled_start_at', 'The start time has to be in the future.'],
      ['end_time', 'The listing has to run for at least an hour.'],
    ])
  })
})

describe('sellShippingSchema', () => {
  it('builds the API shape: koinu prices, country codes upper case, a location', () => {
    expect(
      sellShippingSchema.parse({
        shipping_options: [
          { service: ' Standard post ', price_koinu: '2.5', ships_to: 'de, at fr' },
          { service: '', price_koinu: '', ships_to: '' },
        ],
        local_pickup: true,
        location_country: 'de',
        location_city: 'Berlin',
        location_postal_code: '',
      }),
    ).toEqual({
      shipping_options: [{ service: 'Standard post', price_koinu: 250_000_000n, ships_to: ['DE', 'AT', 'FR'] }],
      local_pickup: true,
      location: { country: 'DE', city: 'Berlin', postal_code: '' },
    })
  })

  it('reports every problem at once', () => {
    const result = sellShippingSchema.safeParse({
      shipping_options: [{ service: 'Post', price_koinu: 'x', ships_to: 'WORLDWIDE, DE' }],
      local_pickup: false,
      location_country: 'Germany',
      location_city: '',
      location_postal_code: '',
    })
    expect(issues(result)).toEqual([
      [
        'shipping_options',
        'Shipping option 1: enter the price as a number of DOGE (0 for free shipping). Shipping option 1: ships to takes two-letter country codes such as US, GB, DE, or WORLDWIDE alone.',
      ],
      ['location_country', 'Enter the two-letter country code, for example US or DE.'],
      ['location_city', 'Enter the city or the postal code.'],
    ])
  })

  it('needs a shipping option or local pickup', () => {
    const result = sellShippingSchema.safeParse({
      shipping_options: [],
      local_pickup: false,
      location_country: 'US',
      location_city: '',
      location_postal_code: '10001',
    })
    expect(issues(result)).toEqual([['shipping_options', 'Add a shipping option or offer local pickup.']])
  })
})
