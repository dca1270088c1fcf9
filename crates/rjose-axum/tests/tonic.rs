//! The layer in front of a tonic gRPC server, over a real HTTP/2 connection
//! on 127.0.0.1, with a tonic client: what a gRPC user sees.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use rjose::jwt::SignJwt;
use rjose::{Alg, JsonObject, Key};
use rjose_axum::{Claims, JwtAuthLayer, Require, RouteClass, Verifier};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Channel, Server};
use tonic::{Code, Request, Status};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::{HealthCheckRequest, HealthCheckResponse};

mod common;
use common::{APP, expired_token, options, secret, token};

fn layer() -> JwtAuthLayer<JsonObject> {
    JwtAuthLayer::new(Verifier::new(secret(), options())).default_class(RouteClass::Grpc)
}

/// A running gRPC server: the health service behind the layer (and a role
/// guard when asked), with a server interceptor after them that records
/// the `sub` of the claims tonic's request carries.
struct GrpcServer {
    address: SocketAddr,
    subjects: Arc<Mutex<Vec<String>>>,
    _shutdown: oneshot::Sender<()>,
}

async fn start(role_required: Option<&'static str>) -> GrpcServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let subjects = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&subjects);
    let record_subject = move |request: Request<()>| {
        let claims = request
            .extensions()
            .get::<Claims<JsonObject>>()
            .ok_or_else(|| Status::internal("no claims reached the service"))?;
        let sub = claims.registered().sub.clone().unwrap_or_default();
        seen.lock().expect("lock").push(sub);
        Ok(request)
    };
    let (shutdown, stopped) = oneshot::channel::<()>();
    let (_, health) = tonic_health::server::health_reporter();
    let incoming = TcpIncoming::from(listener);
    let shutdown_signal = async {
        let _ = stopped.await;
    };
    match role_required {
        None => {
            let router = Server::builder()
                .layer(layer())
                .layer(tonic::service::InterceptorLayer::new(record_subject))
                .add_service(health);
            tokio::spawn(router.serve_with_incoming_shutdown(incoming, shutdown_signal));
        }
        Some(role) => {
            let router = Server::builder()
                .layer(layer())
                .layer(Require::<JsonObject>::role(role))
                .layer(tonic::service::InterceptorLayer::new(record_subject))
                .add_service(health);
            tokio::spawn(router.serve_with_incoming_shutdown(incoming, shutdown_signal));
        }
    }
    GrpcServer {
        address,
        subjects,
        _shutdown: shutdown,
    }
}

/// One `Health/Check` call, with `authorization` metadata when given.
async fn check(server: &GrpcServer, authorization: Option<String>) -> Result<HealthCheckResponse, Status> {
    let channel = Channel::from_shared(format!("http://{}", server.address))
        .expect("endpoint")
        .connect()
        .await
        .expect("connect");
    let mut client = HealthClient::with_interceptor(channel, move |mut request: Request<()>| {
        if let Some(value) = &authorization {
            let value = value.parse().map_err(|_| Status::internal("metadata value"))?;
            request.metadata_mut().insert("authorization", value);
        }
        Ok(request)
    });
    client
        .check(HealthCheckRequest::default())
        .await
        .map(tonic::Response::into_inner)
}

fn bearer(token: &str) -> Option<String> {
    Some(format!("Bearer {token}"))
}

#[tokio::test]
async fn a_valid_token_reaches_the_grpc_service_with_its_claims() {
    let server = start(None).await;
    let response = check(&server, bearer(&token("user"))).await.expect("call");
    assert_eq!(response.status, ServingStatus::Serving as i32);
    assert_eq!(*server.subjects.lock().expect("lock"), ["user-42"]);
}

#[tokio::test]
async fn a_call_without_a_token_is_unauthenticated() {
    let server = start(None).await;
    let status = check(&server, None).await.expect_err("refused");
    assert_eq!(status.code(), Code::Unauthenticated);
    assert!(status.message().starts_with("ERR_JWT_MISSING: "), "{status:?}");
    assert!(server.subjects.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn an_expired_token_is_unauthenticated_with_its_code() {
    let server = start(None).await;
    let status = check(&server, bearer(&expired_token())).await.expect_err("refused");
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(status.message(), "ERR_JWT_EXPIRED: the token has expired");
}

#[tokio::test]
async fn a_token_signed_with_another_key_is_unauthenticated() {
    let server = start(None).await;
    let forged = SignJwt::default()
        .protected_header(Alg::HS256)
        .issuer(APP)
        .audience("api")
        .expiration_time("15m")
        .sign(&Key::from_secret(b"another secret, also 32+ bytes long").expect("a non-empty secret"))
        .expect("sign");
    let status = check(&server, bearer(&forged)).await.expect_err("refused");
    assert_eq!(status.code(), Code::Unauthenticated);
    assert!(
        status.message().starts_with("ERR_JWS_SIGNATURE_VERIFICATION_FAILED: "),
        "{status:?}"
    );
}

#[tokio::test]
async fn a_garbled_authorization_header_is_unauthenticated() {
    let server = start(None).await;
    let status = check(&server, Some("Bearer two tokens".into()))
        .await
        .expect_err("refused");
    assert_eq!(status.code(), Code::Unauthenticated);
    assert!(status.message().starts_with("ERR_AUTH_INVALID_REQUEST: "), "{status:?}");
}

#[tokio::test]
async fn a_failed_role_guard_is_permission_denied() {
    let server = start(Some("admin")).await;
    let status = check(&server, bearer(&token("user"))).await.expect_err("refused");
    assert_eq!(status.code(), Code::PermissionDenied);
    assert!(
        status.message().starts_with("ERR_AUTH_INSUFFICIENT_SCOPE: "),
        "{status:?}"
    );

    let response = check(&server, bearer(&token("admin"))).await.expect("admin passes");
    assert_eq!(response.status, ServingStatus::Serving as i32);
}
