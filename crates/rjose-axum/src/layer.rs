//! The tower layer: find the token, verify it, hand the claims on or answer.

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::request::Parts;
use http::{HeaderMap, HeaderName, HeaderValue, Request, Response};
use rjose::JsonObject;
use serde::de::DeserializeOwned;
use tower_layer::Layer;
use tower_service::Service;

use crate::future::AuthFuture;
use crate::paths::PathPattern;
use crate::rejection::{AuthContext, AuthRejection, Failure, RouteClass};
use crate::revocation::BoxError;
use crate::revocation::RevocationCheck;
use crate::token::{NOT_ONE_TOKEN, TokenSource, find_token, is_b64token};
use crate::verifier::{Selection, Verification, Verifier, Verifiers};
use crate::{Body, Claims};

type Forward<T> = Arc<dyn Fn(&Claims<T>) -> Option<String> + Send + Sync>;
type Predicate = Arc<dyn Fn(&Parts) -> bool + Send + Sync>;

/// A tower [`Layer`] that authenticates every request with a JWT.
///
/// For each request it:
/// 1. removes the headers it forwards claims in ([`forward_header`](Self::forward_header)),
///    so a client can never forge them;
/// 2. lets public paths through untouched;
/// 3. takes the token from the first [`TokenSource`] present (default:
///    the bearer header only);
/// 4. verifies signature and claims with the [`Verifier`] (or the verifier
///    of the token's issuer), then runs the [revocation check](Self::revocation);
/// 5. puts [`Claims<T>`] in the request extensions, forwards the configured
///    claims as headers, and calls the inner service, or answers the
///    request as its [`RouteClass`] says.
///
/// Works with axum (`Router::layer`), tonic (`Server::builder().layer`,
/// with [`RouteClass::Grpc`] so that clients get gRPC statuses), and any
/// tower stack whose requests are `http::Request`s.
///
/// ```
/// use rjose::{Alg, JsonObject, Key, jwt::VerifyOptions};
/// use rjose_axum::{JwtAuthLayer, Verifier};
///
/// let first_party = Verifier::new(
///     Key::from_secret(b"at least thirty-two bytes of secret!")?,
///     VerifyOptions::new().algorithms([Alg::HS256]).audience("api"),
/// );
/// # let idp_key = rjose::generate_key_pair(Alg::RS256, Default::default())?.public_key;
/// // Third-party tokens side by side, chosen by "iss"; in production the
/// // key source would be a rjose_remote::RemoteJwkSet.
/// let idp = Verifier::new(idp_key, VerifyOptions::new().algorithms([Alg::RS256]).audience("my-api"));
/// let layer = JwtAuthLayer::<JsonObject>::by_issuer([
///     ("https://app.example", first_party),
///     ("https://tenant.auth.example/", idp),
/// ]);
/// # Ok::<(), rjose::Error>(())
/// ```
pub struct JwtAuthLayer<T = JsonObject> {
    config: Arc<Config<T>>,
}

struct Config<T> {
    verifiers: Verifiers,
    sources: Vec<TokenSource>,
    public: Vec<PathPattern>,
    public_if: Option<Predicate>,
    optional: Vec<PathPattern>,
    classes: Vec<(PathPattern, RouteClass)>,
    default_class: RouteClass,
    realm: Option<Arc<str>>,
    forward: Vec<(HeaderName, Forward<T>)>,
    revocation: Option<Arc<dyn RevocationCheck<T>>>,
}

impl<T> Clone for Config<T> {
    fn clone(&self) -> Self {
        Config {
            verifiers: self.verifiers.clone(),
            sources: self.sources.clone(),
            public: self.public.clone(),
            public_if: self.public_if.clone(),
            optional: self.optional.clone(),
            classes: self.classes.clone(),
            default_class: self.default_class.clone(),
            realm: self.realm.clone(),
            forward: self.forward.clone(),
            revocation: self.revocation.clone(),
        }
    }
}

/// Whether a request needs a token.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Not looked at.
    Public,
    /// Verified when present; anonymous when absent or bad.
    Optional,
    /// Refused without a valid token.
    Required,
}

impl<T> JwtAuthLayer<T> {
    /// A layer verifying every token with `verifier`.
    pub fn new(verifier: Verifier) -> Self {
        Self::with_verifiers(Verifiers::Single(verifier))
    }

