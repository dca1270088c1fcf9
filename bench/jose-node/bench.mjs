// Times the JS `jose` package (https://github.com/panva/jose) on the same
// tokens as bench/benches/jwt.rs: the same keys, claims and header,
// sign with SignJWT and verify with jwtVerify (signature, exp, nbf, iss,
// aud), one operation at a time, after a warm-up.
//
//   npm ci --prefix bench/jose-node && node bench/jose-node/bench.mjs > out.json
//
// Prints JSON: { node, jose, results: { "HS256/sign": { mean_ns, median_ns,
// ... }, ... } } on stdout, progress on stderr. Options (environment):
// WARMUP_MS (default 1000), MEASURE_MS (3000), SAMPLES (50), FILTER (a
// substring of the benchmark id, e.g. "ES256").

import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'
import { SignJWT, jwtVerify, importPKCS8, importSPKI } from 'jose'

import { AUDIENCE, ISSUER, SECRET, claims, pem } from './token.mjs'

const WARMUP_MS = Number(process.env.WARMUP_MS ?? 1000)
const MEASURE_MS = Number(process.env.MEASURE_MS ?? 3000)
const SAMPLES = Number(process.env.SAMPLES ?? 50)
const FILTER = process.env.FILTER ?? ''

async function keysFor(alg) {
  switch (alg) {
    case 'HS256':
      return { privateKey: SECRET, publicKey: SECRET }
    case 'RS256':
    case 'PS256':
      return {
        privateKey: await importPKCS8(pem('rsa.pem'), alg),
        publicKey: await importSPKI(pem('rsa.pub.pem'), alg),
      }
    case 'ES256':
      return {
        privateKey: await importPKCS8(pem('ec.pem'), alg),
        publicKey: await importSPKI(pem('ec.pub.pem'), alg),
      }
    case 'EdDSA':
      return {
        privateKey: await importPKCS8(pem('ed25519.pem'), alg),
        publicKey: await importSPKI(pem('ed25519.pub.pem'), alg),
      }
    default:
      throw new Error(`unknown alg ${alg}`)
  }
}

// Runs `op` one call at a time: warm-up, then SAMPLES batches filling
// MEASURE_MS; returns nanoseconds per operation.
async function measure(op) {
  let iterations = 0
  const warmupEnd = performance.now() + WARMUP_MS
  const warmupStart = performance.now()
  while (performance.now() < warmupEnd) {
    await op()
    iterations++
  }
  const perOpMs = (performance.now() - warmupStart) / iterations
  const batch = Math.max(1, Math.round(MEASURE_MS / SAMPLES / perOpMs))
  const perOp = []
  for (let s = 0; s < SAMPLES; s++) {
    const start = performance.now()
    for (let i = 0; i < batch; i++) {
      await op()
    }
    perOp.push(((performance.now() - start) * 1e6) / batch)
  }
  const sorted = [...perOp].sort((a, b) => a - b)
  const mean = perOp.reduce((a, b) => a + b, 0) / perOp.length
  return {
    mean_ns: mean,
    median_ns: sorted[Math.floor(sorted.length / 2)],
    min_ns: sorted[0],
    max_ns: sorted[sorted.length - 1],
    samples: SAMPLES,
    iterations_per_sample: batch,
  }
}

const results = {}
for (const alg of ['HS256', 'RS256', 'PS256', 'ES256', 'EdDSA']) {
  if (!`${alg}/sign ${alg}/verify`.includes(FILTER)) continue
  const { privateKey, publicKey } = await keysFor(alg)
  const header = { alg, typ: 'JWT' }
  const options = { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE }
  const sign = () => new SignJWT(claims).setProtectedHeader(header).sign(privateKey)
  const token = await sign()
  const verify = async () => {
    const { payload } = await jwtVerify(token, publicKey, options)
    return payload
  }
  const checked = await verify()
  if (checked.scope !== claims.scope) throw new Error(`${alg}: verify returned the wrong claims`)

  for (const [op, fn] of [
    ['sign', sign],
    ['verify', verify],
  ]) {
    const id = `${alg}/${op}`
    if (!id.includes(FILTER)) continue
    process.stderr.write(`node jose ${id} ... `)
    results[id] = await measure(fn)
    process.stderr.write(`${(results[id].mean_ns / 1000).toFixed(2)} µs\n`)
  }
}

const require = createRequire(import.meta.url)
const joseVersion = require('jose/package.json').version
process.stdout.write(
  JSON.stringify({ node: process.version, jose: joseVersion, results }, null, 2) + '\n',
)
