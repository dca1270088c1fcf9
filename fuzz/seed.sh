#!/usr/bin/env bash
# Rebuilds the seed corpora of the fuzz targets from the published vectors
# and fixtures under crates/rjose/tests, plus a few hand-written inputs, then
# minimizes each corpus with `cargo fuzz cmin` (coverage-preserving). The
# result is what is committed under fuzz/corpus/<target>/; run this again
# after adding vectors. Needs jq, base64 and cargo-fuzz (fuzz/run.sh
# installs it); builds the targets the way fuzz/run.sh does.
set -euo pipefail
cd "$(dirname "$0")"
. ./env.sh

V=../crates/rjose/tests/vectors
L=$V/rfc-appendix/latchset-jose
H=$V/rfc-appendix/hotplace
C=$V/rfc7520-cookbook
P=../crates/rjose/tests/fixtures/pem
SEEDS=$(mktemp -d)
# KEEP_SEEDS=1 keeps the unminimized seeds (the path is printed).
trap '[ -n "${KEEP_SEEDS:-}" ] && echo "seeds kept in $SEEDS" || rm -rf "$SEEDS"' EXIT

# put TARGET < content: one seed file.
put() {
    mkdir -p "$SEEDS/$1"
    cat > "$(mktemp "$SEEDS/$1/seed-XXXXXX")"
}
# put_byte TARGET BYTE FILE: FILE's content after a selector byte (decimal).
put_byte() {
    { printf "\\$(printf '%03o' "$2")"; cat "$3"; } | put "$1"
}
# jq_each TARGET FILTER FILES...: each non-null result of FILTER as a seed.
jq_each() {
    local target=$1 filter=$2 out
    shift 2
    for f in "$@"; do
        out=$(jq -c -r "$filter // empty" "$f")
        [ -n "$out" ] && printf '%s' "$out" | put "$target"
    done
    return 0
}
# The DER inside the (first) PEM block of a file.
der_of() {
    sed -n '/-----BEGIN/,/-----END/p' "$1" | sed -e '/-----/d' | base64 -d
}

for f in "$L"/*.jwsc; do tr -d '\n' < "$f" | put jws_compact; done
jq_each jws_compact .output.compact "$C"/jws/*.json "$C"/rfc7797/*.json "$C"/curve25519/jws.json
for f in "$L"/*.jwsf "$L"/*.jwsg; do put jws_json < "$f"; done
jq_each jws_json .output.json "$C"/jws/*.json "$C"/rfc7797/*.json
jq_each jws_json .output.json_flat "$C"/jws/*.json "$C"/rfc7797/*.json

for f in "$L"/*.jwec "$H"/rfc7516_A*.jws; do tr -d '\n' < "$f" | put jwe_compact; done
jq_each jwe_compact .output.compact "$C"/jwe/*.json "$C"/curve25519/ecdh-es.json
jq_each jwe_compact .encrypting_content.output.compact "$C"/6.nesting_signatures_and_encryption.json
for f in "$L"/*.jwef "$L"/*.jweg; do put jwe_json < "$f"; done
jq_each jwe_json .output.json "$C"/jwe/*.json
jq_each jwe_json .output.json_flat "$C"/jwe/*.json

jq_each jwt_claims .sign.input.payload "$C"/6.nesting_signatures_and_encryption.json
for claims in \
    '{"sub":"alice","iss":"https://issuer.example","aud":["api","web"],"exp":1800000000,"nbf":1600000000,"iat":1600000000,"jti":"1","role":"admin"}' \
    '{"sub":"alice","exp":1600000000}' \
    '{"aud":"api","nbf":1800000000,"scope":"read write","n":{"a":[1,2.5,-3e10,true,null]}}' \
    '{"x":1e309}' '{"x":"\ud800"}' '{"a":1,"a":2}' '{"x":{"y":{"y":1,"y":2}}}' '[]' '{"iat":"1"}' \
    "$(printf '{"x":%s1%s}' "$(printf '[%.0s' $(seq 200))" "$(printf ']%.0s' $(seq 200))")"; do
    printf '%s' "$claims" | put jwt_claims
done

for f in "$L"/*.jwk "$H"/*.jwk ../crates/rjose/tests/fixtures/rsa1024.jwk; do put jwk < "$f"; done
jq_each jwk . "$C"/jwk/*.json
for f in "$L"/*.jwkset keys/*.jwks; do put jwk_set < "$f"; done
put jwk_set < "$H"/rfc7517_C.jwk

for f in "$P"/*.pem; do
    case $f in
        *.spki.pem | *pubkey.pem | *pkcs1-pub.pem) sel=1 ;;
        *.pkcs8.pem) sel=2 ;;
        *.cert.pem) sel=3 ;;
        *.enc-*) sel=4 ;;
        *) sel=0 ;;
    esac
    put_byte key_import "$sel" "$f"
    put cli_key_sniff < "$f"
    case $sel in
        1 | 2 | 3)
            der_of "$f" > "$SEEDS/der"
            put_byte key_import $((sel + 4)) "$SEEDS/der"
            put cli_key_sniff < "$SEEDS/der"
            ;;
    esac
done
for f in "$L"/rfc7520_*.jwk "$L"/*.jwkset; do put cli_key_sniff < "$f"; done

for span in 15m 7d "2 hours" 1.5h "3d ago" "+1w" "-30s" "1 year" 0s 45sec "10 minutes" "2 weeks" "1 yr" \
    "9223372036854775807s" "99999999999999y" " 5 m " "1.25 days ago" "in 3h"; do
    printf '%s' "$span" | put time_span
done

for i in 0 3 7 11 19; do
    printf "\\$(printf '%03o' $i)\\000hello" | put sign_verify
    printf "\\$(printf '%03o' $i)\\001{\"sub\":\"alice\",\"exp\":1800000000}" | put sign_verify
    printf "\\$(printf '%03o' $((i * 3)))\\000It's a dangerous business, Frodo" | put encrypt_decrypt
    printf "\\$(printf '%03o' $((i * 5)))\\001aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" | put encrypt_decrypt
done

for target in $(ls "$SEEDS"); do
    [ -d "$SEEDS/$target" ] || continue
    rm -rf "corpus/$target"
    mkdir -p corpus
    cp -r "$SEEDS/$target" "corpus/$target"
    cargo fuzz cmin "${FUZZ_BUILD_FLAGS[@]}" "$target" "corpus/$target" 2>&1 | grep -E 'MERGE-OUTER: [0-9]+ new files' || true
done
du -sh corpus
