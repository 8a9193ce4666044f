/**
 * messaging-service: conversations between buyers and sellers, their messages, blocks and
 * reports (and the staff side of reports).
 */
import type { components } from './generated/messaging-service'
import { apiDelete, apiGet, apiPost, type Page, type PageParams } from './http'

export const MESSAGING_BASE_PATH = '/api/v1/messaging/'

/** Most characters a message may have (after trimming), as messaging-service checks. */
export const MESSAGE_MAX_LENGTH = 2000

type Schemas = components['schemas']

/**
 * One message. `body` is plain text as typed: always rendered as text (MessageBody.vue), never
 * as HTML.
 */
export type Message = Schemas['MessageOut']
export type ConversationParty = Schemas['PartyOut']
export type ConversationListing = Schemas['ListingRefOut']

/**
 * A conversation as one party sees it: `other_last_read_message_id` is the last of my messages
 * the other party has read (the "Seen" receipt); `blocked`: I blocked them; `blocked_by_other`.
 * (The OpenAPI document writes the nullable nested objects as `{} | null | X`: named exactly here.)
 */
export interface Conversation extends Omit<Schemas['ConversationOut'], 'listing' | 'last_message'> {
  listing: ConversationListing | null
  last_message: Message | null
}

export type ConversationStart = Schemas['ConversationIn']
export type MessageReport = Schemas['ReportCreatedOut']
export type StaffReport = Schemas['ReportOut']
export interface StaffReportDetail extends Omit<Schemas['ReportDetailOut'], 'listing'> {
  listing: ConversationListing | null
}
export type ReportOutcome = Schemas['ResolveIn']['outcome']

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

export function staffReportResolve(reportId: string, outcome: ReportOutcome, note: string): Promise<StaffReport> {
  return apiPost(path(`staff/reports/${id(reportId)}/resolve`), { outcome, note })
}
