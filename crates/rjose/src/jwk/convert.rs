//! `Jwk` <-> `Key`, with the validation RFC 7517/7518/8037 require.

use zeroize::Zeroizing;

use super::Jwk;
use crate::b64;
use crate::backend::ec::{EcPrivate, EcPublic};
use crate::backend::ecdh::{self, EcdhPrivate};
use crate::backend::ed25519::{Ed25519Private, Ed25519Public};
use crate::backend::hmac::HmacSecret;
use crate::backend::mldsa::{MlDsaPrivate, MlDsaPublic};
use crate::backend::rsa::{RsaPrivate, RsaPublic};
use crate::backend::{ED25519_KEY_LEN, EcCurve, EcdhCurve, MLDSA_SEED_LEN, PrivateParts};
use crate::error::{Error, Result};
use crate::key::{Key, Material, MlDsaLevel, Params};
use crate::{Alg, Algorithm};

fn member<'a>(value: &'a Option<String>, name: &str, kty: &str) -> Result<&'a str> {
    value
        .as_deref()
        .ok_or_else(|| Error::jwk(format!("{kty} JWK is missing the \"{name}\" member")))
}

fn decode(value: &str, name: &str) -> Result<Vec<u8>> {
    b64::decode(value.as_bytes()).ok_or_else(|| Error::jwk(format!("\"{name}\" is not valid base64url")))
}

fn decode_secret(value: &str, name: &str) -> Result<Zeroizing<Vec<u8>>> {
    decode(value, name).map(Zeroizing::new)
}

fn decode_exact(value: &str, name: &str, len: usize) -> Result<Vec<u8>> {
    let bytes = decode(value, name)?;
    if bytes.len() != len {
        return Err(Error::jwk(format!(
            "\"{name}\" must be {len} bytes, got {}",
            bytes.len()
        )));
    }
    Ok(bytes)
}

fn params_of(jwk: &Jwk) -> Result<Params> {
    if let Some(ops) = &jwk.key_ops {
        let mut seen = std::collections::HashSet::new();
        if !ops.iter().all(|op| seen.insert(op.as_str())) {
            return Err(Error::jwk("\"key_ops\" contains duplicate values"));
        }
    }
    crate::key::check_consistent(jwk.key_use.as_deref(), jwk.key_ops.as_deref())?;
    // A key bound to an algorithm this library does not know can serve
    // nothing here; refusing it keeps `Key::alg` a typed value.
    let alg = match jwk.alg.as_deref() {
        None => None,
        Some(name) => Some(Algorithm::from_name(name).ok_or_else(|| {
            Error::NotSupported(format!(
                "JWK \"alg\" {name:?} is not an algorithm this library implements"
            ))
        })?),
    };
    Ok(Params {
        kid: jwk.kid.clone(),
        alg,
        use_: jwk.key_use.clone(),
        key_ops: jwk.key_ops.clone(),
        x5c: jwk.x5c.clone(),
        x5t: jwk.x5t.clone(),
        x5t_s256: jwk.x5t_s256.clone(),
        x5u: jwk.x5u.clone(),
    })
}

impl Key {
    /// Imports a JWK (public or private).
    ///
    /// Every member is checked: lengths, curve membership of EC points,
    /// consistency of RSA private parts and of private with public halves.
    /// Anything wrong is [`Error::JwkInvalid`], never a panic.
    ///
    /// ```
    /// let jwk = rjose::Jwk::from_json(r#"{"kty":"EC","crv":"P-256",
    ///   "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    ///   "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#)?;
    /// let key = rjose::Key::from_jwk(&jwk)?;
    /// assert!(key.supports(rjose::Alg::ES256));
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn from_jwk(jwk: &Jwk) -> Result<Key> {
        let params = params_of(jwk)?;
        let material = match jwk.kty.as_str() {
            "oct" => oct(jwk)?,
            "RSA" => rsa(jwk)?,
            "EC" => ec(jwk)?,
            "OKP" => okp(jwk)?,
            "AKP" => akp(jwk)?,
            "" => return Err(Error::jwk("JWK is missing \"kty\"")),
            other => return Err(Error::NotSupported(format!("unsupported JWK \"kty\" {other:?}"))),
        };
        Ok(Key::new(material, params))
    }

