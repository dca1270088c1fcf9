// The verify options and the refusals, each pinned by the error's `code`,
// at a fixed time (`currentDate`) so that no test depends on the clock.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import { AUDIENCE, ISSUER, jose, rjose, thrown } from './support.mjs'

const NOW = 1_700_000_000
const { privateKey: PRIVATE, publicKey: PUBLIC } = rjose.generateKeyPair('ES256')
const JWKS = { keys: [{ ...PUBLIC, kid: 'k1' }] }
const verifier = new rjose.Verifier(JWKS)
const b64url = (text) => Buffer.from(text).toString('base64url')

/** A token for ISSUER and AUDIENCE valid from NOW - 60 to NOW + 600, with
 * `claims` and `options` overriding the defaults. */
function token(claims = {}, options = {}) {
  return rjose.sign({ iss: ISSUER, aud: AUDIENCE, sub: 'ada', iat: NOW - 60, exp: NOW + 600, ...claims }, PRIVATE, {
    kid: 'k1',
    ...options,
  })
}

const at = (extra = {}) => ({ issuer: ISSUER, audience: AUDIENCE, currentDate: NOW, ...extra })

test('a valid token returns its payload and protected header', () => {
  const { payload, protectedHeader } = verifier.verify(token({ role: 'admin' }), at())

  assert.deepEqual(protectedHeader, { alg: 'ES256', kid: 'k1' })
  assert.deepEqual(payload, { iss: ISSUER, aud: AUDIENCE, sub: 'ada', iat: NOW - 60, exp: NOW + 600, role: 'admin' })
})

test('the one-shot verify takes the same key and options as a Verifier', () => {
  assert.equal(rjose.verify(token(), JWKS, at()).payload.sub, 'ada')
  assert.equal(rjose.verify(token(), JSON.stringify(JWKS), at()).payload.sub, 'ada')
  assert.equal(rjose.verify(token(), PUBLIC, at()).payload.sub, 'ada')
})

test('rejects an expired token with ERR_JWT_EXPIRED, its claim and payload', () => {
  const err = thrown(() => verifier.verify(token({ exp: NOW - 1 }), at()))

  assert.ok(err instanceof Error)
  assert.equal(err.code, 'ERR_JWT_EXPIRED')
  assert.equal(err.claim, 'exp')
  assert.equal(err.reason, 'check_failed')
  assert.equal(err.payload.sub, 'ada')
  assert.match(err.message, /"exp" claim timestamp check failed/)
})

test('clockTolerance as seconds or as a span accepts a just-expired token', () => {
  const late = token({ exp: NOW - 20 })
  assert.equal(verifier.verify(late, at({ clockTolerance: 30 })).payload.sub, 'ada')
  assert.equal(verifier.verify(late, at({ clockTolerance: '30s' })).payload.sub, 'ada')
  assert.equal(thrown(() => verifier.verify(late, at({ clockTolerance: '10s' }))).code, 'ERR_JWT_EXPIRED')
})

test('currentDate takes a Date as well as Unix seconds', () => {
  const t = token()
  assert.equal(verifier.verify(t, at({ currentDate: new Date(NOW * 1000) })).payload.sub, 'ada')
  const later = new Date((NOW + 3600) * 1000)
  assert.equal(thrown(() => verifier.verify(t, at({ currentDate: later }))).code, 'ERR_JWT_EXPIRED')
})

test('the clock defaults to Date.now()', () => {
  const fresh = rjose.sign({ aud: AUDIENCE }, PRIVATE, { expirationTime: '5m', issuedAt: true })
  assert.equal(verifier.verify(fresh, { audience: AUDIENCE }).payload.aud, AUDIENCE)
  assert.equal(thrown(() => verifier.verify(token(), { audience: AUDIENCE })).code, 'ERR_JWT_EXPIRED')
})

test('rejects a token for another audience, and accepts any of several expected', () => {
  const err = thrown(() => verifier.verify(token({ aud: 'https://other.example.com' }), at()))
  assert.equal(err.code, 'ERR_JWT_CLAIM_VALIDATION_FAILED')
  assert.equal(err.claim, 'aud')
  assert.equal(err.reason, 'check_failed')

  const several = at({ audience: ['https://other.example.com', AUDIENCE] })
  assert.equal(verifier.verify(token(), several).payload.sub, 'ada')
})

