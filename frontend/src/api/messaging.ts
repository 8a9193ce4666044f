/**
 * messaging-service: conversations between buyers and sellers, and their messages.
 *
 * Placeholder until the messaging-service issue lands: only the base path and the shapes of
 * the resources the design brief names.
 */
import type { IsoDateTime } from './http'

export const MESSAGING_BASE_PATH = '/api/v1/messaging/'

export interface Conversation {
  id: string
  listing_id: string | null
  participant_ids: string[]
  last_message_at: IsoDateTime | null
}

export interface Message {
  id: string
  conversation_id: string
  sender_id: string
  body: string
  sent_at: IsoDateTime
}
