// Interop peer for crates/rjose/tests/interop.rs: the JS `jose` package,
// and panva's `dpop` package for DPoP proofs (RFC 9449). `dpop` only makes
// proofs; ours are verified with `jose` (jwtVerify with EmbeddedJWK) and
// the DPoP checks of RFC 9449 section 4.3 written out below.
//
// Reads one JSON request on stdin, {"jobs": [...]}, runs every job and
// prints one JSON response, {"peer": ..., "capabilities": ..., "results": [...]},
// with one result per job, in order: {"ok": true, ...} or {"ok": false, "error": "..."}.
// Binary values (payloads, plaintexts, passwords) travel as base64url.
import * as dpop from 'dpop'
import * as jose from 'jose'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const version = require('jose/package.json').version
const dpopVersion = require('dpop/package.json').version

const b64 = (bytes) => Buffer.from(bytes).toString('base64url')
const unb64 = (text) => new Uint8Array(Buffer.from(text, 'base64url'))

// Which algorithm to name when importing a key of this shape.
function importAlg(jwk) {
  switch (jwk.kty) {
    case 'RSA':
      return 'PS256'
    case 'EC':
      return { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }[jwk.crv] ?? 'ECDH-ES'
    case 'OKP':
      return jwk.crv === 'X25519' ? 'ECDH-ES' : 'Ed25519'
    case 'AKP':
      return jwk.alg
    default:
      return 'HS256'
  }
}

async function importFor(jwk, alg) {
  const { alg: _ignored, key_ops: _ops, use: _use, ...bare } = jwk
  return jose.importJWK(bare, alg, { extractable: true })
}

async function thumbprintOf(key) {
  return jose.calculateJwkThumbprint(await jose.exportJWK(key))
}

async function probe(alg) {
  try {
    await jose.generateKeyPair(alg)
    return true
  } catch {
    return false
  }
}

const ops = {
  async sign({ alg, jwk, payload }) {
    const key = await importFor(jwk, alg)
    const token = await new jose.CompactSign(unb64(payload)).setProtectedHeader({ alg }).sign(key)
    return { token }
  },
  async verify({ alg, jwk, token }) {
    const key = await importFor(jwk, alg)
    const { payload, protectedHeader } = await jose.compactVerify(token, key, { algorithms: [alg] })
    if (protectedHeader.alg !== alg) throw new Error(`header alg ${protectedHeader.alg}`)
    return { payload: b64(payload) }
  },
  async encrypt({ alg, enc, jwk, password, plaintext, p2c }) {
    const key = password !== undefined ? unb64(password) : await importFor(jwk, alg)
    const jwe = new jose.CompactEncrypt(unb64(plaintext)).setProtectedHeader({ alg, enc })
    if (p2c !== undefined) jwe.setKeyManagementParameters({ p2c })
    return { token: await jwe.encrypt(key) }
  },
  async decrypt({ alg, enc, jwk, password, token }) {
    const key = password !== undefined ? unb64(password) : await importFor(jwk, alg)
    const { plaintext, protectedHeader } = await jose.compactDecrypt(token, key, {
      keyManagementAlgorithms: [alg],
      contentEncryptionAlgorithms: [enc],
    })
    if (protectedHeader.alg !== alg || protectedHeader.enc !== enc) throw new Error('header alg/enc')
    return { plaintext: b64(plaintext) }
  },
  // A fresh key pair (or secret) from this library, in every form it exports.
  async export_keys({ alg, crv }) {
    if (alg.startsWith('HS')) {
      const secret = await jose.generateSecret(alg, { extractable: true })
      const jwk = await jose.exportJWK(secret)
      return { jwk, thumbprint: await jose.calculateJwkThumbprint(jwk) }
    }
    const options = { extractable: true, ...(crv ? { crv } : {}) }
    const { publicKey, privateKey } = await jose.generateKeyPair(alg, options)
    const jwk = await jose.exportJWK(privateKey)
    return {
      jwk,
      public_jwk: await jose.exportJWK(publicKey),
      spki: await jose.exportSPKI(publicKey),
      pkcs8: await jose.exportPKCS8(privateKey),
      thumbprint: await jose.calculateJwkThumbprint(jwk),
    }
  },
  // Our key in every form we export: imported, re-exported, thumbprinted.
  async import_keys({ jwk, public_jwk, spki, pkcs8 }) {
    const alg = importAlg(jwk)
    const out = {
      jwk: await thumbprintOf(await importFor(jwk, alg)),
      jwk_direct: await jose.calculateJwkThumbprint(jwk),
    }
    if (public_jwk) out.public_jwk = await thumbprintOf(await importFor(public_jwk, alg))
    if (spki) out.spki = await thumbprintOf(await jose.importSPKI(spki, alg, { extractable: true }))
    if (pkcs8) out.pkcs8 = await thumbprintOf(await jose.importPKCS8(pkcs8, alg, { extractable: true }))
    return out
  },
  async jwt_sign({ alg, jwk, claims }) {
    const key = await importFor(jwk, alg)
    return { token: await new jose.SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(key) }
  },
  async jwt_verify({ alg, jwk, token, issuer, audience }) {
    const key = await importFor(jwk, alg)
    const { payload } = await jose.jwtVerify(token, key, { algorithms: [alg], issuer, audience })
    return { claims: payload }
  },
  // A proof from the `dpop` package, with a fresh key pair of its own.
  async dpop_proof({ alg, htm, htu, nonce, access_token }) {
    const keypair = await dpop.generateKeyPair(alg)
    const proof = await dpop.generateProof(keypair, htu, htm, nonce, access_token)
    return { proof, jkt: await dpop.calculateThumbprint(keypair.publicKey) }
  },
  // Our proof, checked as a server would (RFC 9449 section 4.3): one JWS
  // with typ dpop+jwt, the allowed alg, a public jwk that verifies it, the
  // claims of the request, a recent iat, the nonce and the token's hash.
  async dpop_verify({ alg, proof, htm, htu, nonce, access_token }) {
    const { payload, protectedHeader } = await jose.jwtVerify(proof, jose.EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: [alg],
      maxTokenAge: '5m',
      clockTolerance: '30s',
      requiredClaims: ['jti', 'htm', 'htu', 'iat'],
    })
    const { jwk } = protectedHeader
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth', 'priv']) {
      if (member in jwk) throw new Error(`jwk carries the private member ${member}`)
    }
    const expect = (claim, value) => {
      if (payload[claim] !== value) throw new Error(`${claim} is ${payload[claim]}, expected ${value}`)
    }
    expect('htm', htm)
    expect('htu', htu)
    expect('nonce', nonce)
    expect('ath', access_token === undefined ? undefined : createHash('sha256').update(access_token).digest('base64url'))
    if (typeof payload.jti !== 'string' || payload.jti.length < 16) throw new Error(`jti ${payload.jti}`)
    return { jkt: await jose.calculateJwkThumbprint(jwk) }
  },
}

const request = JSON.parse(readFileSync(0, 'utf8'))
const results = []
for (const job of request.jobs) {
  try {
    const op = ops[job.op]
    if (!op) throw new Error(`unknown op ${job.op}`)
    results.push({ ok: true, ...(await op(job)) })
  } catch (err) {
    results.push({ ok: false, error: `${err?.code ?? err?.name ?? 'Error'}: ${err?.message ?? err}` })
  }
}
const capabilities = { ml_dsa: await probe('ML-DSA-44'), dpop: dpopVersion }
process.stdout.write(
  JSON.stringify({ peer: `jose ${version} (Node.js ${process.versions.node})`, capabilities, results }),
)