    /// Parses and imports a JWK from JSON text.
    pub fn from_jwk_json(json: &str) -> Result<Key> {
        Key::from_jwk(&Jwk::from_json(json)?)
    }

    /// Exports the key as a JWK, including private members if it has them.
    pub fn to_jwk(&self) -> Result<Jwk> {
        let mut jwk = self.to_public_jwk_unchecked()?;
        let failed = |_| Error::Crypto("key export failed");
        match self.material() {
            Material::Oct(secret) => jwk.k = Some(b64::encode(secret.bytes())),
            Material::RsaPrivate(k) => {
                let parts = k.private_parts().map_err(failed)?;
                jwk.d = Some(b64::encode(&parts.d));
                jwk.p = Some(b64::encode(&parts.p));
                jwk.q = Some(b64::encode(&parts.q));
                jwk.dp = Some(b64::encode(&parts.dp));
                jwk.dq = Some(b64::encode(&parts.dq));
                jwk.qi = Some(b64::encode(&parts.qi));
            }
            Material::EcPrivate(k) => jwk.d = Some(b64::encode(&k.scalar().map_err(failed)?)),
            Material::Ed25519Private(k) => jwk.d = Some(b64::encode(&k.seed().map_err(failed)?)),
            Material::MlDsaPrivate(k) => jwk.private = Some(b64::encode(k.seed())),
            Material::X25519Private(k) => jwk.d = Some(b64::encode(&k.scalar().map_err(failed)?)),
            _ => {}
        }
        Ok(jwk)
    }

    /// Exports the public part as a JWK; never includes private members.
    /// Fails for HMAC secrets, which have no public part.
    pub fn to_public_jwk(&self) -> Result<Jwk> {
        if self.is_symmetric() {
            return Err(Error::key_use("an HMAC secret has no public part"));
        }
        self.to_public_jwk_unchecked()
    }

    fn to_public_jwk_unchecked(&self) -> Result<Jwk> {
        let mut jwk = Jwk::default();
        jwk.kty = self.kty().to_owned();
        let params = self.params();
        jwk.kid = params.kid.clone();
        jwk.alg = params.alg.map(|alg| alg.name().to_owned());
        jwk.key_use = params.use_.clone();
        jwk.key_ops = params.key_ops.clone();
        jwk.x5c = params.x5c.clone();
        jwk.x5t = params.x5t.clone();
        jwk.x5t_s256 = params.x5t_s256.clone();
        jwk.x5u = params.x5u.clone();
        let rsa = |jwk: &mut Jwk, k: &RsaPublic| {
            jwk.n = Some(b64::encode(k.n()));
            jwk.e = Some(b64::encode(k.e()));
        };
        let ec = |jwk: &mut Jwk, k: &EcPublic| {
            let (x, y) = k.coordinates();
            jwk.crv = Some(k.curve().name().to_owned());
            jwk.x = Some(b64::encode(x));
            jwk.y = Some(b64::encode(y));
        };
        let ed = |jwk: &mut Jwk, k: &Ed25519Public| {
            jwk.crv = Some("Ed25519".to_owned());
            jwk.x = Some(b64::encode(k.bytes()));
        };
        let x25519 = |jwk: &mut Jwk, raw: &[u8]| {
            jwk.crv = Some("X25519".to_owned());
            jwk.x = Some(b64::encode(raw));
        };
        let ml = |jwk: &mut Jwk, k: &MlDsaPublic| {
            jwk.alg = Some(k.level().alg().name().to_owned());
            jwk.public = Some(b64::encode(k.bytes()));
        };
        match self.material() {
            Material::Oct(_) => {}
            Material::RsaPublic(k) => rsa(&mut jwk, k),
            Material::RsaPrivate(k) => rsa(&mut jwk, k.public()),
            Material::EcPublic(k) => ec(&mut jwk, k),
            Material::EcPrivate(k) => ec(&mut jwk, k.public()),
            Material::Ed25519Public(k) => ed(&mut jwk, k),
            Material::Ed25519Private(k) => ed(&mut jwk, k.public()),
            Material::MlDsaPublic(k) => ml(&mut jwk, k),
            Material::MlDsaPrivate(k) => ml(&mut jwk, k.public()),
            Material::X25519Public(raw) => x25519(&mut jwk, raw),
            Material::X25519Private(k) => x25519(
                &mut jwk,
                &k.public_bytes().map_err(|_| Error::Crypto("key export failed"))?,
            ),
        }
        Ok(jwk)
    }
}

