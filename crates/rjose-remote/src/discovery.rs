//! Discovery of an issuer's JWK Set: OpenID Connect Discovery 1.0
//! (`/.well-known/openid-configuration`) and RFC 8414 OAuth 2.0
//! Authorization Server Metadata (`/.well-known/oauth-authorization-server`).

use reqwest::Url;
use rjose::{Error, Result};
use serde_json::{Map, Value};

use crate::fetch::{self, FetchRequest, JwksFetcher};
use crate::http_policy::{HttpPolicy, parse_url};
use crate::options::RemoteJwkSetOptions;

/// An issuer's metadata document, as discovered.
///
/// The fields the set needs are typed; every other member is in
/// [`document`](Self::document), with accessors for the common endpoints.
///
/// ```no_run
/// use rjose_remote::{ProviderMetadata, RemoteJwkSetOptions};
///
/// # async fn run() -> Result<(), rjose::Error> {
/// let metadata = ProviderMetadata::discover("https://issuer.example", &RemoteJwkSetOptions::new()).await?;
/// println!("tokens at {:?}, keys at {}", metadata.token_endpoint(), metadata.jwks_uri);
/// let algs = metadata.document.get("id_token_signing_alg_values_supported");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ProviderMetadata {
    /// The issuer, equal to the one asked for.
    pub issuer: String,
    /// Where the issuer publishes its JWK Set.
    pub jwks_uri: Url,
    /// The URL the document was fetched from.
    pub source: Url,
    /// The whole document.
    pub document: Map<String, Value>,
}

impl ProviderMetadata {
    /// Fetches and checks the metadata of `issuer`, with the options'
    /// client, time limit, size limit, headers and URL rules (see
    /// [`RemoteJwkSet::from_issuer`](crate::RemoteJwkSet::from_issuer)).
    ///
    /// Fails with `ERR_JWKS_TIMEOUT`, or `ERR_JWKS_FETCH_FAILED` (with the
    /// status when both documents answered with an error status) when no
    /// document can be had, or the one found names another issuer, has no
    /// `jwks_uri`, or is not JSON.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), rjose::Error> {
    /// let options = rjose_remote::RemoteJwkSetOptions::new();
    /// let metadata = rjose_remote::ProviderMetadata::discover("https://issuer.example", &options).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn discover(issuer: &str, options: &RemoteJwkSetOptions) -> Result<Self> {
        let fetcher = options.resolve_fetcher()?;
        discover(&*fetcher, issuer, options).await
    }

    /// A string member of the document, e.g. `"end_session_endpoint"`.
    ///
    /// ```
    /// # use rjose_remote::ProviderMetadata;
    /// # fn show(metadata: &ProviderMetadata) {
    /// if let Some(logout) = metadata.get_str("end_session_endpoint") {
    ///     println!("log out at {logout}");
    /// }
    /// # }
    /// ```
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.document.get(name).and_then(Value::as_str)
    }

    /// `authorization_endpoint`.
    pub fn authorization_endpoint(&self) -> Option<&str> {
        self.get_str("authorization_endpoint")
    }

    /// `token_endpoint`.
    pub fn token_endpoint(&self) -> Option<&str> {
        self.get_str("token_endpoint")
    }

    /// `userinfo_endpoint` (OpenID Connect).
    pub fn userinfo_endpoint(&self) -> Option<&str> {
        self.get_str("userinfo_endpoint")
    }

    /// `introspection_endpoint` (RFC 7662).
    pub fn introspection_endpoint(&self) -> Option<&str> {
        self.get_str("introspection_endpoint")
    }

    /// `revocation_endpoint` (RFC 7009).
    pub fn revocation_endpoint(&self) -> Option<&str> {
        self.get_str("revocation_endpoint")
    }
}

/// The two places an issuer's metadata may be: OpenID Connect's (the path
/// appended) and RFC 8414's (the path after the well-known segment).
fn well_known_urls(issuer: &Url) -> (Url, Url) {
    let path = issuer.path().trim_end_matches('/');
    let mut openid = issuer.clone();
    openid.set_path(&format!("{path}/.well-known/openid-configuration"));
    let mut oauth = issuer.clone();
    oauth.set_path(&format!("/.well-known/oauth-authorization-server{path}"));
    (openid, oauth)
}

