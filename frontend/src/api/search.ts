/**
 * search-gateway: full-text search over the listing index (words stemmed, accent-folded and
 * typo-tolerant), with filters, facets, sorts and a `search_after` cursor; and the search box's
 * suggestions.
 *
 * Amounts travel as digit strings and are decoded here into bigint koinu (parseKoinu). The
 * highlighted `title_html` / `description_html` are HTML-escaped by the service with matches in
 * `<mark>`: components render them with lib/highlight.ts, never with v-html.
 */
import { parseKoinu } from '@/lib/money'

import type { components, paths } from './generated/search-gateway'
import { apiGet, type QueryParams } from './http'

export const SEARCH_BASE_PATH = '/api/v1/search'

type Schemas = components['schemas']

export type ListingSearchParams = NonNullable<paths['/api/v1/search/listings']['get']['parameters']['query']>

export type SearchSort = NonNullable<ListingSearchParams['sort']>
export type SearchCondition = NonNullable<ListingSearchParams['condition']>[number]
export type SearchFormat = NonNullable<ListingSearchParams['format']>

export const SEARCH_SORTS: readonly SearchSort[] = [
  'best_match',
  'ending_soonest',
  'newly_listed',
  'price_shipping_lowest',
  'price_shipping_highest',
  'most_bids',
]

export const SEARCH_CONDITIONS: readonly SearchCondition[] = [
  'new',
  'like_new',
  'very_good',
  'good',
  'acceptable',
  'for_parts',
]

export const SEARCH_FORMATS: readonly SearchFormat[] = ['auction', 'fixed_price']

/** What a search asks for (every field optional; `condition` is any of the values). */
export interface ListingSearchQuery {
  q?: string
  category?: string
  condition?: SearchCondition[]
  format?: SearchFormat
  /** In DOGE as typed ("1.5"), as the API takes them. */
  price_min?: string
  price_max?: string
  buy_it_now?: boolean
  ending_within?: string
  seller?: string
  sort?: SearchSort
  limit?: number
  cursor?: string
}

/** One result card. Missing fields in the answer get their empty value here, once. */
export interface ListingSearchHit {
  listing_id: string
  status: string
  title: string
  /** The title, HTML-escaped, matched words in <mark>; '' when nothing was highlighted. */
  title_html: string
  description_html: string
  seller_username: string
  category_id: string | null
  category_names: string[]
  condition: string | null
  format: string | null
  price_koinu: bigint | null
  buy_it_now_koinu: bigint | null
  has_buy_it_now: boolean
  bid_count: number
  lowest_shipping_koinu: bigint | null
  /** Price plus the cheapest shipping. */
  total_koinu: bigint | null
  local_pickup: boolean
  thumbnail_url: string | null
  starts_at: string | null
  ends_at: string | null
  published_at: string | null
}

export interface SearchCount {
  value: string
  count: number
}

export interface SearchCategoryCount {
  id: string
  name: string
  count: number
}

export interface SearchPriceBand {
  key: string
  min_koinu: bigint | null
  /** Exclusive. */
  max_koinu: bigint | null
  count: number
}

export interface SearchFacets {
  categories: SearchCategoryCount[]
  conditions: SearchCount[]
  formats: SearchCount[]
  price_bands: SearchPriceBand[]
  buy_it_now: number
}

export interface ListingSearchPage {
  data: ListingSearchHit[]
  has_more: boolean
  next_cursor: string | null
  total: number
  /** First page only. */
  facets: SearchFacets | null
}

export interface SearchSuggestions {
  titles: string[]
  categories: SearchCategoryCount[]
}

function koinuOrNull(value: string | null | undefined): bigint | null {
  return value === null || value === undefined ? null : parseKoinu(value)
}

export function searchHitFrom(wire: Schemas['SearchResultOut']): ListingSearchHit {
  return {
    listing_id: wire.listing_id ?? '',
    status: wire.status ?? '',
    title: wire.title ?? '',
    title_html: wire.title_html ?? '',
    description_html: wire.description_html ?? '',
    seller_username: wire.seller_username ?? '',
    category_id: wire.category_id ?? null,
    category_names: wire.category_names ?? [],
    condition: wire.condition ?? null,
    format: wire.format ?? null,
    price_koinu: koinuOrNull(wire.price_koinu),
    buy_it_now_koinu: koinuOrNull(wire.buy_it_now_koinu),
    has_buy_it_now: wire.has_buy_it_now ?? false,
    bid_count: wire.bid_count ?? 0,
    lowest_shipping_koinu: koinuOrNull(wire.lowest_shipping_koinu),
    total_koinu: koinuOrNull(wire.total_koinu),
    local_pickup: wire.local_pickup ?? false,
    thumbnail_url: wire.thumbnail_url ?? null,
    starts_at: wire.starts_at ?? null,
    ends_at: wire.ends_at ?? null,
    published_at: wire.published_at ?? null,
  }
}

function categoryCountFrom(wire: Schemas['CategoryCountOut']): SearchCategoryCount {
  return { id: wire.id ?? '', name: wire.name ?? '', count: wire.count ?? 0 }
}

function countFrom(wire: Schemas['ValueCountOut']): SearchCount {
  return { value: wire.value ?? '', count: wire.count ?? 0 }
}

function facetsFrom(wire: Schemas['FacetsOut']): SearchFacets {
  return {
    categories: (wire.categories ?? []).map(categoryCountFrom),
    conditions: (wire.conditions ?? []).map(countFrom),
    formats: (wire.formats ?? []).map(countFrom),
    price_bands: (wire.price_bands ?? []).map((band) => ({
      key: band.key ?? '',
      min_koinu: koinuOrNull(band.min_koinu),
      max_koinu: koinuOrNull(band.max_koinu),
      count: band.count ?? 0,
    })),
    buy_it_now: wire.buy_it_now?.count ?? 0,
  }
}

function searchQueryParams(query: ListingSearchQuery): QueryParams {
  return {
    q: query.q === undefined || query.q === '' ? undefined : query.q,
    category: query.category,
    // One parameter, comma-separated (`explode: false` in the contract).
    condition: query.condition === undefined || query.condition.length === 0 ? undefined : query.condition.join(','),
    format: query.format,
    price_min: query.price_min,
    price_max: query.price_max,
    buy_it_now: query.buy_it_now === true ? true : undefined,
    ending_within: query.ending_within,
    seller: query.seller,
    sort: query.sort,
    limit: query.limit,
    cursor: query.cursor,
  }
}

/** GET listings: one page of results; facets on the first page (no cursor) only. */
export async function listingSearch(query: ListingSearchQuery, signal?: AbortSignal): Promise<ListingSearchPage> {
  const wire = await apiGet<Schemas['SearchPageOut']>(`${SEARCH_BASE_PATH}/listings`, {
    query: searchQueryParams(query),
    signal,
  })
  const facets = wire.facets as Schemas['FacetsOut'] | null | undefined
  return {
    data: (wire.data ?? []).map(searchHitFrom),
    has_more: wire.has_more ?? false,
    next_cursor: wire.next_cursor ?? null,
    total: wire.total ?? 0,
    facets: facets === null || facets === undefined ? null : facetsFrom(facets),
  }
}

/** GET suggest: titles and categories starting with the typed words. */
export async function searchSuggest(q: string, signal?: AbortSignal): Promise<SearchSuggestions> {
  const wire = await apiGet<Schemas['SuggestOut']>(`${SEARCH_BASE_PATH}/suggest`, { query: { q }, signal })
  return { titles: wire.titles ?? [], categories: (wire.categories ?? []).map(categoryCountFrom) }
}
