import { flushPromises, type VueWrapper } from '@vue/test-utils'
import QRCode from 'qrcode'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { alertTexts, fieldByLabel, fieldError, mountPage, typeInto } from '@/__tests__/mountPage'
import { useSessionStore } from '@/stores/useSessionStore'

import TwoFactorSettingsEnrolment from '../TwoFactorSettingsEnrolment.vue'

const ENROL = 'POST /api/v1/user/me/2fa/enroll'
const CONFIRM = 'POST /api/v1/user/me/2fa/confirm'
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DP'
const URI = `otpauth://totp/dBay:alice?secret=${SECRET}&issuer=dBay`
const RECOVERY_CODES = Array.from({ length: 10 }, (_, index) => `code-${index}-x7k2`)

let api: FakeApi
let wrapper: VueWrapper

beforeEach(async () => {
  api = installFakeApi({
    [ENROL]: () => jsonResponse(200, { secret: SECRET, otpauth_uri: URI }),
  })
  const page = await mountPage(TwoFactorSettingsEnrolment, {
    beforeNavigation: () => {
      useSessionStore().sessionStart(tokensFor(ALICE, 'access-1'))
    },
  })
  wrapper = page.wrapper
  await flushPromises()
})

afterEach(() => {
  wrapper.unmount()
})

describe('TwoFactorSettingsEnrolment', () => {
  it('starts enrolment and draws the otpauth URI as a QR code, locally', async () => {
    expect(api.requestsTo(ENROL)).toHaveLength(1)
    const image = wrapper.get('img')
    const expectedSvg = await QRCode.toString(URI, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
    expect(image.attributes('src')).toBe(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(expectedSvg)}`)
    expect(image.attributes('alt')).toBe('QR code to add dBay to your authenticator app')
    expect(decodeURIComponent(image.attributes('src') ?? '')).toContain('<svg')
  })

  it('shows the secret as text, in groups of four', () => {
    expect(wrapper.get('[data-testid="two-factor-secret"]').text()).toBe('JBSW Y3DP EHPK 3PXP JBSW Y3DP')
  })

  it('confirms with a code, then shows the ten recovery codes once', async () => {
    api.on(CONFIRM, () => jsonResponse(200, { recovery_codes: RECOVERY_CODES }))

    await typeInto(wrapper, 'Authentication code', '123 456')
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(api.requestsTo(CONFIRM).map((request) => request.body)).toEqual([{ code: '123456' }])
    expect(wrapper.findAll('ol[aria-label="Recovery codes"] li').map((item) => item.text())).toEqual(
      RECOVERY_CODES,
    )
    expect(wrapper.find('img').exists()).toBe(false)
    expect(useSessionStore().user?.two_factor_enabled).toBe(true)
    expect(wrapper.text()).toContain('this is the only time they are shown.')

    await wrapper.findAll('button').find((button) => button.text() === 'I’ve saved my codes')?.trigger('click')
    expect(wrapper.emitted('close')).toEqual([[]])
  })

  it('puts a wrong code on the code field and stays on this step', async () => {
    api.on(CONFIRM, () => errorResponse(400, { code: 'invalid_mfa_code', param: 'code' }))

    await typeInto(wrapper, 'Authentication code', '000000')
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(fieldError(fieldByLabel(wrapper, 'Authentication code'))).toBe(
      'That code didn’t work. Enter the current 6-digit code from your authenticator app, or one of your recovery codes.',
    )
    expect(wrapper.find('ol[aria-label="Recovery codes"]').exists()).toBe(false)
    expect(useSessionStore().user?.two_factor_enabled).toBe(false)
  })
})

describe('TwoFactorSettingsEnrolment when enrolment cannot start', () => {
  it('says why and offers to try again', async () => {
    wrapper.unmount()
    api = installFakeApi({
      [ENROL]: () => errorResponse(429, { code: 'rate_limited' }, { 'Retry-After': '5' }),
    })
    const page = await mountPage(TwoFactorSettingsEnrolment)
    wrapper = page.wrapper

    expect(alertTexts(wrapper)).toEqual(['Too many attempts. Please try again in 5 seconds.'])
    expect(wrapper.findAll('button').map((button) => button.text())).toEqual(['Try again', 'Cancel'])
  })
})
