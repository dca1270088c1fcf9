//! JWK thumbprints (RFC 7638) and thumbprint URIs (RFC 9278).

use super::Jwk;
use crate::backend::Sha;
use crate::error::{Error, Result};
use crate::key::{Digest, Key};
use crate::{b64, backend};

impl Digest {
    fn sha(self) -> Sha {
        match self {
            Digest::Sha256 => Sha::Sha256,
            Digest::Sha384 => Sha::Sha384,
            Digest::Sha512 => Sha::Sha512,
        }
    }

    /// The hash name of the IANA "Named Information Hash Algorithm" registry,
    /// as RFC 9278 URIs use it.
    fn ni_name(self) -> &'static str {
        match self {
            Digest::Sha256 => "sha-256",
            Digest::Sha384 => "sha-384",
            Digest::Sha512 => "sha-512",
        }
    }
}

impl Jwk {
    /// The RFC 7638 thumbprint, base64url-encoded: the digest of the
    /// required members only, in lexicographic order, without whitespace.
    ///
    /// ```
    /// // RFC 7638 section 3.1
    /// let jwk = rjose::Jwk::from_json(r#"{"kty":"RSA","e":"AQAB","alg":"RS256","kid":"2011-04-29",
    ///   "n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}"#)?;
    /// assert_eq!(jwk.thumbprint(rjose::Digest::Sha256)?, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn thumbprint(&self, digest: Digest) -> Result<String> {
        let canonical = self.thumbprint_input()?;
        Ok(b64::encode(&backend::digest::sha2(digest.sha(), canonical.as_bytes())))
    }

    /// The RFC 9278 URI form:
    /// `urn:ietf:params:oauth:jwk-thumbprint:sha-256:<thumbprint>`.
    pub fn thumbprint_uri(&self, digest: Digest) -> Result<String> {
        Ok(format!(
            "urn:ietf:params:oauth:jwk-thumbprint:{}:{}",
            digest.ni_name(),
            self.thumbprint(digest)?
        ))
    }

    fn thumbprint_input(&self) -> Result<String> {
        fn required<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str> {
            value
                .as_deref()
                .ok_or_else(|| Error::jwk(format!("thumbprint needs the \"{name}\" member")))
        }
        let members: Vec<(&str, &str)> = match self.kty.as_str() {
            "RSA" => vec![
                ("e", required(&self.e, "e")?),
                ("kty", "RSA"),
                ("n", required(&self.n, "n")?),
            ],
            "EC" => vec![
                ("crv", required(&self.crv, "crv")?),
                ("kty", "EC"),
                ("x", required(&self.x, "x")?),
                ("y", required(&self.y, "y")?),
            ],
            "OKP" => vec![
                ("crv", required(&self.crv, "crv")?),
                ("kty", "OKP"),
                ("x", required(&self.x, "x")?),
            ],
            "oct" => vec![("k", required(&self.k, "k")?), ("kty", "oct")],
            "AKP" => vec![
                ("alg", required(&self.alg, "alg")?),
                ("kty", "AKP"),
                ("pub", required(&self.public, "pub")?),
            ],
            other => return Err(Error::NotSupported(format!("thumbprint of kty {other:?}"))),
        };
        let mut out = String::from("{");
        for (i, (name, value)) in members.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(name);
            out.push_str("\":");
            // JSON string escaping; base64url values pass through unchanged.
            out.push_str(&serde_json::Value::from(*value).to_string());
        }
        out.push('}');
        Ok(out)
    }
}

impl Key {
    /// The RFC 7638 thumbprint of this key (of its public part for key
    /// pairs, so a private key and its public key share a thumbprint).
    pub fn thumbprint(&self, digest: Digest) -> Result<String> {
        self.thumbprint_jwk()?.thumbprint(digest)
    }

    /// The RFC 9278 thumbprint URI of this key.
    pub fn thumbprint_uri(&self, digest: Digest) -> Result<String> {
        self.thumbprint_jwk()?.thumbprint_uri(digest)
    }

    fn thumbprint_jwk(&self) -> Result<Jwk> {
        if self.is_symmetric() {
            self.to_jwk()
        } else {
            self.to_public_jwk()
        }
    }
}
