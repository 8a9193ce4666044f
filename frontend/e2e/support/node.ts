/**
 * The devstack's regtest node over JSON-RPC (litecoind standing in for dogecoind: same P2PKH
 * version byte on regtest, same amount unit), for the browser tests that move real coins: a
 * faucet wallet that pays deposits and receives withdrawals, and mining.
 *
 * Amounts never go through a float: they are sent as decimal strings (the node accepts those) and
 * read from the raw response text into bigint koinu.
 */

/** `http://user:password@host:port`; the devstack's node by default. */
export const NODE_RPC_URL = process.env.E2E_NODE_RPC_URL ?? 'http://dbay:dbay@127.0.0.1:58332'

/** The node wallet the browser tests pay from (created on first use, kept between runs). */
export const FAUCET_WALLET = 'e2e-faucet'

const KOINU_PER_COIN = 100_000_000n

export class NodeRpcError extends Error {
  override readonly name = 'NodeRpcError'
  readonly code: number

  constructor(method: string, code: number, message: string) {
    super(`${method}: ${message} (${code})`)
    this.code = code
  }
}

interface RpcAnswer {
  text: string
  result: unknown
}

let requestId = 0

async function rpcCall(method: string, params: unknown[], wallet?: string): Promise<RpcAnswer> {
  const url = new URL(NODE_RPC_URL)
  // fetch refuses URLs with credentials: send them as a header instead.
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
  url.username = ''
  url.password = ''
  url.pathname = wallet === undefined ? '/' : `/wallet/${encodeURIComponent(wallet)}`
  requestId += 1
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'text/plain',
      Authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
    },
    body: JSON.stringify({ jsonrpc: '1.0', id: requestId, method, params }),
  })
  const text = await response.text()
  let payload: { result?: unknown; error?: { code: number; message: string } | null }
  try {
    payload = JSON.parse(text) as typeof payload
  } catch {
    throw new NodeRpcError(method, response.status, `not JSON: ${text.slice(0, 200)}`)
  }
  if (payload.error) {
    throw new NodeRpcError(method, payload.error.code, payload.error.message)
  }
  return { text, result: payload.result }
}

/** Calls `method` (on `wallet` for wallet calls) and returns its result. */
export async function nodeRpc<T>(method: string, params: unknown[] = [], wallet?: string): Promise<T> {
  return (await rpcCall(method, params, wallet)).result as T
}

/** Calls a method whose result is an amount of coins, read exactly as koinu. */
export async function nodeRpcKoinu(method: string, params: unknown[] = [], wallet?: string): Promise<bigint> {
  const { text } = await rpcCall(method, params, wallet)
  const literal = /"result"\s*:\s*(-?\d+(?:\.\d+)?)\s*[,}]/.exec(text)?.[1]
  if (literal === undefined) {
    throw new Error(`${method}: no plain decimal amount in ${text.slice(0, 200)}`)
  }
  return koinuFromCoins(literal)
}

/** "1.5" → 150000000n; at most eight decimals. */
export function koinuFromCoins(decimal: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,8}))?$/.exec(decimal)
  if (match === null) {
    throw new Error(`not an amount of coins: ${decimal}`)
  }
  const [, sign, whole = '0', fraction = ''] = match
  const koinu = BigInt(whole) * KOINU_PER_COIN + BigInt(fraction.padEnd(8, '0'))
  return sign === '-' ? -koinu : koinu
}

/** 150000000n → "1.50000000", the form the node accepts for amounts. */
export function coinsFromKoinu(koinu: bigint): string {
  return `${koinu / KOINU_PER_COIN}.${(koinu % KOINU_PER_COIN).toString().padStart(8, '0')}`
}

/** Loads the faucet wallet, creating it the first time. */
async function faucetLoad(): Promise<void> {
  const loaded = await nodeRpc<string[]>('listwallets')
  if (loaded.includes(FAUCET_WALLET)) {
    return
  }
  try {
    await nodeRpc('loadwallet', [FAUCET_WALLET])
  } catch (error) {
    if (error instanceof NodeRpcError && /already loaded/i.test(error.message)) {
      return
    }
    try {
      await nodeRpc('createwallet', [FAUCET_WALLET])
    } catch (createError) {
      // Another run created it meanwhile.
      if (createError instanceof NodeRpcError && /already exists/i.test(createError.message)) {
        await nodeRpc('loadwallet', [FAUCET_WALLET]).catch(() => undefined)
        return
      }
      throw createError
    }
  }
}

/** A fresh legacy (P2PKH) address of the faucet wallet: Dogecoin has no SegWit. */
export function faucetAddressNew(): Promise<string> {
  return nodeRpc<string>('getnewaddress', ['', 'legacy'], FAUCET_WALLET)
}

export function faucetBalanceKoinu(): Promise<bigint> {
  return nodeRpcKoinu('getbalance', [], FAUCET_WALLET)
}

/** Mines `blocks` blocks, their rewards to the faucet. */
export async function blocksMine(blocks = 1): Promise<string[]> {
  return nodeRpc<string[]>('generatetoaddress', [blocks, await faucetAddressNew()])
}

/**
 * The faucet wallet, loaded and holding at least `minimumKoinu` of spendable coins: mined if
 * need be (a coinbase matures after 100 blocks on litecoind, so the first round mines 101).
 */
export async function faucetReady(minimumKoinu: bigint): Promise<void> {
  await faucetLoad()
  for (let round = 0; round < 20; round += 1) {
    if ((await faucetBalanceKoinu()) >= minimumKoinu) {
      return
    }
    await blocksMine(round === 0 ? 101 : 25)
  }
  throw new Error(
    `the ${FAUCET_WALLET} wallet still has less than ${coinsFromKoinu(minimumKoinu)} after mining: ` +
      'the regtest block reward may have halved to almost nothing',
  )
}

/** Pays `amountKoinu` from the faucet to `address`; resolves with the txid. */
export function faucetSend(address: string, amountKoinu: bigint): Promise<string> {
  return nodeRpc<string>('sendtoaddress', [address, coinsFromKoinu(amountKoinu)], FAUCET_WALLET)
}

/** What `address` (of the faucet wallet) received in transactions with `minimumConfirmations`. */
export function faucetReceivedKoinu(address: string, minimumConfirmations = 1): Promise<bigint> {
  return nodeRpcKoinu('getreceivedbyaddress', [address, minimumConfirmations], FAUCET_WALLET)
}

export interface NodeTransactionOutput {
  n: number
  /** The amount as the node printed it (a JSON number); compare with `outputsPaying` instead. */
  value: number
  scriptPubKey: { addresses?: string[]; address?: string }
}

/** The outputs of transaction `txid` that pay `address`, with exact amounts (needs -txindex). */
export async function outputsPaying(txid: string, address: string): Promise<{ vout: number; koinu: bigint }[]> {
  const { text, result } = await rpcCall('getrawtransaction', [txid, true])
  const transaction = result as { vout: NodeTransactionOutput[] }
  // The amounts again, as printed: `"value": 1.50000000` for each output in order.
  const printed = [...text.matchAll(/"value"\s*:\s*(\d+(?:\.\d+)?)/g)].map((match) => match[1] ?? '')
  return transaction.vout
    .map((output, index) => ({ output, printed: printed[index] ?? '' }))
    .filter(({ output }) => [...(output.scriptPubKey.addresses ?? []), output.scriptPubKey.address].includes(address))
    .map(({ output, printed: amount }) => ({ vout: output.n, koinu: koinuFromCoins(amount) }))
}