    /// A layer with one verifier per issuer: the token's `iss` picks the
    /// verifier, which then accepts that issuer only. A token whose `iss`
    /// is missing or unknown is refused (`invalid_token`).
    pub fn by_issuer<I: Into<String>>(issuers: impl IntoIterator<Item = (I, Verifier)>) -> Self {
        let issuers = issuers
            .into_iter()
            .map(|(iss, verifier)| {
                let iss = iss.into();
                let verifier = verifier.for_issuer(&iss);
                (iss, verifier)
            })
            .collect();
        Self::with_verifiers(Verifiers::ByIssuer(issuers))
    }

    fn with_verifiers(verifiers: Verifiers) -> Self {
        JwtAuthLayer {
            config: Arc::new(Config {
                verifiers,
                sources: vec![TokenSource::Bearer],
                public: Vec::new(),
                public_if: None,
                optional: Vec::new(),
                classes: Vec::new(),
                default_class: RouteClass::Api,
                realm: None,
                forward: Vec::new(),
                revocation: None,
            }),
        }
    }

    fn edit(mut self, f: impl FnOnce(&mut Config<T>)) -> Self {
        f(Arc::make_mut(&mut self.config));
        self
    }

    /// Where to look for the token, in order; the first source present is
    /// used. Default: [`TokenSource::Bearer`] only.
    pub fn token_sources(self, sources: impl IntoIterator<Item = TokenSource>) -> Self {
        self.edit(|c| c.sources = sources.into_iter().collect())
    }

    /// Paths that skip authentication entirely (`"/"` exact,
    /// `"/api/auth/*"` prefix). Handlers there see no claims; use
    /// [`optional_paths`](Self::optional_paths) to greet signed-in users.
    pub fn public_paths<P: Into<PathPattern>>(self, paths: impl IntoIterator<Item = P>) -> Self {
        self.edit(|c| c.public.extend(paths.into_iter().map(Into::into)))
    }

    /// Requests for which `predicate` holds skip authentication, e.g. CORS
    /// preflights: `|parts| parts.method == http::Method::OPTIONS`.
    pub fn public_if(self, predicate: impl Fn(&Parts) -> bool + Send + Sync + 'static) -> Self {
        self.edit(|c| c.public_if = Some(Arc::new(predicate)))
    }

    /// Paths where a token is optional: verified when present (handlers get
    /// `Some` from `Option<Claims<T>>`), and the request goes on anonymously
    /// when it is absent or does not verify.
    pub fn optional_paths<P: Into<PathPattern>>(self, paths: impl IntoIterator<Item = P>) -> Self {
        self.edit(|c| c.optional.extend(paths.into_iter().map(Into::into)))
    }

    /// Answers failures on paths matching `pattern` as `class` says; the
    /// first matching pattern wins. Other paths get the
    /// [default class](Self::default_class).
    pub fn route_class(self, pattern: impl Into<PathPattern>, class: RouteClass) -> Self {
        self.edit(|c| c.classes.push((pattern.into(), class)))
    }

    /// The class of paths no [`route_class`](Self::route_class) matches.
    /// Default: [`RouteClass::Api`].
    pub fn default_class(self, class: RouteClass) -> Self {
        self.edit(|c| c.default_class = class)
    }

    /// The `realm` of the `WWW-Authenticate` challenge.
    pub fn realm(self, realm: impl Into<Arc<str>>) -> Self {
        self.edit(|c| c.realm = Some(realm.into()))
    }

    /// Forwards a value taken from the verified claims as the request
    /// header `name` (e.g. `x-user-id`), for inner services that read
    /// headers. The header is removed from every incoming request first,
    /// public or not, so only the layer can set it. Nothing is forwarded
    /// when `value` returns `None` or a value that cannot be a header.
    ///
    /// # Panics
    /// If `name` is not a valid lowercase header name, as
    /// [`HeaderName::from_static`] does: a programming error, caught the
    /// first time the layer is built.
    pub fn forward_header(
        self,
        name: &'static str,
        value: impl Fn(&Claims<T>) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        let name = HeaderName::from_static(name);
        self.edit(|c| c.forward.push((name, Arc::new(value))))
    }

