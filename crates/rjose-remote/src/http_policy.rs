//! [`HttpPolicy`]: which URLs a remote set may fetch, decided on the parsed
//! [`Url`] that is then fetched, never on a second parse of the text.

use reqwest::Url;
use rjose::Result;
use url::Host;

use crate::fetch;

/// Which URLs a [`RemoteJwkSet`](crate::RemoteJwkSet) may fetch: the JWK
/// Set URL, the issuer's metadata, its `jwks_uri`, and every redirect hop.
///
/// The check runs on the [`Url`] as parsed (WHATWG rules, those of the
/// HTTP client), so the host it judges is the host that is connected to:
/// `http://127.0.0.1:1\@evil.example/` names `127.0.0.1`, and
/// `http://2130706433/` names `127.0.0.1` too. URLs carrying credentials
/// (`https://user:pass@host/`) are always refused: they would show in
/// error messages and logs; send credentials in a
/// [`header`](crate::RemoteJwkSetOptions::header) instead.
///
/// ```
/// use rjose_remote::HttpPolicy;
/// use rjose_remote::reqwest::Url;
///
/// let url = |text| Url::parse(text).expect("a URL");
/// assert!(HttpPolicy::HttpsOnly.permits(&url("https://issuer.example/jwks")));
/// assert!(!HttpPolicy::HttpsOnly.permits(&url("http://127.0.0.1:8080/jwks")));
/// assert!(HttpPolicy::LoopbackHttp.permits(&url("http://[::1]:8080/jwks")));
/// assert!(!HttpPolicy::LoopbackHttp.permits(&url("http://issuer.example/jwks")));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum HttpPolicy {
    /// Only `https` URLs. The default.
    #[default]
    HttpsOnly,
    /// `https` URLs, and plain `http` to a loopback host: an IPv4 address
    /// in `127.0.0.0/8`, `[::1]`, an IPv4-mapped `[::ffff:127.x.y.z]`, or
    /// the name `localhost` exactly (not `localhost.` nor a subdomain,
    /// which a resolver may send to DNS). For a key server on the same
    /// machine, and tests.
    LoopbackHttp,
    /// Plain `http` to any host, where anyone on the path can read and
    /// swap the keys. Only for tests and development networks that cannot
    /// use loopback (containers reaching each other by name).
    InsecureAnyHttp,
}

impl HttpPolicy {
    /// True when a set under this policy may fetch `url`.
    pub fn permits(self, url: &Url) -> bool {
        self.refusal(url).is_none()
    }

    /// Why `url` may not be fetched, or `None` when it may.
    pub(crate) fn refusal(self, url: &Url) -> Option<String> {
        if !url.username().is_empty() || url.password().is_some() {
            return Some(
                "it carries credentials (user:password@), which would show in messages and logs; send them in a header"
                    .into(),
            );
        }
        match (url.scheme(), self) {
            ("https", _) | ("http", HttpPolicy::InsecureAnyHttp) => None,
            ("http", HttpPolicy::LoopbackHttp) if is_loopback(url) => None,
            ("http", HttpPolicy::LoopbackHttp) => Some(format!(
                "plain http is allowed only to a loopback host (127.0.0.0/8, [::1], localhost), and {} is not one",
                url.host_str().unwrap_or("the empty host")
            )),
            ("http", HttpPolicy::HttpsOnly) => Some(
                "it is not https (plain http needs HttpPolicy::LoopbackHttp, for a key server on this machine)".into(),
            ),
            (other, _) => Some(format!("it has the scheme {other:?}; only https is supported")),
        }
    }
}

/// True when the parsed host is a loopback address, or `localhost`.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(v4)) => v4.is_loopback(),
        Some(Host::Ipv6(v6)) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
        // The parser lowercases names; a trailing dot is kept, and refused.
        Some(Host::Domain(name)) => name == "localhost",
        None => false,
    }
}

/// Parses a URL the set may fetch, and checks it against `policy`.
pub(crate) fn parse_url(text: &str, policy: HttpPolicy, what: &str) -> Result<Url> {
    let url = Url::parse(text).map_err(|e| fetch::fetch_error(None, format!("the {what} is not a URL: {e}")))?;
    match policy.refusal(&url) {
        None => Ok(url),
        Some(why) => Err(fetch::fetch_error(
            None,
            format!("the {what} {} is refused: {why}", without_credentials(&url)),
        )),
    }
}