fn oct(jwk: &Jwk) -> Result<Material> {
    let k = decode_secret(member(&jwk.k, "k", "oct")?, "k")?;
    if k.is_empty() {
        return Err(Error::jwk("\"k\" must not be empty"));
    }
    Ok(Material::Oct(HmacSecret::new(k)))
}

fn rsa(jwk: &Jwk) -> Result<Material> {
    let n = decode(member(&jwk.n, "n", "RSA")?, "n")?;
    let e = decode(member(&jwk.e, "e", "RSA")?, "e")?;
    if jwk.oth.is_some() {
        return Err(Error::NotSupported("multi-prime RSA keys (\"oth\")".into()));
    }
    let Some(d) = &jwk.d else {
        if jwk.p.is_some() || jwk.q.is_some() || jwk.dp.is_some() || jwk.dq.is_some() || jwk.qi.is_some() {
            return Err(Error::jwk("RSA JWK has private CRT members but no \"d\""));
        }
        let key = RsaPublic::from_components(&n, &e).map_err(|_| invalid_rsa(&n, &e))?;
        return Ok(Material::RsaPublic(key));
    };
    let crt = |value: &Option<String>, name: &str| -> Result<Zeroizing<Vec<u8>>> {
        match value {
            Some(v) => decode_secret(v, name),
            None => Err(Error::NotSupported(format!(
                "RSA private JWK without \"{name}\": keys without CRT parameters are not supported"
            ))),
        }
    };
    let parts = PrivateParts {
        d: decode_secret(d, "d")?,
        p: crt(&jwk.p, "p")?,
        q: crt(&jwk.q, "q")?,
        dp: crt(&jwk.dp, "dp")?,
        dq: crt(&jwk.dq, "dq")?,
        qi: crt(&jwk.qi, "qi")?,
    };
    // Check the size first, so the error says so rather than "inconsistent".
    RsaPublic::from_components(&n, &e).map_err(|_| invalid_rsa(&n, &e))?;
    let key = RsaPrivate::from_components(&n, &e, &parts)
        .map_err(|_| Error::jwk("RSA private key parts are inconsistent"))?;
    Ok(Material::RsaPrivate(key))
}

fn invalid_rsa(n: &[u8], e: &[u8]) -> Error {
    let bits = n.iter().skip_while(|&&b| b == 0).count() * 8;
    if let Some(weakness) = crate::backend::rsa_limits::weakness(n, e) {
        Error::jwk(weakness)
    } else if bits < crate::backend::rsa_limits::MIN_BITS + 8 && bits > 0 {
        Error::jwk(format!(
            "RSA modulus of about {bits} bits is refused: at least {} bits are required",
            crate::backend::rsa_limits::MIN_BITS
        ))
    } else {
        Error::jwk("invalid RSA public key")
    }
}

fn curve_of(jwk: &Jwk) -> Result<EcCurve> {
    let crv = member(&jwk.crv, "crv", "EC")?;
    crate::Curve::from_name(crv)
        .and_then(crate::Curve::ecdsa)
        .ok_or_else(|| {
            if matches!(crv, "Ed25519" | "Ed448" | "X25519" | "X448") {
                Error::jwk(format!("\"crv\" {crv} belongs to kty OKP, not EC"))
            } else {
                Error::NotSupported(format!("unsupported EC curve {crv:?}"))
            }
        })
}

