//! `rjose jwt sign | verify | decode | encrypt | decrypt`.

use std::borrow::Cow;

use rjose::jwe::JweHeader;
use rjose::jws::JwsHeader;
use rjose::jwt::{
    DecryptOptions, EncryptJwt, SignJwt, VerifyOptions, decode_jwt_unverified, decode_protected_header, jwt_decrypt,
    jwt_verify,
};
use rjose::{ClaimReason, Error, JsonObject};
use serde_json::{Map, Value};

use super::{json_object, json_reads_stdin, jws_algorithms, producing, refused_decryption, signing_key, to_json};
use crate::cli::{ClaimArgs, ClaimChecks, JwtDecodeArgs, JwtDecryptArgs, JwtEncryptArgs, JwtSignArgs, JwtVerifyArgs};
use crate::failure::{Failure, warn};
use crate::io::{one_stdin, read_token, stdout_is_terminal, token_reads_stdin, write_line, write_stdout};
use crate::keys;
use crate::time;

/// Sets the claims and header parameters of [`ClaimArgs`] on a
/// [`SignJwt`] or [`EncryptJwt`], which share these setters.
macro_rules! apply_claims {
    ($builder:expr, $args:expr) => {{
        let args: &ClaimArgs = $args;
        let mut builder = $builder;
        if let Some(sub) = &args.sub {
            builder = builder.subject(sub.as_str());
        }
        if let Some(iss) = &args.iss {
            builder = builder.issuer(iss.as_str());
        }
        match args.aud.as_slice() {
            [] => {}
            [one] => builder = builder.audience(one.as_str()),
            several => builder = builder.audiences(several.iter().map(String::as_str)),
        }
        if let Some(jti) = &args.jti {
            builder = builder.jwt_id(jti.as_str());
        }
        if let Some(typ) = &args.typ {
            builder = builder.typ(typ.as_str());
        }
        if let Some(kid) = &args.kid {
            builder = builder.kid(kid.as_str());
        }
        if args.iat {
            builder = builder.issued_at_now();
        }
        if let Some(exp) = &args.exp {
            builder = builder.expiration_time($crate::cmd::jwt::span_arg("--exp", exp)?);
        }
        if let Some(nbf) = &args.nbf {
            builder = builder.not_before($crate::cmd::jwt::span_arg("--nbf", nbf)?);
        }
        builder
    }};
}

/// A time argument (`--exp`, `--nbf`), checked here so that a bad one is a
/// usage error naming the flag rather than a failure of the finished command.
pub(crate) fn span_arg<'a>(flag: &str, value: &'a str) -> Result<&'a str, Failure> {
    match rjose::jwt::TimeInput::resolve(value, 0) {
        Ok(_) => Ok(value),
        Err(e) => Err(span_failure(flag, value, e)),
    }
}

/// A length of time (`--max-age`, `--clock-tolerance`), never negative.
fn duration_arg<'a>(flag: &str, value: &'a str) -> Result<&'a str, Failure> {
    match rjose::jwt::SpanInput::seconds(value) {
        Ok(_) => Ok(value),
        Err(_) if rjose::jwt::TimeInput::resolve(value, 0).is_ok() => Err(Failure::usage(format!(
            "{flag} {value:?} is negative; give a length of time, such as 30s or 5m"
        ))),
        Err(e) => Err(span_failure(flag, value, e)),
    }
}

/// A time argument that is not a span. A bare number gets its own message:
/// the library's would offer to take it as a number, which a command line
/// cannot pass.
fn span_failure(flag: &str, value: &str, error: Error) -> Failure {
    if bare_number(value) {
        return Failure::usage(format!(
            "{flag} {value:?} has no unit; add a unit: {value}s, {value}m, {value}h, {value}d"
        ));
    }
    let detail = match error {
        Error::InvalidArgument(detail) => detail,
        other => other.to_string(),
    };
    Failure::usage(format!(
        "{flag}: {detail}; write a number and a unit: 15s, 15m, 15h, 15d, \"2 hours\", \"1h ago\""
    ))
}