/// The URL for messages, user name and password left out.
pub(crate) fn without_credentials(url: &Url) -> String {
    let mut shown = url.clone();
    // Fails only for URLs that cannot have credentials in the first place.
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

#[cfg(test)]
mod tests {
    use rjose::Error;

    use super::*;

    fn refused(text: &str, policy: HttpPolicy) -> String {
        match parse_url(text, policy, "JWK Set URL") {
            Err(Error::JwksFetch { status: None, cause }) => cause,
            other => panic!("{text} under {policy:?}: {other:?}"),
        }
    }

    #[test]
    fn https_only_refuses_plain_http_even_to_loopback() {
        assert!(parse_url("https://issuer.example/jwks", HttpPolicy::HttpsOnly, "JWK Set URL").is_ok());
        let cause = refused("http://127.0.0.1/jwks", HttpPolicy::HttpsOnly);
        assert!(cause.contains("HttpPolicy::LoopbackHttp"), "{cause}");
    }

    #[test]
    fn loopback_http_accepts_every_spelling_of_a_loopback_host() {
        for text in [
            "http://127.0.0.1/jwks",
            "http://127.1.2.3:8080/jwks",
            "http://LOCALHOST:3000/.well-known/jwks.json",
            "http://[::1]:8443/jwks",
            "http://[::ffff:127.0.0.1]/jwks",
            // Decimal, hex, octal and short IPv4 forms, and a percent-encoded
            // host: the parser turns each into 127.0.0.1, and that address is
            // what the client connects to.
            "http://2130706433/jwks",
            "http://0x7f.1/jwks",
            "http://0177.0.0.1/jwks",
            "http://127.1/jwks",
            "http://%31%32%37.0.0.1/jwks",
            // An IPv4 address with a trailing dot is still that address.
            "http://127.0.0.1./jwks",
        ] {
            assert!(
                parse_url(text, HttpPolicy::LoopbackHttp, "JWK Set URL").is_ok(),
                "{text}"
            );
        }
    }

    #[test]
    fn loopback_http_refuses_hosts_that_only_look_local() {
        for (text, host) in [
            // The client reads the backslash as a slash: the host is 0.0.0.0.
            ("http://0.0.0.0:8080\\@127.0.0.1/jwks", "0.0.0.0"),
            ("http://evil.example\\@localhost/jwks", "evil.example"),
            ("http://10.0.0.1/jwks", "10.0.0.1"),
            ("http://127.0.0.1.example.com/jwks", "127.0.0.1.example.com"),
            ("http://localhost.example.com/jwks", "localhost.example.com"),
            ("http://localhost%2eexample.com/jwks", "localhost.example.com"),
            ("http://localhost./jwks", "localhost."),
            ("http://api.localhost/jwks", "api.localhost"),
            ("http://issuer.example/jwks", "issuer.example"),
            ("http://[::2]/jwks", "[::2]"),
            // IPv4-compatible (not mapped) addresses are not loopback.
            ("http://[::127.0.0.1]/jwks", "[::7f00:1]"),
            ("http://[::ffff:10.0.0.1]/jwks", "[::ffff:a00:1]"),
        ] {
            let cause = refused(text, HttpPolicy::LoopbackHttp);
            assert!(cause.contains(&format!("and {host} is not one")), "{text}: {cause}");
        }
    }

    #[test]
    fn credentials_in_a_url_are_refused_and_never_repeated() {
        for text in [
            "https://user:hunter2@issuer.example/jwks",
            "http://user:hunter2@127.0.0.1/jwks",
            "https://hunter2@issuer.example/jwks",
            "http://127.0.0.1:1@localhost/jwks",
        ] {
            for policy in [
                HttpPolicy::HttpsOnly,
                HttpPolicy::LoopbackHttp,
                HttpPolicy::InsecureAnyHttp,
            ] {
                let cause = refused(text, policy);
                assert!(cause.contains("carries credentials"), "{text}: {cause}");
                assert!(!cause.contains("hunter2") && !cause.contains("127.0.0.1:1@"), "{cause}");
            }
        }
    }

    #[test]
    fn insecure_any_http_accepts_any_host_but_no_other_scheme() {
        assert!(parse_url("http://issuer.example/jwks", HttpPolicy::InsecureAnyHttp, "JWK Set URL").is_ok());
        for text in ["ftp://issuer.example/jwks", "file:///etc/passwd", "data:,{}"] {
            let cause = refused(text, HttpPolicy::InsecureAnyHttp);
            assert!(cause.contains("only https is supported"), "{text}: {cause}");
        }
        let cause = refused("not a url", HttpPolicy::InsecureAnyHttp);
        assert!(cause.contains("is not a URL"), "{cause}");
    }
}