fn ec(jwk: &Jwk) -> Result<Material> {
    let curve = curve_of(jwk)?;
    let width = curve.coordinate_len();
    let x = decode_exact(member(&jwk.x, "x", "EC")?, "x", width)?;
    let y = decode_exact(member(&jwk.y, "y", "EC")?, "y", width)?;
    let mut point = Vec::with_capacity(1 + 2 * width);
    point.push(4);
    point.extend_from_slice(&x);
    point.extend_from_slice(&y);
    let public = EcPublic::from_point(curve, &point)
        .map_err(|_| Error::jwk(format!("EC point is not on curve {}", curve.name())))?;
    match &jwk.d {
        None => Ok(Material::EcPublic(public)),
        Some(d) => {
            let d = Zeroizing::new(decode_exact(d, "d", width)?);
            let key = EcPrivate::from_scalar(curve, &d, &point)
                .map_err(|_| Error::jwk("EC private key \"d\" does not match the public point"))?;
            Ok(Material::EcPrivate(key))
        }
    }
}

fn okp(jwk: &Jwk) -> Result<Material> {
    let crv = member(&jwk.crv, "crv", "OKP")?;
    match crv {
        "Ed25519" => {}
        "X25519" => return x25519(jwk),
        "P-256" | "P-384" | "P-521" | "secp256k1" => {
            return Err(Error::jwk(format!("\"crv\" {crv} belongs to kty EC, not OKP")));
        }
        other => return Err(Error::NotSupported(format!("unsupported OKP curve {other:?}"))),
    }
    let x = decode_exact(member(&jwk.x, "x", "OKP")?, "x", ED25519_KEY_LEN)?;
    match &jwk.d {
        None => Ed25519Public::from_bytes(&x)
            .map(Material::Ed25519Public)
            .map_err(|_| Error::jwk("invalid Ed25519 public key")),
        Some(d) => {
            let d = Zeroizing::new(decode_exact(d, "d", ED25519_KEY_LEN)?);
            Ed25519Private::from_seed(&d, &x)
                .map(Material::Ed25519Private)
                .map_err(|_| Error::jwk("Ed25519 private key \"d\" does not match \"x\""))
        }
    }
}

fn x25519(jwk: &Jwk) -> Result<Material> {
    let x = decode_exact(member(&jwk.x, "x", "OKP")?, "x", 32)?;
    let mut raw = [0u8; 32];
    raw.copy_from_slice(&x);
    match &jwk.d {
        None => Ok(Material::X25519Public(raw)),
        Some(d) => {
            let d = Zeroizing::new(decode_exact(d, "d", 32)?);
            let mismatch = || Error::jwk("X25519 private key \"d\" does not match \"x\"");
            let derived = ecdh::x25519_public_from_private(&d).map_err(|_| mismatch())?;
            if derived != x {
                return Err(mismatch());
            }
            let private = EcdhPrivate::from_scalar(EcdhCurve::X25519, &d).map_err(|_| mismatch())?;
            Ok(Material::X25519Private(private))
        }
    }
}

fn akp(jwk: &Jwk) -> Result<Material> {
    // AKP keys name their parameter set through "alg", which is mandatory.
    let alg = member(&jwk.alg, "alg", "AKP")?;
    let level = match Alg::from_name(alg) {
        Some(Alg::ML_DSA_44) => MlDsaLevel::MlDsa44,
        Some(Alg::ML_DSA_65) => MlDsaLevel::MlDsa65,
        Some(Alg::ML_DSA_87) => MlDsaLevel::MlDsa87,
        _ => return Err(Error::NotSupported(format!("unsupported AKP \"alg\" {alg:?}"))),
    };
    let public = decode_exact(member(&jwk.public, "pub", "AKP")?, "pub", level.public_key_len())?;
    match &jwk.private {
        None => MlDsaPublic::from_bytes(level, &public)
            .map(Material::MlDsaPublic)
            .map_err(|_| Error::jwk("invalid ML-DSA public key")),
        Some(seed) => {
            let seed = Zeroizing::new(decode_exact(seed, "priv", MLDSA_SEED_LEN)?);
            let key = MlDsaPrivate::from_seed(level, &seed).map_err(|_| Error::jwk("invalid ML-DSA seed"))?;
            if key.public().bytes() != public.as_slice() {
                return Err(Error::jwk("ML-DSA \"priv\" does not match \"pub\""));
            }
            Ok(Material::MlDsaPrivate(key))
        }
    }
}
