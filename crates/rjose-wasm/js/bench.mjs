// Times rjose-wasm's `Verifier.verify` against npm `jose`'s `jwtVerify`
// in Node.js, on the same tokens: those of bench/jose-node/bench.mjs and
// bench/benches/jwt.rs (same keys, claims and header), signed once by npm
// `jose`. Keys are prepared once on both sides: npm `jose` gets an
// imported CryptoKey (importSPKI; the HMAC secret through
// crypto.subtle.importKey) or a createLocalJWKSet, rjose-wasm a `Verifier`
// built from the same PEM, secret or JWK Set. Both check the signature,
// exp, nbf, iss and aud with the same options.
//
//   crates/rjose-wasm/js/bench.sh      (builds both packages, then runs this)
//
// Everything is interleaved: ROUNDS rounds, each timing one batch of every
// measurement of every case, starting from a different one each round;
// the tables give the median over rounds of the time per operation.
// Environment: ROUNDS (default 40), BATCH_MS (target length of one batch,
// default 100), FILTER (a substring of the case name), RJOSE_WASM_PKG (the
// package directory, default target/rjose-wasm/nodejs), RJOSE_WASM_PROBES
// (a package built with the `bench-internals` feature, default
// target/rjose-wasm-bench/nodejs; its probes time the layers under
// `verify` inside wasm, and are skipped if it is absent). Prints Markdown
// tables on stdout, progress on stderr.

import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

// The token of bench/benches/jwt.rs: keys, secret and claims.
import { AUDIENCE, ISSUER, SECRET, claims, pem } from '../../../bench/jose-node/token.mjs'
import { jose, joseVersion, rjose } from './test/support.mjs'

const root = fileURLToPath(new URL('../../../', import.meta.url))

const ROUNDS = Number(process.env.ROUNDS ?? 40)
const BATCH_MS = Number(process.env.BATCH_MS ?? 100)
const FILTER = process.env.FILTER ?? ''

const PEMS = { RS256: 'rsa', ES256: 'ec', EdDSA: 'ed25519' }
const WEBCRYPTO = {
  HS256: { name: 'HMAC' },
  RS256: { name: 'RSASSA-PKCS1-v1_5' },
  ES256: { name: 'ECDSA', hash: 'SHA-256' },
  EdDSA: { name: 'Ed25519' },
}

const probesDir = path.resolve(root, process.env.RJOSE_WASM_PROBES ?? 'target/rjose-wasm-bench/nodejs')
const probes = existsSync(path.join(probesDir, 'rjose_wasm.js'))
  ? createRequire(import.meta.url)(path.join(probesDir, 'rjose_wasm.js'))
  : null

/** SubjectPublicKeyInfo DER of a PEM public key. */
const der = (text) => Buffer.from(text.replace(/-----[^-]+-----|\s/g, ''), 'base64')

/** One benchmark case: a token and both libraries' prepared verifiers. */
async function prepare(alg, viaJwks) {
  const options = { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE }
  let signingKey, joseKey, ours, rawKey, oursKey
  if (alg === 'HS256') {
    rawKey = SECRET
    oursKey = SECRET
    signingKey = SECRET
    joseKey = await crypto.subtle.importKey('raw', SECRET, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
    ours = new rjose.Verifier(SECRET)
  } else {
    const name = PEMS[alg]
    signingKey = await jose.importPKCS8(pem(`${name}.pem`), alg)
    const publicPem = pem(`${name}.pub.pem`)
    rawKey = der(publicPem)
    oursKey = publicPem
    if (viaJwks) {
      const publicKey = await jose.importSPKI(publicPem, alg, { extractable: true })
      const jwks = { keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'bench-1', alg, use: 'sig' }] }
      joseKey = jose.createLocalJWKSet(jwks)
      ours = new rjose.Verifier(jwks)
    } else {
      joseKey = await jose.importSPKI(publicPem, alg)
      ours = new rjose.Verifier(publicPem)
    }
  }
  const header = viaJwks ? { alg, typ: 'JWT', kid: 'bench-1' } : { alg, typ: 'JWT' }
  const token = await new jose.SignJWT(claims).setProtectedHeader(header).sign(signingKey)
  const joseVerify = async () => (await jose.jwtVerify(token, joseKey, options)).payload
  const oursVerify = () => ours.verify(token, options).payload
  // Both must accept the token and return the same claims before timing.
  const a = await joseVerify()
  const b = oursVerify()
  if (JSON.stringify(a) !== JSON.stringify(b) || b.scope !== claims.scope) {
    throw new Error(`${alg}: the two libraries disagree on the claims`)
  }
  const ops = { ours: timedSync(oursVerify), jose: timedAsync(joseVerify) }
  if (!viaJwks) {
    // The layers under each, on the same token.
    const dot = token.lastIndexOf('.')
    const input = new TextEncoder().encode(token.slice(0, dot))
    const signature = Buffer.from(token.slice(dot + 1), 'base64url')
    const subtle = () => crypto.subtle.verify(WEBCRYPTO[alg], joseKey, signature, input)
    if (!(await subtle())) throw new Error(`${alg}: WebCrypto refuses the signature`)
    ops.subtle = timedAsync(subtle)
    if (probes) {
      ops.jwt = timedLoop((n) => probes.benchJwtVerify(token, oursKey, options, n))
      ops.jws = timedLoop((n) => probes.benchJwsVerify(token, oursKey, n))
      ops.signature = timedLoop((n) => probes.benchSignatureVerify(alg, rawKey, token, n))
    }
  }
  return ops
}

