// rjose-wasm used as a Worker uses it: a JWK Set imported once at module
// scope, a fetch handler that verifies the bearer token of each request
// and answers 401 with the error's code when it does not pass.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import { AUDIENCE, ISSUER, jose, rjose } from './support.mjs'

const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true })
const JWKS = { keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] }

// The Worker: what a `export default { fetch }` module holds.
const verifier = new rjose.Verifier(JWKS)
const worker = {
  async fetch(request) {
    const auth = request.headers.get('authorization') ?? ''
    const token = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : ''
    try {
      const { payload } = verifier.verify(token, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'] })
      return Response.json({ hello: payload.sub })
    } catch (err) {
      return Response.json({ error: err.code }, { status: 401 })
    }
  },
}

function request(token) {
  const headers = token === undefined ? {} : { authorization: `Bearer ${token}` }
  return new Request('https://api.example.com/orders', { headers })
}

function token({ exp = '5m', aud = AUDIENCE } = {}) {
  return new jose.SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer(ISSUER)
    .setAudience(aud)
    .setSubject('ada')
    .setExpirationTime(exp)
    .sign(privateKey)
}

test('the worker answers a request with a valid bearer token', async () => {
  const response = await worker.fetch(request(await token()))

  assert.equal(response.status, 200)
  assert.deepEqual(await response.json(), { hello: 'ada' })
})

test('the worker refuses a request without a token as an invalid JWS', async () => {
  const response = await worker.fetch(request(undefined))

  assert.equal(response.status, 401)
  assert.deepEqual(await response.json(), { error: 'ERR_JWS_INVALID' })
})

test('the worker refuses an expired token with ERR_JWT_EXPIRED', async () => {
  const response = await worker.fetch(request(await token({ exp: '10m ago' })))

  assert.equal(response.status, 401)
  assert.deepEqual(await response.json(), { error: 'ERR_JWT_EXPIRED' })
})

test('the worker refuses a token minted for another audience', async () => {
  const response = await worker.fetch(request(await token({ aud: 'https://other.example.com' })))

  assert.equal(response.status, 401)
  assert.deepEqual(await response.json(), { error: 'ERR_JWT_CLAIM_VALIDATION_FAILED' })
})

test('one verifier serves many requests in a row', async () => {
  const tokens = await Promise.all(Array.from({ length: 50 }, () => token()))
  for (const t of tokens) {
    assert.equal((await worker.fetch(request(t))).status, 200)
  }
})
