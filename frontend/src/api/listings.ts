/**
 * listing-service: listings, categories and photos.
 *
 * Placeholder until the listing-service issue lands: only the base path and the shapes of the
 * resources the design brief names. That issue adds the calls (through ./http) and checks these
 * types against its OpenAPI document in docs/api-contracts/. Amounts here are bigint koinu: the
 * calls decode each `*_koinu` digit string with parseKoinu from @/lib/money.
 */
import type { IsoDateTime } from './http'

export const LISTINGS_BASE_PATH = '/api/v1/listings/'

export type ListingFormat = 'auction' | 'fixed_price'

export interface Category {
  id: string
  name: string
  parent_id: string | null
}

export interface ListingPhoto {
  id: string
  url: string
}

export interface Listing {
  id: string
  seller_id: string
  category_id: string
  title: string
  description: string
  format: ListingFormat
  /** Price of one item for fixed-price listings; null for auctions (see auctions.ts). */
  price_koinu: bigint | null
  quantity: number
  photos: ListingPhoto[]
  created_at: IsoDateTime
}