/// `15`, `-5`, `1.5`: a number as a span takes it, without a unit.
fn bare_number(value: &str) -> bool {
    let unsigned = value.strip_prefix(['+', '-']).unwrap_or(value);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && digits(fraction)
}

/// The claims of `--claims`, or none.
fn claims_map(arg: Option<&str>) -> Result<Map<String, Value>, Failure> {
    arg.map_or_else(|| Ok(Map::new()), |arg| json_object(arg, "--claims"))
}

/// The claim checks of `jwt verify` and `jwt decrypt`.
fn claim_checks(checks: &ClaimChecks) -> Result<VerifyOptions, Failure> {
    let mut options = VerifyOptions::new();
    for iss in &checks.iss {
        options = options.issuer(iss.as_str());
    }
    for aud in &checks.aud {
        options = options.audience(aud.as_str());
    }
    if let Some(sub) = &checks.sub {
        options = options.subject(sub.as_str());
    }
    if let Some(typ) = &checks.typ {
        options = options.typ(typ.as_str());
    }
    if let Some(age) = &checks.max_age {
        options = options.max_token_age(duration_arg("--max-age", age)?);
    }
    if let Some(tolerance) = &checks.clock_tolerance {
        options = options.clock_tolerance(duration_arg("--clock-tolerance", tolerance)?);
    }
    for claim in &checks.require {
        options = options.require(claim.as_str());
    }
    if checks.allow_missing_exp {
        options = options.allow_missing_exp();
    }
    if checks.allow_any_audience {
        options = options.allow_any_audience();
    }
    Ok(options)
}

/// `{"payload":...,"protectedHeader":...}`, in that order.
fn payload_and_header(payload: &Map<String, Value>, header: &Map<String, Value>) -> Result<String, Failure> {
    Ok(format!(
        "{{\"payload\":{},\"protectedHeader\":{}}}",
        to_json(payload)?,
        to_json(header)?
    ))
}

/// `rjose jwt sign`
pub fn sign(args: &JwtSignArgs) -> Result<(), Failure> {
    one_stdin(&[
        ("the key", args.keys.reads_stdin()),
        ("the claims", json_reads_stdin(args.claims.claims.as_ref())),
    ])?;
    let mut header = match &args.claims.header {
        Some(json) => JwsHeader::from_map(json_object(json, "--header")?).map_err(|e| Failure::setup("--header", e))?,
        None => JwsHeader::default(),
    };
    let claims = claims_map(args.claims.claims.as_deref())?;
    let key = signing_key(&args.keys, args.alg.as_deref(), args.claims.kid.as_deref(), &mut header)?;
    let builder = SignJwt::from_claims(claims).protected_header(header);
    let builder = apply_claims!(builder, &args.claims);
    let token = builder.sign(&key).map_err(producing("signing the JWT"))?;
    write_line(&token)
}

/// `rjose jwt verify`
pub fn verify(args: &JwtVerifyArgs) -> Result<(), Failure> {
    one_stdin(&[
        ("the key", args.keys.reads_stdin()),
        ("the token", token_reads_stdin(args.token.as_deref())),
    ])?;
    let keys = args.keys.load()?;
    let mut options = claim_checks(&args.checks)?;
    options.algorithms = jws_algorithms(&args.alg, &keys)?;
    let token = read_token(args.token.as_deref(), "token", Error::JwtInvalid)?;
    let verified = jwt_verify::<JsonObject>(&token, &keys, &options).map_err(|e| {
        let failure = with_flag_hint(Failure::refused(e.clone()), &e, &options);
        if token.split('.').count() == 5 {
            failure.hint("this is an encrypted JWT (five parts): use `rjose jwt decrypt`")
        } else {
            failure
        }
    })?;
    write_line(&payload_and_header(
        &verified.claims,
        &verified.protected_header.to_map(),
    )?)
}

