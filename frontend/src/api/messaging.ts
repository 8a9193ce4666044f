/**
 * messaging-service: conversations between buyers and sellers, their messages, blocks and
 * reports (and the staff side of reports).
 */
import { apiDelete, apiGet, apiPost, type IsoDateTime, type Page, type PageParams } from './http'

export const MESSAGING_BASE_PATH = '/api/v1/messaging/'

/** Most characters a message may have (after trimming), as messaging-service checks. */
export const MESSAGE_MAX_LENGTH = 2000

export interface Message {
  id: string
  conversation_id: string
  sender_id: string
  /** Plain text as typed: always rendered as text (MessageBody.vue), never as HTML. */
  body: string
  sent_at: IsoDateTime
}

export interface ConversationParty {
  id: string
  display_name: string
  username: string
}

export interface ConversationListing {
  id: string
  title: string
  photo_url: string | null
}

export interface Conversation {
  id: string
  listing: ConversationListing | null
  other_party: ConversationParty
  last_message: Message | null
  unread_count: number
  /** The last of my messages the other party has read (the "Seen" receipt). */
  other_last_read_message_id: string | null
  /** I blocked them. */
  blocked: boolean
  /** They blocked me. */
  blocked_by_other: boolean
  created_at: IsoDateTime
  updated_at: IsoDateTime
}

export interface ConversationStart {
  listing_id?: string
  recipient_id?: string
  body: string
}

export interface MessageReport {
  id: string
  status: string
}

export interface StaffReport {
  id: string
  status: string
  reason: string
  message: Message
  reporter_id: string
  conversation_id: string
  created_at: IsoDateTime
  outcome?: string | null
  note?: string | null
}

export interface StaffReportDetail extends StaffReport {
  messages: Message[]
}

const path = (tail: string) => `${MESSAGING_BASE_PATH}${tail}`
const id = (value: string) => encodeURIComponent(value)

export function conversationsList(params: PageParams = {}): Promise<Page<Conversation>> {
  return apiGet(path('conversations'), { query: { ...params } })
}

export function conversationGet(conversationId: string): Promise<Conversation> {
  return apiGet(path(`conversations/${id(conversationId)}`))
}

/** Starts a conversation (or adds to the one about the same listing) with a first message. */
export function conversationStart(start: ConversationStart, idempotencyKey: string): Promise<Conversation> {
  return apiPost(path('conversations'), start, { idempotencyKey })
}

/** One page of a thread, oldest first; `before` pages back from that message. */
export function messagesList(
  conversationId: string,
  params: { limit?: number; before?: string } = {},
): Promise<Page<Message>> {
  return apiGet(path(`conversations/${id(conversationId)}/messages`), { query: { ...params } })
}

export function messageSend(conversationId: string, body: string, idempotencyKey: string): Promise<Message> {
  return apiPost(path(`conversations/${id(conversationId)}/messages`), { body }, { idempotencyKey })
}

export function conversationRead(conversationId: string, lastReadMessageId: string): Promise<Conversation> {
  return apiPost(path(`conversations/${id(conversationId)}/read`), { last_read_message_id: lastReadMessageId })
}

export function messagingUnreadCount(): Promise<{ unread_count: number }> {
  return apiGet(path('unread-count'))
}

export function userBlock(userId: string): Promise<unknown> {
  return apiPost(path('blocks'), { user_id: userId })
}

export function userUnblock(userId: string): Promise<unknown> {
  return apiDelete(path(`blocks/${id(userId)}`))
}

export function messageReport(messageId: string, reason: string): Promise<MessageReport> {
  return apiPost(path(`messages/${id(messageId)}/report`), { reason })
}

export function staffReportsList(params: PageParams & { status?: string } = {}): Promise<Page<StaffReport>> {
  return apiGet(path('staff/reports'), { query: { ...params } })
}

export function staffReportGet(reportId: string): Promise<StaffReportDetail> {
  return apiGet(path(`staff/reports/${id(reportId)}`))
}

export function staffReportResolve(reportId: string, outcome: string, note: string): Promise<StaffReport> {
  return apiPost(path(`staff/reports/${id(reportId)}/resolve`), { outcome, note })
}
