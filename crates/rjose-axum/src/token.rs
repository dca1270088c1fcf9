//! Where a request carries its token: RFC 6750 bearer header, a cookie, or
//! a custom header.

use http::header::{AUTHORIZATION, COOKIE};
use http::{HeaderMap, HeaderName};

/// One place to look for the token. [`JwtAuthLayer`](crate::JwtAuthLayer)
/// looks in its sources in order and uses the first one present; the
/// others are ignored, so a stale cookie never overrides the bearer token
/// an API client sent (or the other way round, if you order them so).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenSource {
    /// `Authorization: Bearer <token>` (RFC 6750 section 2.1). The scheme
    /// is case-insensitive; exactly one `Authorization` header and exactly
    /// one token are accepted. Other schemes (`Basic`...) count as absent.
    Bearer,
    /// A cookie of this name. When several cookies share the name, the
    /// first (the one with the most specific path, as browsers order them)
    /// is used.
    Cookie(String),
    /// A header of this name carrying the bare token. Must appear once.
    Header(HeaderName),
}

impl TokenSource {
    /// A cookie source.
    pub fn cookie(name: impl Into<String>) -> Self {
        TokenSource::Cookie(name.into())
    }

    /// A custom header source.
    pub fn header(name: HeaderName) -> Self {
        TokenSource::Header(name)
    }
}

/// A request whose credentials cannot be read: RFC 6750's `invalid_request`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MalformedCredentials(pub(crate) &'static str);

/// What a token that is not one RFC 6750 `b64token` is reported as.
pub(crate) const NOT_ONE_TOKEN: MalformedCredentials =
    MalformedCredentials("the credentials are not exactly one token");

/// The token of the first source present, `None` if there is none.
///
/// The token is only known to be UTF-8 here. Whether it is one `b64token`
/// (no spaces, commas, quotes...) is asked only when it fails to verify
/// ([`is_b64token`]): every JWS that verifies is one, so the happy path
/// reads the token once instead of twice.
pub(crate) fn find_token<'a>(
    sources: &[TokenSource],
    headers: &'a HeaderMap,
) -> Result<Option<&'a str>, MalformedCredentials> {
    for source in sources {
        let found = match source {
            TokenSource::Bearer => bearer(headers)?,
            TokenSource::Cookie(name) => cookie(headers, name)?,
            TokenSource::Header(name) => custom_header(headers, name)?,
        };
        if let Some(token) = found {
            return std::str::from_utf8(token).map(Some).map_err(|_| NOT_ONE_TOKEN);
        }
    }
    Ok(None)
}

fn bearer(headers: &HeaderMap) -> Result<Option<&[u8]>, MalformedCredentials> {
    let Some(value) = single(headers, &AUTHORIZATION, "more than one Authorization header")? else {
        return Ok(None);
    };
    let split = value.iter().position(|&b| b == b' ').unwrap_or(value.len());
    let (scheme, rest) = value.split_at(split);
    if !scheme.eq_ignore_ascii_case(b"bearer") {
        return Ok(None);
    }
    let token = rest.trim_ascii_start();
    if token.is_empty() {
        return Err(MalformedCredentials("the Bearer scheme carries no token"));
    }
    Ok(Some(token))
}

/// The proofs of a DPoP request: exactly one `DPoP` header, or why not.
pub(crate) type DpopProofs<'a> = Result<&'a str, &'static str>;

/// What the `DPoP` scheme carries: the token and the proof, or why the
/// credentials cannot be read.
pub(crate) type DpopCredentials<'a> = Result<(&'a str, DpopProofs<'a>), MalformedCredentials>;

/// `Authorization: DPoP <token>` (RFC 9449 section 7.1) and the request's
/// proof, `None` when another scheme (or none) is used. The scheme is
/// case-insensitive, as `Bearer` is. The outer error is for headers that
/// cannot be read whatever the scheme.
pub(crate) fn dpop_credentials(headers: &HeaderMap) -> Result<Option<DpopCredentials<'_>>, MalformedCredentials> {
    let Some(value) = single(headers, &AUTHORIZATION, "more than one Authorization header")? else {
        return Ok(None);
    };
    let split = value.iter().position(|&b| b == b' ').unwrap_or(value.len());
    let (scheme, rest) = value.split_at(split);
    if !scheme.eq_ignore_ascii_case(b"dpop") {
        return Ok(None);
    }
    Ok(Some(
        dpop_token(rest.trim_ascii_start()).map(|token| (token, dpop_proof(headers))),
    ))
}

fn dpop_token(token: &[u8]) -> Result<&str, MalformedCredentials> {
    if token.is_empty() {
        return Err(MalformedCredentials("the DPoP scheme carries no token"));
    }
    let token = std::str::from_utf8(token).map_err(|_| NOT_ONE_TOKEN)?;
    if !is_b64token(token) {
        return Err(NOT_ONE_TOKEN);
    }
    Ok(token)
}

fn dpop_proof(headers: &HeaderMap) -> DpopProofs<'_> {
    let mut proofs = headers.get_all(DPOP).iter();
    match (proofs.next(), proofs.next()) {
        (None, _) => Err("the request has no DPoP header"),
        (Some(_), Some(_)) => Err("the request has more than one DPoP header"),
        (Some(proof), None) => proof
            .to_str()
            .map(str::trim)
            .map_err(|_| "the DPoP header is not one proof"),
    }
}

