"""Interop peer for crates/rjose/tests/interop.rs: Python's jwcrypto.

Reads one JSON request on stdin, {"jobs": [...]}, runs every job and prints
one JSON response, {"peer": ..., "capabilities": ..., "results": [...]}, with
one result per job, in order: {"ok": true, ...} or {"ok": false, "error": "..."}.
Binary values (payloads, plaintexts, passwords) travel as base64url.
"""

import base64
import json
import sys
from importlib.metadata import version

from jwcrypto import jwe, jwk, jws, jwt


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_of(job):
    if "password" in job:
        return jwk.JWK(kty="oct", k=job["password"])
    return jwk.JWK(**job["jwk"])


def op_sign(job):
    token = jws.JWS(unb64(job["payload"]))
    token.add_signature(key_of(job), alg=job["alg"], protected=json.dumps({"alg": job["alg"]}))
    return {"token": token.serialize(compact=True)}


def op_verify(job):
    token = jws.JWS()
    token.deserialize(job["token"])
    token.verify(key_of(job), alg=job["alg"])
    return {"payload": b64(token.payload)}


def op_encrypt(job):
    header = {"alg": job["alg"], "enc": job["enc"]}
    if "p2c" in job:
        header["p2c"] = job["p2c"]
    token = jwe.JWE(unb64(job["plaintext"]), protected=json.dumps(header))
    token.allowed_algs = [job["alg"], job["enc"]]
    token.add_recipient(key_of(job))
    return {"token": token.serialize(compact=True)}


def op_decrypt(job):
    token = jwe.JWE()
    token.allowed_algs = [job["alg"], job["enc"]]
    token.deserialize(job["token"], key=key_of(job))
    header = token.jose_header
    if header.get("alg") != job["alg"] or header.get("enc") != job["enc"]:
        raise ValueError(f"header {header}")
    return {"plaintext": b64(token.payload)}


GENERATE = {
    "HS": lambda crv: {"kty": "oct", "size": 256},
    "RSA": lambda crv: {"kty": "RSA", "size": 2048},
    "EC": lambda crv: {"kty": "EC", "crv": crv},
    "OKP": lambda crv: {"kty": "OKP", "crv": crv},
    "AKP": lambda crv: {"kty": "AKP", "alg": crv},
}


def op_export_keys(job):
    """A fresh key from this library, in every form it exports."""
    key = jwk.JWK.generate(**GENERATE[job["kty"]](job.get("crv")))
    out = {"jwk": key.export(private_key=True, as_dict=True), "thumbprint": key.thumbprint()}
    if job["kty"] != "HS":
        out["public_jwk"] = key.export_public(as_dict=True)
        if job.get("pem", True):
            out["spki"] = key.export_to_pem().decode()
            out["pkcs8"] = key.export_to_pem(private_key=True, password=None).decode()
    return out


def op_import_keys(job):
    """Our key in every form we export: imported, re-exported, thumbprinted."""
    key = jwk.JWK(**job["jwk"])
    out = {"jwk": jwk.JWK.from_json(key.export()).thumbprint(), "jwk_direct": key.thumbprint()}
    if "public_jwk" in job:
        out["public_jwk"] = jwk.JWK(**job["public_jwk"]).thumbprint()
    if "spki" in job:
        out["spki"] = jwk.JWK.from_pem(job["spki"].encode()).thumbprint()
    if "pkcs8" in job:
        out["pkcs8"] = jwk.JWK.from_pem(job["pkcs8"].encode(), password=None).thumbprint()
    return out


def op_jwt_sign(job):
    token = jwt.JWT(header={"alg": job["alg"], "typ": "JWT"}, claims=job["claims"])
    token.make_signed_token(key_of(job))
    return {"token": token.serialize()}


def op_jwt_verify(job):
    check = {"iss": job["issuer"], "aud": job["audience"], "exp": None, "nbf": None}
    token = jwt.JWT(jwt=job["token"], key=key_of(job), algs=[job["alg"]], check_claims=check, expected_type="JWS")
    return {"claims": json.loads(token.claims)}


OPS = {name[3:]: fn for name, fn in globals().items() if name.startswith("op_")}


def main():
    request = json.load(sys.stdin)
    results = []
    for job in request["jobs"]:
        try:
            results.append({"ok": True, **OPS[job["op"]](job)})
        except Exception as err:  # noqa: BLE001 -- every failure is reported, per job
            results.append({"ok": False, "error": f"{type(err).__name__}: {err}"})
    peer = f"jwcrypto {version('jwcrypto')} (cryptography {version('cryptography')}, Python {sys.version.split()[0]})"
    json.dump({"peer": peer, "capabilities": {"ml_dsa": True}, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