pub(crate) async fn discover(
    fetcher: &dyn JwksFetcher,
    issuer: &str,
    options: &RemoteJwkSetOptions,
) -> Result<ProviderMetadata> {
    let issuer_url = parse_url(issuer, options.http_policy, "issuer")?;
    if issuer_url.query().is_some() || issuer_url.fragment().is_some() {
        return Err(fetch::fetch_error(
            None,
            format!("the issuer {issuer:?} has a query or fragment, which an issuer identifier cannot have"),
        ));
    }
    let (openid, oauth) = well_known_urls(&issuer_url);
    let (source, body) = match get_document(fetcher, &openid, options).await {
        Ok(body) => (openid, body),
        Err(Error::JwksFetch {
            status: Some(first_status),
            cause: first_cause,
        }) => match get_document(fetcher, &oauth, options).await {
            Ok(body) => (oauth, body),
            Err(Error::JwksFetch { status, cause }) => {
                return Err(Error::JwksFetch {
                    status: status.or(Some(first_status)),
                    cause: format!("no metadata for the issuer {issuer:?}: {first_cause}; {cause}"),
                });
            }
            Err(other) => return Err(other),
        },
        Err(other) => return Err(other),
    };
    parse_metadata(issuer, &source, &body, options.http_policy)
}

async fn get_document(fetcher: &dyn JwksFetcher, url: &Url, options: &RemoteJwkSetOptions) -> Result<Vec<u8>> {
    let request = FetchRequest::with_options(url.clone(), options, "application/json");
    let response = fetch::get(fetcher, request).await?;
    if !response.status.is_success() {
        return Err(fetch::status_error(url, &response));
    }
    Ok(response.body)
}

fn parse_metadata(issuer: &str, source: &Url, body: &[u8], http_policy: HttpPolicy) -> Result<ProviderMetadata> {
    let invalid = |detail: String| fetch::fetch_error(None, format!("the metadata at {source} {detail}"));
    let document = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(document)) => document,
        Ok(_) => return Err(invalid("is not a JSON object".into())),
        Err(e) => return Err(invalid(format!("is not JSON: {e}"))),
    };
    match document.get("issuer").and_then(Value::as_str) {
        Some(found) if found == issuer => {}
        Some(found) => {
            return Err(invalid(format!(
                "is for the issuer {found:?}, not {issuer:?} as asked; it is not used"
            )));
        }
        None => return Err(invalid("has no \"issuer\"".into())),
    }
    let Some(jwks_uri) = document.get("jwks_uri").and_then(Value::as_str) else {
        return Err(invalid("has no \"jwks_uri\"".into()));
    };
    let jwks_uri = parse_url(jwks_uri, http_policy, "jwks_uri")?;
    Ok(ProviderMetadata {
        issuer: issuer.to_owned(),
        jwks_uri,
        source: source.clone(),
        document,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(issuer: &str) -> (String, String) {
        let (openid, oauth) = well_known_urls(&Url::parse(issuer).expect("a literal URL"));
        (openid.into(), oauth.into())
    }

    #[test]
    fn well_known_urls_of_a_host_issuer() {
        assert_eq!(
            urls("https://issuer.example"),
            (
                "https://issuer.example/.well-known/openid-configuration".into(),
                "https://issuer.example/.well-known/oauth-authorization-server".into()
            )
        );
    }

    #[test]
    fn well_known_urls_of_an_issuer_with_a_path_follow_each_spec() {
        assert_eq!(
            urls("https://issuer.example/tenant/"),
            (
                "https://issuer.example/tenant/.well-known/openid-configuration".into(),
                "https://issuer.example/.well-known/oauth-authorization-server/tenant".into()
            )
        );
    }

    #[test]
    fn metadata_for_another_issuer_is_refused() {
        let source = Url::parse("https://issuer.example/.well-known/openid-configuration").expect("a literal URL");
        let body = br#"{"issuer":"https://evil.example","jwks_uri":"https://evil.example/jwks"}"#;
        let error = parse_metadata("https://issuer.example", &source, body, HttpPolicy::HttpsOnly)
            .map(drop)
            .expect_err("wrong issuer");
        assert_eq!(error.code(), "ERR_JWKS_FETCH_FAILED");
        assert!(error.to_string().contains("https://evil.example"), "{error}");
    }

    #[test]
    fn metadata_with_plain_http_jwks_uri_is_refused() {
        let source = Url::parse("https://issuer.example/.well-known/openid-configuration").expect("a literal URL");
        let body = br#"{"issuer":"https://issuer.example","jwks_uri":"http://issuer.example/jwks"}"#;
        assert!(parse_metadata("https://issuer.example", &source, body, HttpPolicy::HttpsOnly).is_err());
    }
}