    /// Runs `check` on every verified token; see [`RevocationCheck`].
    pub fn revocation(self, check: impl RevocationCheck<T>) -> Self {
        self.edit(|c| c.revocation = Some(Arc::new(check)))
    }
}

impl<T> Config<T> {
    fn access(&self, parts: &Parts) -> Access {
        let path = parts.uri.path();
        if self.public.iter().any(|p| p.matches(path)) || self.public_if.as_ref().is_some_and(|f| f(parts)) {
            Access::Public
        } else if self.optional.iter().any(|p| p.matches(path)) {
            Access::Optional
        } else {
            Access::Required
        }
    }

    fn class(&self, path: &str) -> RouteClass {
        self.classes
            .iter()
            .find(|(pattern, _)| pattern.matches(path))
            .map_or(&self.default_class, |(_, class)| class)
            .clone()
    }
}

/// What is left to do for a request once the synchronous part is done.
enum Step<T> {
    /// Decided: the claims, no token, or the failure.
    Done(Result<Option<Claims<T>>, Failure>),
    /// Verified; the revocation check is still to run.
    CheckRevocation(Claims<T>),
    /// The keys have to be waited for (a remote set, an async source).
    VerifyAsync {
        verifier: Verifier,
        token: String,
        context: AuthContext,
    },
}

impl<T: DeserializeOwned + Send + Sync + 'static> Config<T> {
    /// Everything that can be done without waiting.
    fn first_step(&self, headers: &HeaderMap, context: &AuthContext) -> Step<T> {
        let token = match find_token(&self.sources, headers) {
            Ok(Some(token)) => token,
            Ok(None) => return Step::Done(Ok(None)),
            Err(malformed) => return Step::Done(Err(Failure::Malformed(malformed.0))),
        };
        let verifier = match self.verifiers.select(token) {
            Ok(verifier) => verifier,
            Err(Selection::Unreadable(e)) => return Step::Done(Err(refine(token, Failure::Invalid(e)))),
            Err(Selection::UnknownIssuer) => return Step::Done(Err(refine(token, Failure::UnknownIssuer))),
        };
        match verifier.start::<T>(token, context) {
            Verification::Done(Ok(claims)) => match self.revocation {
                Some(_) => Step::CheckRevocation(claims),
                None => Step::Done(Ok(Some(claims))),
            },
            Verification::Done(Err(e)) => Step::Done(Err(refine(token, Failure::from_verification(e)))),
            Verification::Pending => Step::VerifyAsync {
                verifier: verifier.clone(),
                token: token.to_owned(),
                context: context.clone(),
            },
        }
    }

    /// The rest: verification with keys that had to be waited for, and
    /// the revocation check.
    async fn last_step(&self, step: Step<T>) -> Result<Option<Claims<T>>, Failure> {
        let claims = match step {
            Step::Done(outcome) => return outcome,
            Step::CheckRevocation(claims) => claims,
            Step::VerifyAsync {
                verifier,
                token,
                context,
            } => {
                let verified = verifier
                    .verify::<T>(&token)
                    .await
                    .map_err(|e| refine(&token, Failure::from_verification(e)))?;
                Claims::new(verified, context)
            }
        };
        let Some(check) = &self.revocation else {
            return Ok(Some(claims));
        };
        match check.is_revoked(claims.clone()).await {
            Ok(false) => Ok(Some(claims)),
            Ok(true) => Err(Failure::Revoked),
            Err(error) => {
                tracing::warn!(%error, "revocation check failed; refusing the request");
                Err(Failure::Unavailable("ERR_AUTH_REVOCATION_UNAVAILABLE"))
            }
        }
    }

    /// Lets the request on (with its claims and context) or refuses it.
    fn admit(
        &self,
        outcome: Result<Option<Claims<T>>, Failure>,
        access: Access,
        context: AuthContext,
        parts: &mut Parts,
    ) -> Result<(), AuthRejection> {
        match (outcome, access) {
            (_, Access::Public) => {}
            (Ok(Some(claims)), _) => {
                self.forward_claims(&claims, &mut parts.headers);
                // The claims carry the context.
                parts.extensions.insert(claims);
                return Ok(());
            }
            (Ok(None), Access::Optional) => {}
            (Err(failure), Access::Optional) => {
                tracing::debug!(code = failure.code(), detail = %failure, "optional token ignored");
            }
            (Ok(None), Access::Required) => return Err(context.reject(Failure::Missing)),
            (Err(failure), Access::Required) => return Err(context.reject(failure)),
        }
        parts.extensions.insert(context);
        Ok(())
    }

    fn forward_claims(&self, claims: &Claims<T>, headers: &mut HeaderMap) {
        for (name, value) in &self.forward {
            let Some(value) = value(claims) else { continue };
            // From the String itself: no copy of the bytes.
            match HeaderValue::try_from(value) {
                Ok(value) => {
                    headers.insert(name.clone(), value);
                }
                Err(_) => tracing::warn!(header = %name, "claim value cannot be a header value; not forwarded"),
            }
        }
    }
}

