/** listing-service and search-gateway answers as they come over the wire (digit strings for koinu). */
import type { components as ListingComponents } from '@/api/generated/listing-service'
import type { components as SearchComponents } from '@/api/generated/search-gateway'

type ListingSchemas = ListingComponents['schemas']
type SearchSchemas = SearchComponents['schemas']

export const LISTING_ID = '8b0f6f0e-6a1d-4d59-9a55-0c3f0e6c2a11'
export const SELLER_ID = '3f1c2b9a-1111-4222-8333-944455556666'

export function listingDetailWire(overrides: Partial<ListingSchemas['ListingDetail']> = {}): ListingSchemas['ListingDetail'] {
  return {
    listing_id: LISTING_ID,
    seller_id: SELLER_ID,
    seller_username: 'bob',
    status: 'active',
    format: 'auction',
    title: 'Zorblax vintage cameras kit',
    description: 'Three film cameras.\nTested.',
    category_id: 'cameras-photo.film-cameras',
    category_path: ['cameras-photo', 'cameras-photo.film-cameras'],
    category_names: ['Cameras & Photo', 'Film cameras'],
    condition: 'like_new',
    item_specifics: [{ name: 'Brand', value: 'Zorblax Optics' }],
    price_koinu: '1500000000',
    current_price_koinu: '1500000000',
    buy_it_now_koinu: '9000000000',
    has_reserve: false,
    reserve_met: null,
    bid_count: 0,
    quantity_available: 1,
    lowest_shipping_koinu: '250000000',
    shipping_options: [{ service: 'Standard post', price_koinu: '250000000', ships_to: ['WORLDWIDE'] }],
    local_pickup: true,
    location: { city: 'Berlin', country: 'DE', postal_code: '10115' },
    photo_count: 2,
    photos: [
      {
        id: 'p2',
        position: 1,
        state: 'ready',
        urls: { original: '/api/v1/listings/photos/p2/original', display: '/api/v1/listings/photos/p2/display', thumb: '/api/v1/listings/photos/p2/thumb' },
      },
      {
        id: 'p1',
        position: 0,
        state: 'ready',
        urls: { original: '/api/v1/listings/photos/p1/original', display: '/api/v1/listings/photos/p1/display', thumb: '/api/v1/listings/photos/p1/thumb' },
      },
    ],
    thumbnail_url: '/api/v1/listings/photos/p1/thumb',
    starts_at: '2025-01-01T12:00:00Z',
    ends_at: '2025-01-08T12:00:00Z',
    published_at: '2025-01-01T12:00:00Z',
    created_at: '2025-01-01T11:00:00Z',
    updated_at: '2025-01-01T12:00:00Z',
    version: 3,
    seller_view: null,
    ...overrides,
  }
}

export function searchHitWire(overrides: Partial<SearchSchemas['SearchResultOut']> = {}): SearchSchemas['SearchResultOut'] {
  return {
    listing_id: LISTING_ID,
    status: 'active',
    title: 'Zorblax vintage cameras kit',
    title_html: 'Zorblax vintage <mark>cameras</mark> kit',
    description_html: '',
    seller_username: 'bob',
    category_id: 'cameras-photo.film-cameras',
    category_path: ['cameras-photo', 'cameras-photo.film-cameras'],
    category_names: ['Cameras & Photo', 'Film cameras'],
    condition: 'like_new',
    format: 'auction',
    price_koinu: '1500000000',
    buy_it_now_koinu: null,
    has_buy_it_now: false,
    has_reserve: false,
    bid_count: 2,
    lowest_shipping_koinu: '250000000',
    total_koinu: '1750000000',
    local_pickup: false,
    location: { city: 'Berlin', country: 'DE' },
    thumbnail_url: '/api/v1/listings/photos/p1/thumb',
    starts_at: '2025-01-01T12:00:00Z',
    ends_at: '2025-01-03T15:30:00Z',
    published_at: '2025-01-01T12:00:00Z',
    ...overrides,
  }
}

export function searchPageWire(
  hits: SearchSchemas['SearchResultOut'][],
  overrides: Partial<SearchSchemas['SearchPageOut']> = {},
): SearchSchemas['SearchPageOut'] {
  return {
    data: hits,
    has_more: false,
    next_cursor: null,
    total: hits.length,
    facets: {
      categories: [{ id: 'cameras-photo', name: 'Cameras & Photo', count: hits.length }],
      conditions: [
        { value: 'like_new', count: 1 },
        { value: 'good', count: 3 },
      ],
      formats: [{ value: 'auction', count: hits.length }],
      price_bands: [],
      buy_it_now: { count: 0 },
    },
    ...overrides,
  }
}

export const CATEGORY_TREE_WIRE: ListingSchemas['CategoryTree'] = {
  data: [
    {
      id: 'cameras-photo',
      name: 'Cameras & Photo',
      suggested_specifics: [],
      children: [
        { id: 'cameras-photo.film-cameras', name: 'Film cameras', suggested_specifics: ['Brand'], children: [] },
        { id: 'cameras-photo.lenses', name: 'Lenses', suggested_specifics: [], children: [] },
      ],
    },
    {
      id: 'books',
      name: 'Books',
      suggested_specifics: [],
      children: [{ id: 'books.fiction', name: 'Fiction', suggested_specifics: [], children: [] }],
    },
  ],
}
