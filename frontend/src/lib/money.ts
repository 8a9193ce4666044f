/**
 * Money on dBay is an integer number of koinu (1 DOGE = 100,000,000 koinu), held as a BigInt
 * from the API's JSON digit strings (`"amount_koinu": "150000000"`) all the way to the screen.
 *
 * Nothing here goes through Number: koinu amounts pass Number.MAX_SAFE_INTEGER at about
 * 90 million DOGE, and a binary float cannot even hold 0.1 DOGE exactly.
 */

import { decimalSeparator, numberFormat } from './locale'

export const KOINU_PER_DOGE = 100_000_000n

/** Digits after the decimal point in a DOGE amount (1 koinu = 0.00000001 DOGE). */
export const DOGE_DECIMALS = 8

/** The largest balance a wallet can hold (the ledger's 64-bit counters): 2^63 - 1 koinu. */
export const MAX_BALANCE_KOINU = 9_223_372_036_854_775_807n

/** The Dogecoin currency sign (U+00D0, LATIN CAPITAL LETTER ETH). */
export const DOGE_SYMBOL = 'Ð'

export type InvalidAmountReason = 'empty' | 'malformed' | 'negative' | 'too_many_decimals'

/** Thrown when text is not an amount; `reason` lets a form pick its own wording. */
export class InvalidAmountError extends Error {
  override readonly name = 'InvalidAmountError'
  readonly reason: InvalidAmountReason
  readonly input: string

  constructor(reason: InvalidAmountReason, input: string, message: string) {
    super(message)
    this.reason = reason
    this.input = input
  }
}

const KOINU_JSON_PATTERN = /^[0-9]+$/
const DOGE_INPUT_PATTERN = /^([0-9]*)(?:\.([0-9]*))?$/

/**
 * Parses an amount the API sent as a JSON string of digits (`"150000000"` → `150000000n`).
 *
 * Accepts only ASCII digits: no sign, point, exponent or whitespace. A JSON number in that
 * place is rejected too, because it may already have lost precision on the way in.
 */
export function parseKoinu(json: string): bigint {
  // The type says string, but this is the boundary with untyped JSON: check at runtime.
  if (typeof json !== 'string') {
    throw new InvalidAmountError(
      'malformed',
      String(json),
      `Expected koinu as a string of digits, got a ${typeof json}.`,
    )
  }
  if (json === '') {
    throw new InvalidAmountError('empty', json, 'Expected koinu as a string of digits, got "".')
  }
  if (!KOINU_JSON_PATTERN.test(json)) {
    throw new InvalidAmountError(
      'malformed',
      json,
      `Expected koinu as a string of digits, got ${JSON.stringify(json)}.`,
    )
  }
  return BigInt(json)
}

/**
 * Decodes a signed koinu amount (`"-150000000"`, `"0"`, `"25"`): the effect of a transfer on a
 * balance. Throws InvalidAmountError for anything but an optional minus and digits.
 */
export function parseSignedKoinu(json: string): bigint {
  if (typeof json === 'string' && json.startsWith('-')) {
    return -parseKoinu(json.slice(1))
  }
  return parseKoinu(json)
}

export interface FormatDogeOptions {
  /** Prefix the DOGE sign: `"Ð 1.5"`. Also switches the two options below on by default. */
  withSymbol?: boolean
  /** Drop trailing zeros of the fraction (and the point if nothing is left). */
  trimZeros?: boolean
  /**
   * Write the amount for the reader's locale (src/lib/locale.ts): their grouping of thousands and
   * decimal separator, `"1,234.5"` in English, `"1.234,5"` in German. Off, the amount is the plain
   * `1234.5` that parseDogeInput reads back.
   */
  groupThousands?: boolean
}

/**
 * Formats koinu as DOGE.
 *
 * Without options the result is the exact form the API uses for display strings, always with
 * eight decimals: `formatDoge(150000000n)` → `"1.50000000"`. With `withSymbol` it is the form
 * for people: `formatDoge(150000000n, { withSymbol: true })` → `"Ð 1.5"`.
 */
export function formatDoge(koinu: bigint, options: FormatDogeOptions = {}): string {
  const { withSymbol = false, trimZeros = withSymbol, groupThousands = withSymbol } = options
  const isNegative = koinu < 0n
  const magnitude = isNegative ? -koinu : koinu

  const wholeDigits = (magnitude / KOINU_PER_DOGE).toString()
  const fractionDigits = (magnitude % KOINU_PER_DOGE).toString().padStart(DOGE_DECIMALS, '0')

  const whole = groupThousands ? groupDigitsByThousands(wholeDigits) : wholeDigits
  const fraction = trimZeros ? fractionDigits.replace(/0+$/, '') : fractionDigits
  const point = groupThousands ? decimalSeparator() : '.'
  const amount = fraction === '' ? whole : `${whole}${point}${fraction}`
  const sign = isNegative ? '-' : ''

  return withSymbol ? `${sign}${DOGE_SYMBOL} ${amount}` : `${sign}${amount}`
}

/**
 * Parses what a person typed into a DOGE amount field (`"12.5"` → `1250000000n`).
 *
 * Accepts digits with an optional point and at most eight decimals (`"12"`, `"12.5"`, `".5"`,
 * `"12."`), surrounded by optional whitespace. Rejects signs, commas, exponents, other digit
 * scripts and anything else, with an InvalidAmountError saying why.
 */
export function parseDogeInput(text: string): bigint {
  const trimmed = text.trim()
  if (trimmed === '') {
    throw new InvalidAmountError('empty', text, 'Enter an amount in DOGE.')
  }
  if (trimmed.startsWith('-')) {
    throw new InvalidAmountError('negative', text, 'The amount cannot be negative.')
  }

  const match = DOGE_INPUT_PATTERN.exec(trimmed)
  const wholeDigits = match?.[1] ?? ''
  const fractionDigits = match?.[2] ?? ''
  if (match === null || (wholeDigits === '' && fractionDigits === '')) {
    throw new InvalidAmountError(
      'malformed',
      text,
      'Enter the amount as a number of DOGE, for example 12.5.',
    )
  }
  if (fractionDigits.length > DOGE_DECIMALS) {
    throw new InvalidAmountError(
      'too_many_decimals',
      text,
      `DOGE amounts have at most ${DOGE_DECIMALS} decimal places.`,
    )
  }

  const wholeKoinu = BigInt(wholeDigits === '' ? '0' : wholeDigits) * KOINU_PER_DOGE
  const fractionKoinu = BigInt(fractionDigits.padEnd(DOGE_DECIMALS, '0'))
  return wholeKoinu + fractionKoinu
}

/** The whole DOGE with the reader's grouping (1,234 / 1.234 / 1 234), exact for any size: Intl formats the BigInt itself. */
function groupDigitsByThousands(digits: string): string {
  return numberFormat({ useGrouping: true, maximumFractionDigits: 0 }).format(BigInt(digits))
}
