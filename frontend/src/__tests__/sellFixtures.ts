/**
 * listing-service answers for the seller's pages, as they come over the wire (amounts as digit
 * strings): a draft, a listing with its seller view, categories and fees.
 */
import type { components } from '@/api/generated/listing-service'

type Schemas = components['schemas']

export const LISTING_ID = '0b7c3a52-5f2e-4c4f-9d43-1c2b3a4d5e6f'

export const CATEGORIES_WIRE: Schemas['CategoryTree'] = {
  data: [
    {
      id: 'cameras-photo',
      name: 'Cameras & Photo',
      suggested_specifics: [],
      children: [
        { id: 'cameras-photo.digital-cameras', name: 'Digital Cameras', suggested_specifics: ['Brand', 'Model'], children: [] },
        { id: 'cameras-photo.lenses', name: 'Lenses', suggested_specifics: ['Mount'], children: [] },
      ],
    },
    {
      id: 'toys',
      name: 'Toys & Hobbies',
      suggested_specifics: [],
      children: [{ id: 'toys.plush', name: 'Plush Toys', suggested_specifics: [], children: [] }],
    },
  ],
}

export const FEES_WIRE: Schemas['ListingFees'] = {
  insertion_fee_koinu: '0',
  final_value_fee_bps: 500,
  summary: 'Listing is free; a sale costs 5 % of the sale price.',
}

export function sellerViewWire(changes: Partial<Schemas['ListingSellerView']> = {}): Schemas['ListingSellerView'] {
  return {
    duration_days: null,
    end_reason: '',
    end_time: null,
    missing_for_publish: [],
    quantity: 1,
    quantity_sold: 0,
    reserve_price_koinu: null,
    scheduled_start_at: null,
    view_count: 0,
    watch_count: 0,
    withdrawn_at: null,
    withdrawn_reason: '',
    ...changes,
  }
}

export function listingWire(changes: Partial<Schemas['ListingDetail']> = {}): Schemas['ListingDetail'] {
  return {
    listing_id: LISTING_ID,
    seller_id: '7d1e0c1e-0000-4000-8000-000000000001',
    seller_username: 'alice',
    status: 'draft',
    format: 'auction',
    title: '',
    description: '',
    condition: '',
    category_id: 'cameras-photo.digital-cameras',
    category_names: ['Cameras & Photo', 'Digital Cameras'],
    category_path: ['cameras-photo', 'cameras-photo.digital-cameras'],
    item_specifics: [],
    price_koinu: null,
    current_price_koinu: null,
    buy_it_now_koinu: null,
    has_reserve: false,
    reserve_met: null,
    bid_count: 0,
    quantity_available: 1,
    shipping_options: [],
    lowest_shipping_koinu: null,
    local_pickup: false,
    location: { country: '', city: '', postal_code: '' },
    photos: [],
    photo_count: 0,
    thumbnail_url: null,
    starts_at: null,
    ends_at: null,
    published_at: null,
    created_at: '2026-12-01T10:00:00Z',
    updated_at: '2026-12-01T10:00:00Z',
    version: 1,
    seller_view: sellerViewWire(),
    ...changes,
  }
}

/** A "My listings" row (the listing with its seller view, never null there). */
export function myListingWire(
  changes: Partial<Schemas['SellerListing']> = {},
): Schemas['SellerListing'] {
  const { photos: _photos, ...listing } = listingWire()
  void _photos
  return { ...listing, seller_view: sellerViewWire(), ...changes }
}
