import { describe, expect, it } from 'vitest'

import { listingDetailWire } from '@/__tests__/listingFixtures'

import { listingDetailFrom } from '../listings'

describe('listingDetailFrom', () => {
  it('decodes every amount to bigint koinu, the current price included', () => {
    const listing = listingDetailFrom(listingDetailWire({ current_price_koinu: '1750000000' }))

    expect([listing.price_koinu, listing.current_price_koinu, listing.buy_it_now_koinu, listing.lowest_shipping_koinu]).toEqual([
      1_500_000_000n,
      1_750_000_000n,
      9_000_000_000n,
      250_000_000n,
    ])
  })

  it('reads a listing from a listing-service that does not send the current price yet as null', () => {
    const older: Partial<ReturnType<typeof listingDetailWire>> = listingDetailWire()
    delete older.current_price_koinu

    expect(listingDetailFrom(older as ReturnType<typeof listingDetailWire>).current_price_koinu).toBeNull()
  })
})
