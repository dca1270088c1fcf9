// The `web` build (target/rjose-wasm/web, for browsers, Workers and Deno)
// loaded as a Cloudflare Worker loads it: an ES module initialised with a
// compiled WebAssembly.Module through initSync, no file system or fetch.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import path from 'node:path'

import { AUDIENCE, ISSUER, jose, thrown } from './support.mjs'

const root = fileURLToPath(new URL('../../../../', import.meta.url))
const dir = process.env.RJOSE_WASM_WEB_PKG
  ? path.resolve(process.env.RJOSE_WASM_WEB_PKG)
  : path.join(root, 'target/rjose-wasm/web')

test('the web build initialises from a WebAssembly.Module and verifies a token', async () => {
  const web = await import(pathToFileURL(path.join(dir, 'rjose_wasm.js')))
  web.initSync({ module: new WebAssembly.Module(readFileSync(path.join(dir, 'rjose_wasm_bg.wasm'))) })

  const { privateKey, publicKey } = await jose.generateKeyPair('EdDSA', { extractable: true })
  const jwks = { keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'w1' }] }
  const token = await new jose.SignJWT({})
    .setProtectedHeader({ alg: 'EdDSA', kid: 'w1' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime('5m')
    .sign(privateKey)
  const verifier = new web.Verifier(jwks)

  assert.equal(verifier.verify(token, { issuer: ISSUER, audience: AUDIENCE }).payload.iss, ISSUER)
  assert.equal(thrown(() => verifier.verify(token, { issuer: 'https://x.example' })).code, 'ERR_JWT_CLAIM_VALIDATION_FAILED')
})