/// The flag that accepts what a default claim rule refused: the library's
/// message names its own opt-out, which a shell user cannot call.
fn with_flag_hint(failure: Failure, error: &Error, options: &VerifyOptions) -> Failure {
    match error {
        Error::JwtClaimValidationFailed { claim, reason, .. } if claim == "exp" && *reason == ClaimReason::Missing => {
            failure.hint("from the command line: --allow-missing-exp")
        }
        Error::JwtClaimValidationFailed { claim, .. } if claim == "aud" && options.audience.is_empty() => {
            failure.hint("from the command line: --aud AUDIENCE, or --allow-any-audience")
        }
        _ => failure,
    }
}

/// `rjose jwt decode`
pub fn decode(args: &JwtDecodeArgs) -> Result<(), Failure> {
    let token = read_token(args.token.as_deref(), "token", Error::JwtInvalid)?;
    let encrypted = match token.split('.').count() {
        3 => false,
        5 => true,
        _ => {
            return Err(Failure::refused(Error::JwtInvalid(
                "a JWT has three parts separated by dots (five when encrypted)".into(),
            )));
        }
    };
    let header = decode_protected_header(&token).map_err(Failure::refused)?.to_map();
    let payload = if encrypted {
        None
    } else {
        Some(decode_jwt_unverified(&token).map_err(Failure::refused)?)
    };
    warn(if encrypted {
        "nothing was verified; this JWT is encrypted, so only its header is shown (decrypt it with `rjose jwt decrypt`)"
    } else {
        "nothing was verified: neither the signature nor the claims were checked"
    });
    if args.human || (!args.json && stdout_is_terminal()) {
        return write_stdout(human(&header, payload.as_ref(), time::now()).as_bytes());
    }
    match &payload {
        Some(payload) => write_line(&payload_and_header(payload, &header)?),
        None => write_line(&format!("{{\"protectedHeader\":{}}}", to_json(&header)?)),
    }
}

/// Claims whose numbers are times (RFC 7519, OpenID Connect).
const TIME_CLAIMS: [&str; 5] = ["exp", "nbf", "iat", "auth_time", "updated_at"];

