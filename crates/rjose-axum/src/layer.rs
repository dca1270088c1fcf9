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

use crate::dpop::{DpopConfig, DpopMode, VerifiedDpop};
use crate::future::AuthFuture;
use crate::paths::PathPattern;
use crate::rejection::{AuthContext, AuthRejection, DPOP_NONCE, Failure, RouteClass};
use crate::revocation::BoxError;
use crate::revocation::RevocationCheck;
use crate::token::{NOT_ONE_TOKEN, TokenSource, dpop_credentials, find_token, is_b64token};
use crate::verifier::{Selection, Verification, Verifier, Verifiers};
use crate::{Body, Claims};
use rjose::dpop::{DpopFailure, VerifiedProof};

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
    dpop: DpopConfig,
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
            dpop: self.dpop.clone(),
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
                dpop: DpopConfig::new(DpopMode::Refused),
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

    /// Whether and how requests may use DPoP (RFC 9449): a
    /// [`DpopMode`], or a [`DpopConfig`] with its settings. Default:
    /// [`DpopMode::Refused`], bearer tokens only.
    ///
    /// ```
    /// use rjose::{Alg, JsonObject, Key, jwt::VerifyOptions};
    /// use rjose_axum::{DpopConfig, DpopMode, JwtAuthLayer, Verifier};
    ///
    /// # let key = rjose::generate_key_pair(Alg::ES256, Default::default())?.public_key;
    /// let verifier = Verifier::new(key, VerifyOptions::new().audience("https://api.example"));
    /// let both = JwtAuthLayer::<JsonObject>::new(verifier.clone()).dpop(DpopMode::Allowed);
    /// let only_dpop = JwtAuthLayer::<JsonObject>::new(verifier)
    ///     .dpop(DpopConfig::new(DpopMode::Required).public_origin("https://api.example"));
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn dpop(self, config: impl Into<DpopConfig>) -> Self {
        let config = config.into();
        self.edit(|c| c.dpop = config)
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

/// A request that passed: its claims, and its proof when it used DPoP.
struct Admitted<T> {
    claims: Claims<T>,
    proof: Option<VerifiedProof>,
}

/// What the proof of a request must match, once its token is verified.
struct DpopRequest {
    proof: String,
    htm: String,
    htu: String,
}

/// The credentials a request presents.
struct Presented<'a> {
    token: &'a str,
    dpop: Option<DpopRequest>,
}

/// What is left to do for a request once the synchronous part is done.
enum Step<T> {
    /// Decided: the claims, no token, or the failure.
    Done(Result<Option<Admitted<T>>, Failure>),
    /// Verified; the revocation check or an async replay store is still
    /// to run.
    Finish(Admitted<T>),
    /// The keys have to be waited for (a remote set, an async source).
    VerifyAsync {
        verifier: Verifier,
        token: String,
        context: AuthContext,
        dpop: Option<DpopRequest>,
    },
}

/// The one claim a verified token is read again for.
#[derive(serde::Deserialize)]
struct Confirmation {
    cnf: Option<serde_json::Value>,
}

/// The `cnf.jkt` of a token whose signature was verified already.
fn bound_jkt(token: &str) -> Option<String> {
    let Confirmation { cnf } = rjose::jwt::decode_jwt_claims_unverified(token).ok()?;
    Some(cnf?.get("jkt")?.as_str()?.to_owned())
}

