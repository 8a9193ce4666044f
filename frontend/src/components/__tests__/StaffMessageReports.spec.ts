import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { tokensFor } from '@/__tests__/fixtures'
import { BOB_ID, CONVERSATION_ID, messageWire } from '@/__tests__/messagingFixtures'
import { mountPage } from '@/__tests__/mountPage'
import { STAFF_USER } from '@/__tests__/staffFixtures'
import { useSessionStore } from '@/stores/useSessionStore'

import StaffMessageReports from '../StaffMessageReports.vue'

const LIST = 'GET /api/v1/messaging/staff/reports'
const DETAIL = 'GET /api/v1/messaging/staff/reports/rep_1'
const RESOLVE = 'POST /api/v1/messaging/staff/reports/rep_1/resolve'

const CAROL = { id: 'usr_carol', display_name: 'Carol C.', username: 'carol' }
const BOB = { id: BOB_ID, display_name: 'Bob B.', username: 'bob' }
const REPORTED = messageWire({ id: 'm2', body: 'Pay me at <a href="https://evil.test">here</a>' })

function reportWire() {
  return {
    id: 'rep_1',
    status: 'open',
    reason: 'Asks to pay outside dBay',
    conversation_id: CONVERSATION_ID,
    message: REPORTED,
    reporter: CAROL,
    reporter_id: CAROL.id,
    reported_user: BOB,
    reported_user_id: BOB_ID,
    created_at: '2026-12-07T20:00:00Z',
    outcome: null,
    note: null,
    resolved_by: null,
    resolved_at: null,
  }
}

let api: FakeApi
let wrapper: VueWrapper

beforeEach(() => {
  api = installFakeApi({
    [LIST]: () => jsonResponse(200, { data: [reportWire()], has_more: false }),
    [DETAIL]: () =>
      jsonResponse(200, {
        ...reportWire(),
        participants: [CAROL, BOB],
        listing: { id: 'lst_1', title: 'Leica M6 camera', photo_url: null },
        messages: [messageWire({ id: 'm1', sender_id: CAROL.id, body: 'Is it available?' }), REPORTED],
        has_more_messages: false,
      }),
  })
})

afterEach(() => {
  wrapper.unmount()
})

async function mountReports(): Promise<void> {
  const mounted = await mountPage(StaffMessageReports, {
    beforeNavigation: () => useSessionStore().sessionStart(tokensFor(STAFF_USER, 'staff-token')),
  })
  wrapper = mounted.wrapper
  await flushPromises()
}

describe('StaffMessageReports', () => {
  it('lists open reports with who, why and the message as text', async () => {
    await mountReports()

    expect(api.requestsTo(LIST).map((request) => request.url)).toEqual(['/api/v1/messaging/staff/reports?limit=20&status=open'])
    const report = wrapper.get('[data-report-id="rep_1"]')
    expect(report.findAll('p').slice(0, 2).map((line) => line.text())).toEqual([
      'Carol C. reported Bob B. · 7 Dec 2026, 20:00',
      'Reason: Asks to pay outside dBay',
    ])
    expect(report.get('blockquote').text()).toBe('Pay me at <a href="https://evil.test">here</a>')
    expect(report.find('blockquote a').exists()).toBe(false)
  })

  it('shows the conversation with the reported message marked, and resolves with a required note', async () => {
    api.on(RESOLVE, () => jsonResponse(200, { ...reportWire(), status: 'resolved' }))
    await mountReports()

    await wrapper.findAll('button').find((button) => button.text() === 'Review')?.trigger('click')
    await flushPromises()

    expect(wrapper.get('h3').text()).toBe('Conversation about “Leica M6 camera”')
    expect(
      wrapper.findAll('ol[aria-label="Conversation"] > li').map((item) => [item.attributes('data-reported'), item.get('p').text()]),
    ).toEqual([
      ['false', 'Carol C. · 7 Dec 2026, 20:00'],
      ['true', 'Bob B. · 7 Dec 2026, 20:00 · Reported'],
    ])

    const form = wrapper.get('form[aria-label="Resolve this report"]')
    await form.trigger('submit')
    expect(form.get('[role="alert"]').text()).toBe('Write a note: what you found and what you did.')
    expect(api.requestsTo(RESOLVE)).toEqual([])

    api.on(LIST, () => jsonResponse(200, { data: [], has_more: false }))
    await form.get('input[value="action_taken"]').setValue(true)
    await form.get('textarea').setValue('Warned the member.')
    await form.trigger('submit')
    await flushPromises()

    expect(api.requestsTo(RESOLVE).map((request) => request.body)).toEqual([{ outcome: 'action_taken', note: 'Warned the member.' }])
    expect(wrapper.get('[role="status"]').text()).toBe('Report about Bob B. resolved.')
    expect(wrapper.text()).toContain('No open reports.')
  })
})