/// A token that failed and is not even one `b64token` (spaces, commas,
/// quotes...) makes the request malformed (`invalid_request`), not the
/// token invalid. Asked only on failure: every JWS that verifies is one.
fn refine(token: &str, failure: Failure) -> Failure {
    match failure {
        Failure::Invalid(_) | Failure::UnknownIssuer if !is_b64token(token) => Failure::Malformed(NOT_ONE_TOKEN.0),
        other => other,
    }
}

impl<T> Clone for JwtAuthLayer<T> {
    fn clone(&self) -> Self {
        JwtAuthLayer {
            config: Arc::clone(&self.config),
        }
    }
}

impl<T> fmt::Debug for JwtAuthLayer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.config;
        f.debug_struct("JwtAuthLayer")
            .field("verifiers", &c.verifiers)
            .field("sources", &c.sources)
            .field("public", &c.public)
            .field("optional", &c.optional)
            .field("classes", &c.classes)
            .field("default_class", &c.default_class)
            .field("forward", &c.forward.iter().map(|(name, _)| name).collect::<Vec<_>>())
            .field("revocation", &c.revocation.is_some())
            .finish()
    }
}

impl<S, T> Layer<S> for JwtAuthLayer<T> {
    type Service = JwtAuthService<S, T>;

    fn layer(&self, inner: S) -> Self::Service {
        JwtAuthService {
            inner,
            config: Arc::clone(&self.config),
        }
    }
}

/// The service [`JwtAuthLayer`] wraps around yours.
pub struct JwtAuthService<S, T = JsonObject> {
    inner: S,
    config: Arc<Config<T>>,
}

impl<S: Clone, T> Clone for JwtAuthService<S, T> {
    fn clone(&self) -> Self {
        JwtAuthService {
            inner: self.inner.clone(),
            config: Arc::clone(&self.config),
        }
    }
}

impl<S: fmt::Debug, T> fmt::Debug for JwtAuthService<S, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtAuthService")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<S, T, B, ResBody> Service<Request<B>> for JwtAuthService<S, T>
where
    S: Service<Request<B>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Send + 'static,
    B: Send + 'static,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
    T: DeserializeOwned + Send + Sync + 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = AuthFuture<S::Future, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let config = &self.config;
        let (mut parts, body) = request.into_parts();
        for (name, _) in &config.forward {
            parts.headers.remove(name);
        }
        let context = AuthContext {
            class: config.class(parts.uri.path()),
            realm: config.realm.clone(),
        };
        let access = config.access(&parts);
        let step = match access {
            Access::Public => Step::Done(Ok(None)),
            Access::Optional | Access::Required => config.first_step(&parts.headers, &context),
        };
        if let Step::Done(outcome) = step {
            return match config.admit(outcome, access, context, &mut parts) {
                Ok(()) => AuthFuture::inner(self.inner.call(Request::from_parts(parts, body))),
                Err(rejection) => AuthFuture::refused(rejection.into_http()),
            };
        }
        // The clone is the one that was not polled ready; keep the ready one.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let config = Arc::clone(config);
        AuthFuture::pending(Box::pin(async move {
            let outcome = config.last_step(step).await;
            match config.admit(outcome, access, context, &mut parts) {
                Ok(()) => Ok(inner.call(Request::from_parts(parts, body)).await?.map(Body::new)),
                Err(rejection) => Ok(rejection.into_http()),
            }
        }))
    }
}