/// The request header carrying the proof (RFC 9449 section 4.1).
const DPOP: HeaderName = HeaderName::from_static("dpop");

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Result<Option<&'a [u8]>, MalformedCredentials> {
    // HTTP/2 may split cookies over several headers; all count.
    for header in headers.get_all(COOKIE) {
        for pair in header.as_bytes().split(|&b| b == b';') {
            let pair = pair.trim_ascii();
            let Some(eq) = pair.iter().position(|&b| b == b'=') else {
                continue;
            };
            if &pair[..eq] != name.as_bytes() {
                continue;
            }
            let value = &pair[eq + 1..];
            // RFC 6265 allows the value in double quotes.
            let value = value
                .strip_prefix(b"\"")
                .and_then(|v| v.strip_suffix(b"\""))
                .unwrap_or(value);
            return Ok(if value.is_empty() { None } else { Some(value) });
        }
    }
    Ok(None)
}

fn custom_header<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Result<Option<&'a [u8]>, MalformedCredentials> {
    let value = single(headers, name, "the token header appears more than once")?;
    Ok(value.filter(|v| !v.is_empty()))
}

/// The trimmed value of a header that may appear at most once.
fn single<'a>(
    headers: &'a HeaderMap,
    name: &HeaderName,
    repeated: &'static str,
) -> Result<Option<&'a [u8]>, MalformedCredentials> {
    let mut values = headers.get_all(name).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(MalformedCredentials(repeated));
    }
    Ok(Some(value.as_bytes().trim_ascii()))
}

/// Whether `token` is one RFC 6750 `b64token`:
/// `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
pub(crate) fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&str, &[u8])]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).expect("test header name"),
                HeaderValue::from_bytes(value).expect("test header value"),
            );
        }
        map
    }

    fn bearer_only(pairs: &[(&str, &[u8])]) -> Result<Option<String>, MalformedCredentials> {
        find_token(&[TokenSource::Bearer], &headers(pairs)).map(|t| t.map(str::to_owned))
    }

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
            let value = format!("{scheme} a.b.c");
            assert_eq!(
                bearer_only(&[("authorization", value.as_bytes())]),
                Ok(Some("a.b.c".into()))
            );
        }
    }

    #[test]
    fn other_schemes_count_as_absent() {
        assert_eq!(bearer_only(&[("authorization", b"Basic dXNlcjpwYXNz")]), Ok(None));
        assert_eq!(bearer_only(&[("authorization", b"Bearerish a.b.c")]), Ok(None));
    }

    #[test]
    fn rejects_bearer_without_token() {
        assert!(bearer_only(&[("authorization", b"Bearer")]).is_err());
        assert!(bearer_only(&[("authorization", b"Bearer    ")]).is_err());
    }

    #[test]
    fn rejects_more_than_one_header() {
        assert!(bearer_only(&[("authorization", b"Bearer a.b.c"), ("authorization", b"Bearer a.b.c")]).is_err());
    }

    #[test]
    fn rejects_credentials_that_are_not_utf8() {
        assert_eq!(
            bearer_only(&[("authorization", b"Bearer \xff\xfe")]),
            Err(NOT_ONE_TOKEN)
        );
    }

    #[test]
    fn b64token_grammar() {
        for token in ["a.b.c", "abc==", "A-Z_a~z+0/9"] {
            assert!(is_b64token(token), "{token}");
        }
        for token in ["", "===", "a.b.c d.e.f", "a\"b", "a.b.c,d", "\u{e9}t\u{e9}", "=abc"] {
            assert!(!is_b64token(token), "{token}");
        }
    }

    #[test]
    fn finds_named_cookie_among_others() {
        let h = headers(&[("cookie", b"theme=dark; access_token=a.b.c; other=1")]);
        assert_eq!(
            find_token(&[TokenSource::cookie("access_token")], &h),
            Ok(Some("a.b.c"))
        );
        let h = headers(&[("cookie", b"theme=dark"), ("cookie", b"access_token=\"x.y.z\"")]);
        assert_eq!(
            find_token(&[TokenSource::cookie("access_token")], &h),
            Ok(Some("x.y.z"))
        );
    }

    #[test]
    fn cookie_name_must_match_exactly() {
        let h = headers(&[("cookie", b"xaccess_token=a.b.c; access_token_old=d")]);
        assert_eq!(find_token(&[TokenSource::cookie("access_token")], &h), Ok(None));
    }

    #[test]
    fn first_present_source_wins() {
        let h = headers(&[
            ("cookie", b"at=cookie.token.x"),
            ("authorization", b"Bearer bearer.token.x"),
        ]);
        let bearer_first = [TokenSource::Bearer, TokenSource::cookie("at")];
        let cookie_first = [TokenSource::cookie("at"), TokenSource::Bearer];
        assert_eq!(find_token(&bearer_first, &h), Ok(Some("bearer.token.x")));
        assert_eq!(find_token(&cookie_first, &h), Ok(Some("cookie.token.x")));
        let only_cookie = headers(&[("cookie", b"at=cookie.token.x")]);
        assert_eq!(find_token(&bearer_first, &only_cookie), Ok(Some("cookie.token.x")));
    }

    #[test]
    fn custom_header_holds_one_token() {
        let name = HeaderName::from_static("x-api-token");
        let sources = [TokenSource::header(name)];
        assert_eq!(
            find_token(&sources, &headers(&[("x-api-token", b"a.b.c")])),
            Ok(Some("a.b.c"))
        );
        assert!(find_token(&sources, &headers(&[("x-api-token", b"a.b.c"), ("x-api-token", b"d")])).is_err());
    }
}
