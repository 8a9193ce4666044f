/**
 * search-gateway: full-text search over the listing index.
 *
 * Placeholder until the search-gateway issue lands: only the base path and the shapes of the
 * resources the design brief names. Amounts are bigint koinu, decoded with parseKoinu.
 */
import type { ListingFormat } from './listings'

export const SEARCH_BASE_PATH = '/api/v1/search'

export interface ListingSearchQuery {
  q: string
  category_id?: string
  format?: ListingFormat
}

export interface ListingSearchHit {
  listing_id: string
  title: string
  format: ListingFormat
  /** Current auction price or fixed price. */
  price_koinu: bigint
}
