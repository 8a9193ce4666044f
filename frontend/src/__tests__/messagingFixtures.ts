/** Answers of notification-service and messaging-service as they travel (JSON), for unit tests. */
import { ALICE } from './fixtures'

export const BOB_ID = 'usr_bob'
export const CONVERSATION_ID = 'conv_1'

export function notificationWire(overrides: Record<string, unknown> = {}) {
  return {
    id: 'ntf_1',
    type: 'deposit.credited',
    title: 'Deposit credited',
    body: '3 DOGE is now in your available balance.',
    link: '/wallet',
    created_at: '2026-12-07T20:00:00Z',
    read_at: null,
    ...overrides,
  }
}

export function messageWire(overrides: Record<string, unknown> = {}) {
  return {
    id: 'msg_1',
    conversation_id: CONVERSATION_ID,
    sender_id: BOB_ID,
    body: 'Is the camera still available?',
    sent_at: '2026-12-07T20:00:00Z',
    ...overrides,
  }
}

export function conversationWire(overrides: Record<string, unknown> = {}) {
  return {
    id: CONVERSATION_ID,
    listing: { id: 'lst_1', title: 'Leica M6 camera', photo_url: null },
    other_party: { id: BOB_ID, display_name: 'Bob B.', username: 'bob' },
    last_message: messageWire(),
    unread_count: 1,
    other_last_read_message_id: null,
    blocked: false,
    blocked_by_other: false,
    created_at: '2026-12-07T19:00:00Z',
    updated_at: '2026-12-07T20:00:00Z',
    ...overrides,
  }
}

export function preferencesWire() {
  return {
    email_digest_hour_utc: 8,
    types: [
      {
        type: 'message.new',
        label: 'New message',
        description: 'Someone wrote to you.',
        in_app: true,
        email: 'instant',
        email_choices: ['instant', 'daily', 'off'],
        required: false,
      },
      {
        type: 'security.new_sign_in',
        label: 'New sign-in',
        description: 'Your account was used on a new device.',
        in_app: true,
        email: 'instant',
        email_choices: ['instant'],
        required: true,
      },
    ],
  }
}

export const ME = ALICE
