// The benchmark's token, as bench/benches/jwt.rs makes it: the keys, the
// HMAC secret and the claims. Shared by bench/jose-node/bench.mjs (npm
// jose in Node.js) and crates/rjose-wasm/js/bench.mjs (rjose-wasm against
// npm jose), so that every table measures the same token.

import { readFileSync } from 'node:fs'

const keys = new URL('../benches/keys/', import.meta.url)

/** A PEM file of bench/benches/keys/. */
export const pem = (name) => readFileSync(new URL(name, keys), 'utf8')

export const SECRET = new TextEncoder().encode('jose-benchmark-hs256-secret-0123456789abcdef')
export const ISSUER = 'https://auth.example.com'
export const AUDIENCE = 'https://api.example.com'
export const ISSUED_AT = 1_700_000_000
export const EXPIRES_AT = 4_102_444_800
export const claims = {
  iss: ISSUER,
  sub: 'user-8f14e45f-ceea-467f-a8c5-9e3d2c1b0a7e',
  aud: AUDIENCE,
  exp: EXPIRES_AT,
  nbf: ISSUED_AT,
  iat: ISSUED_AT,
  jti: '3f2b8c1e-9d4a-4e7b-b6a2-5c1d0e9f8a7b',
  role: 'admin',
  session_id: 'sess-6c2e1f0a-7b3d-4c5e-9a8b-1d2e3f4a5b6c',
  scope: 'openid profile email orders:read orders:write',
}
