/**
 * Where the server may send a push message. A subscription's endpoint is a URL the customer
 * chose: without these rules it would make the server POST to its own network (SSRF). The rules
 * (docs/security.md, "Web Push"): `https:` on port 443, no credentials in the URL, and a host
 * whose every address is public unicast. The check runs at subscribe time and again before each
 * send, and the send connects to the address that was checked, so a DNS answer that changes in
 * between (rebinding) cannot redirect it.
 */
import { lookup as dnsLookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'

/** Blocked IPv4 ranges: this-network, private, CGNAT, loopback, link-local, special, documentation, benchmarking, multicast, reserved, broadcast. */
const BLOCKED_V4: readonly [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
]
/**
 * IPv6: only global unicast (2000::/3) can be public, minus the IETF protocol block (Teredo
 * among others), documentation and 6to4 (whose embedded IPv4 address may be private). Loopback,
 * unspecified, unique-local, link-local, multicast, NAT64 and IPv4-compatible forms all lie
 * outside 2000::/3. IPv4-mapped addresses are judged by the IPv4 address they carry.
 */
const BLOCKED_V6: readonly [string, number][] = [
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['3fff::', 20],
]

const blockedV4 = new BlockList()
for (const [net, prefix] of BLOCKED_V4) blockedV4.addSubnet(net, prefix, 'ipv4')
const globalV6 = new BlockList()
globalV6.addSubnet('2000::', 3, 'ipv6')
const blockedV6 = new BlockList()
for (const [net, prefix] of BLOCKED_V6) blockedV6.addSubnet(net, prefix, 'ipv6')

/** The IPv4 address inside `::ffff:a.b.c.d` (in any spelling), or undefined. */
function mappedV4(address: string): string | undefined {
  // The URL parser canonicalises IPv6 (lower case, compressed, embedded IPv4 in hex).
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1)
  const match = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical)
  if (!match) return undefined
  const high = parseInt(match[1]!, 16)
  const low = parseInt(match[2]!, 16)
  return [high >> 8, high & 255, low >> 8, low & 255].join('.')
}

/** True when `address` (an IP literal) is public unicast: the only kind a push may go to. */
function isPublicAddress(address: string): boolean {
  const family = isIP(address)
  if (family === 4) return !blockedV4.check(address, 'ipv4')
  if (family !== 6) return false
  const v4 = mappedV4(address)
  if (v4 !== undefined) return isPublicAddress(v4)
  return globalV6.check(address, 'ipv6') && !blockedV6.check(address, 'ipv6')
}

type LookupAll = (hostname: string) => Promise<{ address: string; family: number }[]>

const systemLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true })

export interface EndpointPolicy {
  /** ORDERLINE_PUSH_ALLOW_INSECURE=1 (tests only): also `http://127.0.0.1:<port>`. */
  allowInsecureLoopback: boolean
  lookup?: LookupAll
  /** DNS answers slower than this refuse the endpoint. */
  lookupTimeoutMs?: number
}

/** A checked endpoint: connect to `address`, present `url.hostname` (TLS SNI, Host). */
export interface ResolvedEndpoint {
  url: URL
  address: string
  family: 4 | 6
}

export type EndpointCheck =
  | { ok: true; endpoint: ResolvedEndpoint }
  | { ok: false; code: 'push_endpoint_invalid' | 'push_endpoint_forbidden' | 'push_endpoint_unresolvable'; message: string }

const invalid = (message: string): EndpointCheck => ({ ok: false, code: 'push_endpoint_invalid', message })
const forbidden = (message: string): EndpointCheck => ({ ok: false, code: 'push_endpoint_forbidden', message })

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('DNS lookup timed out')), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Checks a push endpoint and resolves its host. Every address the name resolves to must be
 * public: a name answering with one public and one private address is refused, since the
 * connection could land on either.
 */
export async function checkPushEndpoint(raw: string, policy: EndpointPolicy): Promise<EndpointCheck> {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return invalid('endpoint: not a URL')
  }
  if (url.username !== '' || url.password !== '') return invalid('endpoint: must not carry credentials')
  if (policy.allowInsecureLoopback && url.protocol === 'http:' && url.hostname === '127.0.0.1') {
    return { ok: true, endpoint: { url, address: '127.0.0.1', family: 4 } }
  }
  if (url.protocol !== 'https:') return invalid('endpoint: must be an https: URL')
  // The URL parser drops the default port: an empty port is 443.
  if (url.port !== '') return invalid('endpoint: must use the default https port (443)')
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
  if (host === '') return invalid('endpoint: has no host')

  const literal = isIP(host)
  if (literal !== 0) {
    if (!isPublicAddress(host)) return forbidden('endpoint: the host is not a public address')
    return { ok: true, endpoint: { url, address: host, family: literal === 6 ? 6 : 4 } }
  }
  let addresses: { address: string; family: number }[]
  try {
    addresses = await withTimeout((policy.lookup ?? systemLookup)(host), policy.lookupTimeoutMs ?? 5_000)
  } catch {
    return { ok: false, code: 'push_endpoint_unresolvable', message: 'endpoint: the host name does not resolve' }
  }
  if (addresses.length === 0) return { ok: false, code: 'push_endpoint_unresolvable', message: 'endpoint: the host name does not resolve' }
  if (!addresses.every((entry) => isPublicAddress(entry.address))) return forbidden('endpoint: the host resolves to a non-public address')
  const first = addresses[0]!
  return { ok: true, endpoint: { url, address: first.address, family: first.family === 6 ? 6 : 4 } }
}