test('rejects a token that names an audience when none is expected, unless allowAnyAudience', () => {
  const options = { issuer: ISSUER, currentDate: NOW }
  const err = thrown(() => verifier.verify(token(), options))
  assert.equal(err.code, 'ERR_JWT_CLAIM_VALIDATION_FAILED')
  assert.equal(err.claim, 'aud')

  assert.equal(verifier.verify(token(), { ...options, allowAnyAudience: true }).payload.sub, 'ada')
})

test('rejects a token from another issuer', () => {
  const err = thrown(() => verifier.verify(token({ iss: 'https://evil.example.com' }), at()))

  assert.equal(err.code, 'ERR_JWT_CLAIM_VALIDATION_FAILED')
  assert.equal(err.claim, 'iss')
})

test('rejects a token without exp, unless allowMissingExp', () => {
  const err = thrown(() => verifier.verify(token({ exp: undefined }), at()))
  assert.equal(err.code, 'ERR_JWT_CLAIM_VALIDATION_FAILED')
  assert.equal(err.claim, 'exp')
  assert.equal(err.reason, 'missing')

  assert.equal(verifier.verify(token({ exp: undefined }), at({ allowMissingExp: true })).payload.sub, 'ada')
})

test('rejects an algorithm that is not allowed', () => {
  const err = thrown(() => verifier.verify(token(), at({ algorithms: ['RS256', 'EdDSA'] })))

  assert.equal(err.code, 'ERR_JOSE_ALG_NOT_ALLOWED')
})

test('rejects an unsecured token (alg "none")', () => {
  const unsecured = `${b64url('{"alg":"none","kid":"k1"}')}.${b64url(JSON.stringify({ sub: 'ada', exp: NOW + 600 }))}.`

  const err = thrown(() => verifier.verify(unsecured, at()))

  assert.equal(err.code, 'ERR_JOSE_ALG_NOT_ALLOWED')
})

test('rejects a token whose payload was tampered with', () => {
  const [header, , signature] = token().split('.')
  const forged = b64url(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'root', iat: NOW - 60, exp: NOW + 600 }))

  const err = thrown(() => verifier.verify(`${header}.${forged}.${signature}`, at()))

  assert.equal(err.code, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED')
})

test('rejects a token signed by a key that is not in the set', () => {
  const stranger = rjose.generateKeyPair('ES256').privateKey
  const foreign = rjose.sign({ aud: AUDIENCE, exp: NOW + 600 }, stranger, { kid: 'k2' })

  assert.equal(thrown(() => verifier.verify(foreign, at())).code, 'ERR_JWKS_NO_MATCHING_KEY')
})

test('rejects a token whose typ is not the expected one', () => {
  const err = thrown(() => verifier.verify(token({}, { typ: 'JWT' }), at({ typ: 'at+jwt' })))

  assert.equal(err.code, 'ERR_JWT_CLAIM_VALIDATION_FAILED')
  assert.equal(err.claim, 'typ')
  assert.equal(verifier.verify(token({}, { typ: 'at+jwt' }), at({ typ: 'at+jwt' })).protectedHeader.typ, 'at+jwt')
})

test('maxTokenAge and requiredClaims are enforced', () => {
  const old = token({ iat: NOW - 7200 })
  assert.equal(thrown(() => verifier.verify(old, at({ maxTokenAge: '1h' }))).code, 'ERR_JWT_EXPIRED')
  assert.equal(verifier.verify(old, at({ maxTokenAge: 3 * 3600 })).payload.sub, 'ada')

  const err = thrown(() => verifier.verify(token(), at({ requiredClaims: ['jti'] })))
  assert.equal(err.code, 'ERR_JWT_CLAIM_VALIDATION_FAILED')
  assert.equal(err.claim, 'jti')
  assert.equal(err.reason, 'missing')
})