// Each op below takes a count and returns the milliseconds `count` calls took.
const timedSync = (fn) => async (n) => {
  const start = performance.now()
  for (let i = 0; i < n; i++) fn()
  return performance.now() - start
}
const timedAsync = (fn) => async (n) => {
  const start = performance.now()
  for (let i = 0; i < n; i++) await fn()
  return performance.now() - start
}
/** A probe that loops inside wasm. */
const timedLoop = (probe) => async (n) => {
  const start = performance.now()
  probe(n)
  return performance.now() - start
}

/** Warms `op` up for about a second and returns a batch size of about BATCH_MS. */
async function calibrate(op) {
  let n = 1
  let total = 0
  let calls = 0
  while (total < 1000) {
    total += await op(n)
    calls += n
    n *= 2
  }
  return Math.max(1, Math.round((BATCH_MS * calls) / total))
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const cases = []
for (const [name, alg, viaJwks] of [
  ['HS256', 'HS256', false],
  ['RS256', 'RS256', false],
  ['ES256', 'ES256', false],
  ['EdDSA', 'EdDSA', false],
  ['ES256, JWK Set', 'ES256', true],
]) {
  if (!name.includes(FILTER)) continue
  const ops = await prepare(alg, viaJwks)
  process.stderr.write(`calibrating ${name}\n`)
  const sizes = {}
  for (const [id, op] of Object.entries(ops)) sizes[id] = await calibrate(op)
  const times = Object.fromEntries(Object.keys(ops).map((id) => [id, []]))
  cases.push({ name, ops, sizes, times })
}

// Every op of every case once per round, starting from a different one
// in each round, so that drifts in the machine's speed fall on all alike.
for (let round = 0; round < ROUNDS; round++) {
  process.stderr.write(`\rround ${round + 1}/${ROUNDS}`)
  for (const c of cases) {
    const ids = Object.keys(c.ops)
    for (let k = 0; k < ids.length; k++) {
      const id = ids[(k + round) % ids.length]
      c.times[id].push(((await c.ops[id](c.sizes[id])) * 1000) / c.sizes[id])
    }
  }
}
process.stderr.write('\n')

const us = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1))
const ops = (x) => Math.round(1e6 / x).toLocaleString('en-US')

console.log(`Node.js ${process.version}, npm jose ${joseVersion}, ${ROUNDS} rounds of ~${BATCH_MS} ms batches;`)
console.log('')
console.log('| verify | rjose-wasm µs/op | ops/s | npm jose µs/op | ops/s | rjose-wasm ÷ jose |')
console.log('|---|--:|--:|--:|--:|--:|')
for (const c of cases) {
  const ours = median(c.times.ours)
  const theirs = median(c.times.jose)
  console.log(
    `| ${c.name} | ${us(ours)} | ${ops(ours)} | ${us(theirs)} | ${ops(theirs)} | ${(ours / theirs).toFixed(2)}× |`,
  )
}

// Where the time goes: the same token, each layer timed alone.
const layered = cases.filter((c) => c.ops.subtle)
if (layered.length) {
  const cell = (c, id) => (c.times[id] ? us(median(c.times[id])) : 'n/a')
  console.log('')
  console.log(
    '| verify | rjose-wasm `verify` | its JWT check, in wasm | its JWS check, in wasm | its signature check alone, in wasm | npm jose `jwtVerify` | `crypto.subtle.verify` alone |',
  )
  console.log('|---|--:|--:|--:|--:|--:|--:|')
  for (const c of layered) {
    console.log(
      `| ${c.name} | ${cell(c, 'ours')} | ${cell(c, 'jwt')} | ${cell(c, 'jws')} | ${cell(c, 'signature')} | ${cell(c, 'jose')} | ${cell(c, 'subtle')} |`,
    )
  }
  console.log('')
  console.log('µs per operation, medians, measured in the same rounds as the table above.')
}