impl<T: DeserializeOwned + Send + Sync + 'static> Config<T> {
    /// The token, and the proof if the request uses DPoP.
    fn present<'a>(&self, parts: &'a Parts, context: &mut AuthContext) -> Result<Option<Presented<'a>>, Failure> {
        let mode = self.dpop.mode();
        if mode != DpopMode::Refused {
            let dpop = dpop_credentials(&parts.headers).map_err(|m| Failure::Malformed(m.0))?;
            if let Some(credentials) = dpop {
                context.via_dpop = true;
                let (token, proofs) = credentials.map_err(|m| Failure::Malformed(m.0))?;
                let proof = match proofs {
                    Ok(proof) => proof,
                    Err(why) => return Err(Failure::Dpop(DpopFailure::Malformed, why.into())),
                };
                let request = DpopRequest {
                    proof: proof.to_owned(),
                    htm: parts.method.as_str().to_owned(),
                    htu: self.dpop.htu(parts)?,
                };
                return Ok(Some(Presented {
                    token,
                    dpop: Some(request),
                }));
            }
        }
        match find_token(&self.sources, &parts.headers) {
            Ok(Some(_)) if mode == DpopMode::Required => Err(Failure::DpopRequired),
            Ok(Some(token)) => Ok(Some(Presented { token, dpop: None })),
            Ok(None) => Ok(None),
            Err(malformed) => Err(Failure::Malformed(malformed.0)),
        }
    }

    /// Everything that can be done without waiting.
    fn first_step(&self, parts: &Parts, context: &mut AuthContext) -> Step<T> {
        let Presented { token, dpop } = match self.present(parts, context) {
            Ok(Some(presented)) => presented,
            Ok(None) => return Step::Done(Ok(None)),
            Err(failure) => return Step::Done(Err(failure)),
        };
        let verifier = match self.verifiers.select(token) {
            Ok(verifier) => verifier,
            Err(Selection::Unreadable(e)) => return Step::Done(Err(refine(token, Failure::Invalid(e)))),
            Err(Selection::UnknownIssuer) => return Step::Done(Err(refine(token, Failure::UnknownIssuer))),
        };
        let claims = match verifier.start::<T>(token, context) {
            Verification::Done(Ok(claims)) => claims,
            Verification::Done(Err(e)) => return Step::Done(Err(refine(token, Failure::from_verification(e)))),
            Verification::Pending => {
                return Step::VerifyAsync {
                    verifier: verifier.clone(),
                    token: token.to_owned(),
                    context: context.clone(),
                    dpop,
                };
            }
        };
        let admitted = match self.bind(claims, token, dpop) {
            Ok(admitted) => admitted,
            Err(failure) => return Step::Done(Err(failure)),
        };
        if self.revocation.is_some() {
            return Step::Finish(admitted);
        }
        let recorded = match &admitted.proof {
            None => Some(Ok(())),
            Some(proof) => self.dpop.record_now(proof),
        };
        match recorded {
            Some(Ok(())) => Step::Done(Ok(Some(admitted))),
            Some(Err(failure)) => Step::Done(Err(failure)),
            None => Step::Finish(admitted),
        }
    }

    /// Checks the token's binding against how it was presented, and the
    /// proof against the request and the token. Replay is checked last,
    /// by the caller.
    fn bind(&self, claims: Claims<T>, token: &str, dpop: Option<DpopRequest>) -> Result<Admitted<T>, Failure> {
        let jkt = bound_jkt(token);
        let Some(request) = dpop else {
            return match jkt {
                Some(_) => Err(Failure::BoundAsBearer),
                None => Ok(Admitted { claims, proof: None }),
            };
        };
        let Some(jkt) = jkt else {
            return Err(Failure::Dpop(
                DpopFailure::BindingMismatch,
                "a token without \"cnf\".\"jkt\" came with the DPoP scheme".into(),
            ));
        };
        let proof = self
            .dpop
            .verify(&request.proof, &request.htm, &request.htu, token, &jkt)?;
        Ok(Admitted {
            claims,
            proof: Some(proof),
        })
    }

    /// The rest: verification with keys that had to be waited for, the
    /// revocation check, and the replay check with a store that waits.
    async fn last_step(&self, step: Step<T>) -> Result<Option<Admitted<T>>, Failure> {
        let admitted = match step {
            Step::Done(outcome) => return outcome,
            Step::Finish(admitted) => admitted,
            Step::VerifyAsync {
                verifier,
                token,
                context,
                dpop,
            } => {
                let verified = verifier
                    .verify::<T>(&token)
                    .await
                    .map_err(|e| refine(&token, Failure::from_verification(e)))?;
                self.bind(Claims::new(verified, context), &token, dpop)?
            }
        };
        if let Some(check) = &self.revocation {
            match check.is_revoked(admitted.claims.clone()).await {
                Ok(false) => {}
                Ok(true) => return Err(Failure::Revoked),
                Err(error) => {
                    tracing::warn!(%error, "revocation check failed; refusing the request");
                    return Err(Failure::Unavailable("ERR_AUTH_REVOCATION_UNAVAILABLE"));
                }
            }
        }
        if let Some(proof) = &admitted.proof {
            self.dpop.record(proof).await?;
        }
        Ok(Some(admitted))
    }

    /// Lets the request on (with its claims and context) or refuses it.
    /// On the way in, the `DPoP-Nonce` the response is to carry.
    fn admit(
        &self,
        outcome: Result<Option<Admitted<T>>, Failure>,
        access: Access,
        context: AuthContext,
        parts: &mut Parts,
    ) -> Result<Option<HeaderValue>, AuthRejection> {
        match (outcome, access) {
            (_, Access::Public) => {}
            (Ok(Some(Admitted { claims, proof })), _) => {
                self.forward_claims(&claims, &mut parts.headers);
                // The claims carry the context.
                parts.extensions.insert(claims);
                let Some(proof) = proof else { return Ok(None) };
                parts.extensions.insert(VerifiedDpop::new(proof));
                return Ok(self.dpop.fresh_nonce());
            }
            (Ok(None), Access::Optional) => {}
            (Err(failure), Access::Optional) => {
                tracing::debug!(code = failure.code(), detail = %failure, "optional token ignored");
            }
            (Ok(None), Access::Required) => return Err(context.reject(Failure::Missing)),
            (Err(failure), Access::Required) => return Err(context.reject(failure)),
        }
        parts.extensions.insert(context);
        Ok(None)
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
            .field("dpop", &c.dpop)
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
        let mut context = AuthContext {
            class: config.class(parts.uri.path()),
            realm: config.realm.clone(),
            dpop: config.dpop.challenge(),
            via_dpop: false,
        };
        let access = config.access(&parts);
        let step = match access {
            Access::Public => Step::Done(Ok(None)),
            Access::Optional | Access::Required => config.first_step(&parts, &mut context),
        };
        if let Step::Done(outcome) = step {
            return match config.admit(outcome, access, context, &mut parts) {
                Ok(nonce) => AuthFuture::inner(self.inner.call(Request::from_parts(parts, body)), nonce),
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
                Ok(nonce) => {
                    let mut response = inner.call(Request::from_parts(parts, body)).await?.map(Body::new);
                    if let Some(nonce) = nonce {
                        response.headers_mut().insert(DPOP_NONCE, nonce);
                    }
                    Ok(response)
                }
                Err(rejection) => Ok(rejection.into_http()),
            }
        }))
    }
}
