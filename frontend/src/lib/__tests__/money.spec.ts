import { describe, expect, it } from 'vitest'

import {
  DOGE_DECIMALS,
  formatDoge,
  InvalidAmountError,
  KOINU_PER_DOGE,
  parseDogeInput,
  parseKoinu,
  parseSignedKoinu,
  type InvalidAmountReason,
} from '../money'

/** 21 digits: far beyond Number.MAX_SAFE_INTEGER (9007199254740991, 16 digits). */
const HUGE_KOINU = 123456789012345678901n

function rejectionOf(parse: () => bigint): { reason: InvalidAmountReason; message: string } {
  try {
    parse()
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidAmountError)
    const { reason, message } = error as InvalidAmountError
    return { reason, message }
  }
  throw new Error('expected an InvalidAmountError, but the parse succeeded')
}

describe('constants', () => {
  it('has 100,000,000 koinu per DOGE and 8 decimals', () => {
    expect(KOINU_PER_DOGE).toBe(100_000_000n)
    expect(DOGE_DECIMALS).toBe(8)
  })
})

describe('parseKoinu', () => {
  it.each([
    ['0', 0n],
    ['1', 1n],
    ['150000000', 150_000_000n],
    ['000150', 150n],
    ['9007199254740993', 9_007_199_254_740_993n],
    ['123456789012345678901', HUGE_KOINU],
  ])('parses %j as %s koinu', (json, expected) => {
    expect(parseKoinu(json)).toBe(expected)
  })

  it('keeps every digit of a value a Number would round', () => {
    expect(Number('9007199254740993')).toBe(9_007_199_254_740_992)
    expect(parseKoinu('9007199254740993').toString()).toBe('9007199254740993')
    expect(parseKoinu('123456789012345678901').toString()).toBe('123456789012345678901')
  })

  it('rejects the empty string', () => {
    expect(rejectionOf(() => parseKoinu(''))).toEqual({
      reason: 'empty',
      message: 'Expected koinu as a string of digits, got "".',
    })
  })

  it.each(['-1', '+1', '1.5', '1e8', ' 1', '1 ', '0x10', '1_000', '１', '١٢'])(
    'rejects %j',
    (json) => {
      expect(rejectionOf(() => parseKoinu(json))).toEqual({
        reason: 'malformed',
        message: `Expected koinu as a string of digits, got ${JSON.stringify(json)}.`,
      })
    },
  )

  it('rejects a JSON number, which may already have lost precision', () => {
    const untypedJson: unknown = JSON.parse('{"amount_koinu": 150000000}')
    const { amount_koinu: amount } = untypedJson as { amount_koinu: string }
    expect(rejectionOf(() => parseKoinu(amount))).toEqual({
      reason: 'malformed',
      message: 'Expected koinu as a string of digits, got a number.',
    })
  })
})

describe('formatDoge', () => {
  it.each([
    [0n, '0.00000000', 'Ð 0'],
    [1n, '0.00000001', 'Ð 0.00000001'],
    [99_999_999n, '0.99999999', 'Ð 0.99999999'],
    [100_000_000n, '1.00000000', 'Ð 1'],
    [150_000_000n, '1.50000000', 'Ð 1.5'],
    [123_456_700_000_000n, '1234567.00000000', 'Ð 1,234,567'],
    [HUGE_KOINU, '1234567890123.45678901', 'Ð 1,234,567,890,123.45678901'],
    [-150_000_000n, '-1.50000000', '-Ð 1.5'],
  ])('formats %s koinu as %j, or %j with the symbol', (koinu, exact, display) => {
    expect(formatDoge(koinu)).toBe(exact)
    expect(formatDoge(koinu, { withSymbol: true })).toBe(display)
  })

  it('lets each display option be set on its own', () => {
    expect(formatDoge(150_000_000n, { withSymbol: true, trimZeros: false })).toBe('Ð 1.50000000')
    expect(formatDoge(150_000_000n, { trimZeros: true })).toBe('1.5')
    expect(formatDoge(123_456_700_000_000n, { groupThousands: true })).toBe('1,234,567.00000000')
    expect(formatDoge(123_456_700_000_000n, { withSymbol: true, groupThousands: false })).toBe(
      'Ð 1234567',
    )
  })
})

describe('parseDogeInput', () => {
  it.each([
    ['1', 100_000_000n],
    ['1.5', 150_000_000n],
    ['.5', 50_000_000n],
    ['1.', 100_000_000n],
    ['0', 0n],
    ['0.00000001', 1n],
    ['12.34567890', 1_234_567_890n],
    ['  12.5\t', 1_250_000_000n],
    ['007.5', 750_000_000n],
    ['90071992.54740993', 9_007_199_254_740_993n],
    ['1234567890123.45678901', HUGE_KOINU],
  ])('parses %j as %s koinu', (text, expected) => {
    expect(parseDogeInput(text)).toBe(expected)
  })

  it('is exact where floating point is not', () => {
    expect(Number('90071992.54740993') * 1e8).not.toBe(9_007_199_254_740_993)
    expect(parseDogeInput('0.1') + parseDogeInput('0.2')).toBe(parseDogeInput('0.3'))
  })

  it.each([
    ['', 'empty', 'Enter an amount in DOGE.'],
    ['   ', 'empty', 'Enter an amount in DOGE.'],
    ['-1', 'negative', 'The amount cannot be negative.'],
    ['-0.5', 'negative', 'The amount cannot be negative.'],
    ['0.000000001', 'too_many_decimals', 'DOGE amounts have at most 8 decimal places.'],
    ['1.000000000', 'too_many_decimals', 'DOGE amounts have at most 8 decimal places.'],
  ] as const)('rejects %j as %s', (text, reason, message) => {
    expect(rejectionOf(() => parseDogeInput(text))).toEqual({ reason, message })
  })

  it.each([
    '+1',
    '.',
    '1,5',
    '1,000',
    '1 000',
    '1e8',
    '1.2.3',
    'abc',
    '0x10',
    'Ð 1',
    '1 DOGE',
    'Infinity',
    'NaN',
    '１',
    '١٫٥',
  ])('rejects %j as malformed', (text) => {
    expect(rejectionOf(() => parseDogeInput(text))).toEqual({
      reason: 'malformed',
      message: 'Enter the amount as a number of DOGE, for example 12.5.',
    })
  })

  it('reads back what formatDoge wrote', () => {
    for (const koinu of [0n, 1n, 150_000_000n, 99_999_999n, HUGE_KOINU]) {
      expect(parseDogeInput(formatDoge(koinu))).toBe(koinu)
      expect(parseDogeInput(formatDoge(koinu, { trimZeros: true }))).toBe(koinu)
    }
  })
})

describe('parseSignedKoinu', () => {
  it.each([
    ['-150000000', -150_000_000n],
    ['0', 0n],
    ['25', 25n],
    ['-9007199254740993', -9_007_199_254_740_993n],
  ])('reads %j as %s', (json, koinu) => {
    expect(parseSignedKoinu(json)).toBe(koinu)
  })

  it.each(['', '-', '+5', '--5', '1.5', ' 5'])('refuses %j', (json) => {
    expect(() => parseSignedKoinu(json)).toThrow(InvalidAmountError)
  })
})
