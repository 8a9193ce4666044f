/**
 * auction-service: English auctions with proxy bidding, and their bids.
 *
 * Placeholder until the auction-service issue lands: only the base path and the shapes of the
 * resources the design brief names. Amounts are bigint koinu, decoded with parseKoinu.
 */
import type { IsoDateTime } from './http'

export const AUCTIONS_BASE_PATH = '/api/v1/auctions/'

export type AuctionStatus = 'scheduled' | 'open' | 'closed' | 'cancelled'

export interface Auction {
  id: string
  listing_id: string
  seller_id: string
  status: AuctionStatus
  starting_price_koinu: bigint
  /** The price the leader pays now: one increment above the second highest maximum. */
  current_price_koinu: bigint
  is_reserve_met: boolean
  buy_it_now_price_koinu: bigint | null
  bid_count: number
  starts_at: IsoDateTime
  /** Moves later when a bid in the soft-close window changes the price (anti-sniping). */
  ends_at: IsoDateTime
}

export interface Bid {
  id: string
  auction_id: string
  bidder_id: string
  /** The price this bid set (bidders' maximums are not part of this shape). */
  amount_koinu: bigint
  placed_at: IsoDateTime
}
