/**
 * user-service: accounts, sessions (short-lived access tokens, rotating refresh tokens),
 * profiles and seller ratings.
 *
 * Placeholder until the user-service issue lands: only the base path and the shapes of the
 * resources the design brief names.
 */
import type { IsoDateTime } from './http'

export const USER_BASE_PATH = '/api/v1/user/'

export interface UserProfile {
  id: string
  username: string
  display_name: string
  created_at: IsoDateTime
}

export interface SellerRating {
  user_id: string
  positive_count: number
  neutral_count: number
  negative_count: number
}

/** What signing in returns: an access token (at most 15 minutes) and the user it belongs to. */
export interface SessionTokens {
  access_token: string
  expires_at: IsoDateTime
  user: UserProfile
}