/// Text safe to print on a terminal: control characters and bidirectional
/// overrides (which an attacker-made token may carry) are escaped.
fn printable(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:04x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A claim or header value for `--human`: strings as they are, times as
/// the number, the date and how far it is from now, anything else as JSON.
fn human_value(name: &str, value: &Value, now: i64, times: bool) -> String {
    match value {
        Value::String(s) => printable(s).into_owned(),
        Value::Number(n) if times && TIME_CLAIMS.contains(&name) => {
            let date = n
                .as_f64()
                .filter(|f| f.is_finite())
                // A float beyond i64 saturates; such a date is not shown anyway.
                .map(|f| f.floor() as i64)
                .and_then(|secs| time::iso8601(secs).map(|date| (secs, date)));
            match date {
                Some((secs, date)) => format!("{n}  {date} ({})", time::relative(secs, now)),
                None => n.to_string(),
            }
        }
        other => printable(&other.to_string()).into_owned(),
    }
}

fn human_members(out: &mut String, members: &Map<String, Value>, now: i64, times: bool) {
    let names: Vec<Cow<'_, str>> = members.keys().map(|name| printable(name)).collect();
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    for (name, (raw, value)) in names.iter().zip(members) {
        let shown = human_value(raw, value, now, times);
        out.push_str(&format!("  {name:<width$}  {shown}\n"));
    }
}

/// The `--human` form of a decoded token.
fn human(header: &Map<String, Value>, payload: Option<&Map<String, Value>>, now: i64) -> String {
    let mut out = String::from("Header (not verified):\n");
    human_members(&mut out, header, now, false);
    if let Some(payload) = payload {
        out.push_str("Payload (not verified):\n");
        human_members(&mut out, payload, now, true);
    }
    out
}

/// `rjose jwt encrypt`
pub fn encrypt(args: &JwtEncryptArgs) -> Result<(), Failure> {
    one_stdin(&[
        ("the key", args.keys.reads_stdin()),
        ("the claims", json_reads_stdin(args.claims.claims.as_ref())),
    ])?;
    let alg = keys::jwe_alg(&args.alg)?;
    let enc = keys::jwe_enc(&args.enc)?;
    let mut header = match &args.claims.header {
        Some(json) => JweHeader::from_map(json_object(json, "--header")?).map_err(|e| Failure::setup("--header", e))?,
        None => JweHeader::default(),
    };
    if header.alg.is_some_and(|a| a != alg) || header.enc.is_some_and(|e| e != enc) {
        return Err(Failure::usage(
            "the \"alg\" or \"enc\" of --header differs from --alg or --enc",
        ));
    }
    header.alg = Some(alg);
    header.enc = Some(enc);
    let claims = claims_map(args.claims.claims.as_deref())?;
    let key = args.keys.load()?.encryption_key(alg, enc, args.claims.kid.as_deref())?;
    let builder = EncryptJwt::from_claims(claims).protected_header(header);
    let builder = apply_claims!(builder, &args.claims);
    let token = builder.encrypt(&key).map_err(producing("encrypting the JWT"))?;
    write_line(&token)
}

/// `rjose jwt decrypt`
pub fn decrypt(args: &JwtDecryptArgs) -> Result<(), Failure> {
    one_stdin(&[
        ("the key", args.keys.reads_stdin()),
        ("the token", token_reads_stdin(args.token.as_deref())),
    ])?;
    let key = args.keys.load()?;
    let jwe = key.decrypt_options(&args.alg, &args.enc, args.allow_zip)?;
    let options = DecryptOptions::new().claims(claim_checks(&args.checks)?).jwe(jwe);
    let token = read_token(args.token.as_deref(), "token", Error::JwtInvalid)?;
    let decrypted = jwt_decrypt::<JsonObject>(&token, &key.loaded, &options).map_err(|e| {
        let failure = with_flag_hint(refused_decryption(e.clone()), &e, &options.claims);
        if token.split('.').count() == 3 {
            failure.hint("this is a signed JWT (three parts): use `rjose jwt verify`")
        } else {
            failure
        }
    })?;
    write_line(&payload_and_header(
        &decrypted.claims,
        &decrypted.protected_header.to_map(),
    )?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn human_form_shows_times_as_dates_relative_to_now() {
        let now = 1_732_877_100 - 14 * 60 - 30; // 14m30s before 2024-11-29T10:45:00Z
        let header = object(json!({"alg": "ES256", "typ": "JWT"}));
        let payload = object(json!({"sub": "alice", "exp": 1_732_877_100, "iat": now - 3 * 86_400, "n": 5}));
        let text = human(&header, Some(&payload), now);
        assert!(
            text.contains("exp  1732877100  2024-11-29T10:45:00Z (in 14m)"),
            "{text}"
        );
        assert!(text.contains("(3d ago)"), "{text}");
        assert!(text.contains("sub  alice"), "{text}");
        assert!(text.contains("n    5"), "{text}");
        assert!(text.contains("alg  ES256"), "{text}");
    }

    #[test]
    fn human_form_escapes_terminal_control_characters() {
        let payload = object(json!({"sub": "a\u{1b}[2Jb", "x\u{202e}y": true}));
        let text = human(&Map::new(), Some(&payload), 0);
        assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}'), "{text}");
        assert!(text.contains("a\\u{001b}[2Jb"), "{text}");
    }

    #[test]
    fn bare_numbers_are_told_apart_from_spans() {
        for number in ["15", "-5", "+5", "1.5", "0"] {
            assert!(bare_number(number), "{number}");
        }
        for other in ["15x", "15s", "", "-", "1.", ".5", "1.5.5", "soon", " 15"] {
            assert!(!bare_number(other), "{other}");
        }
    }

    #[test]
    fn header_numbers_are_not_taken_for_times() {
        let header = object(json!({"exp": 5}));
        assert!(human(&header, None, 0).contains("exp  5\n"));
    }
}