test('an unknown or mistyped option is refused, not ignored', () => {
  for (const bad of [{ issuers: ISSUER }, { audience: 42 }, { clockTolerance: -1 }, { clockTolerance: '30' }]) {
    assert.equal(thrown(() => verifier.verify(token(), at(bad))).code, 'ERR_JOSE_INVALID_ARGUMENT', JSON.stringify(bad))
  }
  assert.equal(thrown(() => verifier.verify(token(), 'x')).code, 'ERR_JOSE_INVALID_ARGUMENT')
  assert.equal(thrown(() => verifier.verify(token(), at({ algorithms: ['XS256'] }))).code, 'ERR_JOSE_NOT_SUPPORTED')
})

test('a token that is not a string is an invalid JWS', () => {
  for (const input of [undefined, null, 42, {}]) {
    assert.equal(thrown(() => verifier.verify(input, at())).code, 'ERR_JWS_INVALID')
  }
})

test('a JWK Set hands out its oct keys only with allowSymmetric', async () => {
  const secret = crypto.getRandomValues(new Uint8Array(32))
  const set = { keys: [{ kty: 'oct', kid: 'h1', k: Buffer.from(secret).toString('base64url') }] }
  const hs = await new jose.SignJWT({ aud: AUDIENCE, exp: NOW + 60 })
    .setProtectedHeader({ alg: 'HS256', kid: 'h1' })
    .sign(secret)

  const options = { audience: AUDIENCE, currentDate: NOW }
  assert.equal(thrown(() => new rjose.Verifier(set).verify(hs, options)).code, 'ERR_JOSE_INVALID_KEY_USE')
  assert.equal(new rjose.Verifier(set, { allowSymmetric: true }).verify(hs, options).payload.aud, AUDIENCE)
})

test('a key that cannot be imported is refused by the constructor', () => {
  assert.equal(thrown(() => new rjose.Verifier({ keys: 'nope' })).code, 'ERR_JWKS_INVALID')
  assert.equal(thrown(() => new rjose.Verifier({ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' })).code, 'ERR_JWK_INVALID')
  assert.equal(thrown(() => new rjose.Verifier(JWKS, { allowSymetric: true })).code, 'ERR_JOSE_INVALID_ARGUMENT')
})

test('sign refuses a JWK Set, a public key and an unknown option', () => {
  assert.equal(thrown(() => rjose.sign({}, JWKS)).code, 'ERR_JOSE_INVALID_ARGUMENT')
  assert.equal(thrown(() => rjose.sign({}, PUBLIC)).code, 'ERR_JOSE_INVALID_KEY_USE')
  assert.equal(thrown(() => rjose.sign({}, PRIVATE, { expiresIn: '5m' })).code, 'ERR_JOSE_INVALID_ARGUMENT')
  assert.equal(thrown(() => rjose.sign({}, PRIVATE, { expirationTime: '5 fortnights' })).code, 'ERR_JOSE_INVALID_ARGUMENT')
})

test('a critical header parameter is refused unless crit names it as understood', async () => {
  const secret = crypto.getRandomValues(new Uint8Array(32))
  const critical = await new jose.SignJWT({ aud: AUDIENCE, exp: NOW + 60 })
    .setProtectedHeader({ alg: 'HS256', crit: ['urn:example:ext'], 'urn:example:ext': 1 })
    .sign(secret, { crit: { 'urn:example:ext': true } })
  const options = { audience: AUDIENCE, currentDate: NOW }

  assert.equal(thrown(() => rjose.verify(critical, secret, options)).code, 'ERR_JOSE_NOT_SUPPORTED')
  const { protectedHeader } = rjose.verify(critical, secret, { ...options, crit: { 'urn:example:ext': true } })
  assert.equal(protectedHeader['urn:example:ext'], 1)
})

test('sign keeps kid and typ whatever the order of the options, alg included', () => {
  const t = rjose.sign({}, PRIVATE, { kid: 'k1', typ: 'at+jwt', alg: 'ES256', expirationTime: NOW + 60 })

  const { protectedHeader } = verifier.verify(t, { currentDate: NOW })

  assert.deepEqual(protectedHeader, { alg: 'ES256', kid: 'k1', typ: 'at+jwt' })
})
