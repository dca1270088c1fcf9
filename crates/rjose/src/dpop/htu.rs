//! The `htu` comparison of RFC 9449 section 4.3: the proof's URI and the
//! request's agree on scheme, host, port and path once both are normalized
//! (RFC 3986 section 6.2.2 syntax-based and 6.2.3 scheme-based), whatever
//! their query and fragment.
//!
//! The `url` crate (WHATWG URL parsing) does most of it: lower-case scheme
//! and host, IDNA host names, the default port dropped, an empty path made
//! `/`, dot segments (`.`, `..`, and their `%2e` spellings) removed. What
//! it leaves alone is percent-encoding, so [`normal_path`] makes the hex
//! digits upper case and decodes the unreserved characters (RFC 3986
//! section 6.2.2.2), so that `/%7euser` and `/~user` compare equal.

use std::fmt;

use url::Url;

/// An HTTP target URI reduced to what a DPoP proof binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Htu {
    scheme: String,
    host: String,
    port: u16,
    path: String,
}

impl Htu {
    /// Parses an absolute `http` or `https` URI; the error says why not.
    pub(crate) fn parse(text: &str) -> Result<Htu, String> {
        let url = http_url(text)?;
        let host = url
            .host_str()
            .ok_or_else(|| format!("{text:?} has no host"))?
            .to_owned();
        let port = url
            .port_or_known_default()
            .ok_or_else(|| format!("{text:?} has no port"))?;
        Ok(Htu {
            scheme: url.scheme().to_owned(),
            host,
            port,
            path: normal_path(url.path()),
        })
    }
}

impl fmt::Display for Htu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}:{}{}", self.scheme, self.host, self.port, self.path)
    }
}

/// The `htu` a proof carries for the request URI `text`: the URI without
/// its query and fragment (RFC 9449 section 4.2), and without user name or
/// password, which must not travel in a header.
pub(crate) fn proof_htu(text: &str) -> Result<String, String> {
    let mut url = http_url(text)?;
    url.set_query(None);
    url.set_fragment(None);
    // Both fail only for URLs without a host, which `http_url` refused.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    Ok(url.into())
}

fn http_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("{text:?} is not an absolute URI: {e}"))?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        other => Err(format!("{text:?} is not an http or https URI (scheme {other:?})")),
    }
}

/// `path` with percent-encoded octets normalized: unreserved characters
/// decoded, the others' hex digits in upper case. One pass, linear.
fn normal_path(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = match bytes.get(i..i + 3) {
            Some([b'%', hi, lo]) => hex(*hi).zip(hex(*lo)).map(|(hi, lo)| (hi << 4) | lo),
            _ => None,
        };
        match decoded {
            Some(octet) if octet.is_ascii_alphanumeric() || matches!(octet, b'-' | b'.' | b'_' | b'~') => {
                out.push(char::from(octet));
                i += 3;
            }
            Some(octet) => {
                out.push_str(&format!("%{octet:02X}"));
                i += 3;
            }
            None => {
                // The `url` crate serializes paths as ASCII, but a
                // character is copied whole whatever it is.
                let len = path[i..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&path[i..i + len]);
                i += len;
            }
        }
    }
    out
}

fn hex(digit: u8) -> Option<u8> {
    char::from(digit).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) -> bool {
        Htu::parse(a) == Htu::parse(b)
    }

    #[test]
    fn percent_encoding_is_normalized() {
        assert_eq!(normal_path("/a%7eb/%7Ec/%2f/%2F/%41"), "/a~b/~c/%2F/%2F/A");
        assert_eq!(normal_path("/%"), "/%");
        assert_eq!(normal_path("/%zz%4"), "/%zz%4");
    }

    #[test]
    fn equal_after_scheme_and_syntax_normalization() {
        assert!(same(
            "HTTPS://Server.Example.COM:443/a/./b/../c",
            "https://server.example.com/a/c"
        ));
        assert!(same("http://example.com", "http://example.com:80/"));
        assert!(same("https://example.com/p?q=1#f", "https://example.com/p"));
    }

    #[test]
    fn different_port_scheme_host_or_path_differ() {
        assert!(!same("https://example.com/p", "https://example.com:8443/p"));
        assert!(!same("https://example.com/p", "http://example.com/p"));
        assert!(!same("https://example.com/p", "https://example.org/p"));
        assert!(!same("https://example.com/p", "https://example.com/P"));
    }

    #[test]
    fn proof_htu_drops_query_fragment_and_credentials() {
        assert_eq!(
            proof_htu("https://user:pw@api.example/x?y=1#z").as_deref(),
            Ok("https://api.example/x")
        );
        assert!(proof_htu("ftp://api.example/x").is_err());
        assert!(proof_htu("/relative").is_err());
    }
}
