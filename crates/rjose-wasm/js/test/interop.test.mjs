// Tokens made by npm `jose` verify with rjose-wasm, and tokens made by
// rjose-wasm verify with npm `jose`'s jwtVerify, for every signature
// algorithm a Worker meets.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import { AUDIENCE, ISSUER, jose, rjose } from './support.mjs'

const ASYMMETRIC = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA']

/** A key pair made by npm `jose`, as CryptoKeys and as JWKs with `kid` and `alg`. */
async function joseKeyPair(alg) {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true })
  const kid = `${alg}-key`
  const privateJwk = { ...(await jose.exportJWK(privateKey)), kid, alg }
  const publicJwk = { ...(await jose.exportJWK(publicKey)), kid, alg }
  return { privateKey, publicKey, privateJwk, publicJwk, kid }
}

function joseToken(alg, key, kid) {
  return new jose.SignJWT({ role: 'admin', scope: 'orders:read' })
    .setProtectedHeader({ alg, kid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject('user-1')
    .setIssuedAt()
    .setExpirationTime('15m')
    .sign(key)
}

for (const alg of ASYMMETRIC) {
  test(`a ${alg} token signed by npm jose verifies with rjose-wasm against a JWK Set`, async () => {
    const pair = await joseKeyPair(alg)
    const other = await joseKeyPair(alg === 'EdDSA' ? 'ES256' : 'EdDSA')
    const token = await joseToken(alg, pair.privateKey, pair.kid)
    const verifier = new rjose.Verifier({ keys: [other.publicJwk, pair.publicJwk] })

    const { payload, protectedHeader } = verifier.verify(token, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: [alg],
    })

    assert.deepEqual(protectedHeader, { alg, kid: pair.kid, typ: 'JWT' })
    assert.equal(payload.role, 'admin')
    assert.equal(payload.sub, 'user-1')
    assert.equal(payload.iss, ISSUER)
  })

  test(`a ${alg} token signed by rjose-wasm verifies with npm jose's jwtVerify`, async () => {
    const pair = await joseKeyPair(alg)
    const token = rjose.sign({ role: 'admin' }, pair.privateJwk, {
      alg,
      typ: 'JWT',
      issuer: ISSUER,
      audience: AUDIENCE,
      subject: 'user-1',
      issuedAt: true,
      expirationTime: '15m',
      jti: 'token-1',
    })

    const JWKS = jose.createLocalJWKSet({ keys: [pair.publicJwk] })
    const { payload, protectedHeader } = await jose.jwtVerify(token, JWKS, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: [alg],
    })

    assert.deepEqual(protectedHeader, { alg, kid: pair.kid, typ: 'JWT' })
    assert.equal(payload.role, 'admin')
    assert.equal(payload.jti, 'token-1')
    assert.equal(payload.exp - payload.iat, 15 * 60)
  })
}

test('an HS256 token signed by npm jose verifies with rjose-wasm, given the secret', async () => {
  const secret = crypto.getRandomValues(new Uint8Array(32))
  const token = await joseToken('HS256', secret, undefined)

  const { payload } = new rjose.Verifier(secret).verify(token, {
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['HS256'],
  })

  assert.equal(payload.role, 'admin')
})

test('an HS256 token signed by rjose-wasm verifies with npm jose', async () => {
  const secret = crypto.getRandomValues(new Uint8Array(32))
  const token = rjose.sign({ role: 'admin' }, secret, { alg: 'HS256', audience: AUDIENCE, expirationTime: '5m' })

  const { payload } = await jose.jwtVerify(token, secret, { audience: AUDIENCE, algorithms: ['HS256'] })

  assert.equal(payload.role, 'admin')
})

test('a key pair from generateKeyPair signs tokens npm jose verifies with its public JWK', async () => {
  for (const alg of ['ES256', 'EdDSA']) {
    const { privateKey, publicKey } = rjose.generateKeyPair(alg)
    assert.equal(publicKey.alg, alg)
    assert.equal(publicKey.d, undefined)
    const token = rjose.sign({ n: 1 }, privateKey, { expirationTime: '1m' })

    const { payload, protectedHeader } = await jose.jwtVerify(token, await jose.importJWK(publicKey, alg))

    assert.equal(protectedHeader.alg, alg)
    assert.equal(payload.n, 1)
  }
})
