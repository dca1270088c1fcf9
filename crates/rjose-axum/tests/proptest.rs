//! Hostile input against the layer: whatever the request carries, the
//! layer answers (never panics), lets through only a token that verifies,
//! and never lets a client-sent claim header reach the handler.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode};
use axum::routing::get;
use proptest::prelude::*;
use rjose::jwt::{SignJwt, VerifyOptions};
use rjose::{Alg, JsonObject, Key};
use rjose_axum::{Claims, JwtAuthLayer, TokenSource, Verifier};
use tower::ServiceExt;

mod common;
use common::SECRET;

fn app() -> Router {
    let verifier = Verifier::new(
        Key::from_secret(SECRET).expect("a non-empty secret"),
        VerifyOptions::new().algorithms([Alg::HS256]).audience("api"),
    );
    let handler = |claims: Claims<JsonObject>, headers: HeaderMap| async move {
        // Reaching here means the token verified; the forwarded header must
        // be the layer's, taken from those claims.
        let forwarded = headers
            .get("x-user-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        assert_eq!(
            forwarded,
            claims.registered().sub.clone(),
            "forwarded header is not the layer's"
        );
        "ok"
    };
    Router::new().route("/api/me", get(handler)).layer(
        JwtAuthLayer::<JsonObject>::new(verifier)
            .token_sources([TokenSource::Bearer, TokenSource::cookie("access_token")])
            .forward_header("x-user-id", |claims| claims.registered().sub.clone()),
    )
}

fn valid_token() -> String {
    SignJwt::default()
        .protected_header(Alg::HS256)
        .subject("user-42")
        .audience("api")
        .expiration_time("15m")
        .sign(&Key::from_secret(SECRET).expect("a non-empty secret"))
        .expect("a token")
}

fn status(headers: &[(&'static str, HeaderValue)]) -> StatusCode {
    let mut request = Request::get("/api/me").body(Body::empty()).expect("request");
    for (name, value) in headers {
        request.headers_mut().append(*name, value.clone());
    }
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    runtime.block_on(app().oneshot(request)).expect("infallible").status()
}

/// Bytes a header value may hold (no control characters but tab).
fn header_bytes() -> impl Strategy<Value = HeaderValue> {
    prop::collection::vec(prop_oneof![Just(b'\t'), 0x20u8..=0x7e, 0x80u8..=0xff], 0..300)
        .prop_filter_map("not a header value", |bytes| HeaderValue::from_bytes(&bytes).ok())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_authorization_is_refused_without_panic(value in header_bytes(), forged in header_bytes()) {
        let code = status(&[("authorization", value), ("x-user-id", forged)]);
        prop_assert!(
            matches!(code, StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED),
            "unexpected {code}"
        );
    }

    #[test]
    fn arbitrary_bearer_token_is_refused_without_panic(token in "[A-Za-z0-9._~+/=-]{0,400}") {
        let value = HeaderValue::from_str(&format!("Bearer {token}")).expect("ASCII");
        let code = status(&[("authorization", value)]);
        prop_assert!(matches!(code, StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED), "unexpected {code}");
    }

    #[test]
    fn arbitrary_cookies_are_refused_without_panic(cookie in header_bytes()) {
        let code = status(&[("cookie", cookie)]);
        prop_assert!(matches!(code, StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED), "unexpected {code}");
    }

    #[test]
    fn any_changed_byte_of_a_valid_token_is_refused(index in any::<prop::sample::Index>(), replacement in 0x21u8..=0x7e) {
        let token = valid_token();
        let mut bytes = token.clone().into_bytes();
        let at = index.index(bytes.len());
        prop_assume!(bytes[at] != replacement);
        bytes[at] = replacement;
        let changed = String::from_utf8(bytes).expect("ASCII");
        let value = HeaderValue::from_str(&format!("Bearer {changed}")).expect("ASCII");
        let code = status(&[("authorization", value)]);
        prop_assert!(matches!(code, StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED), "{changed} got {code}");
    }
}

#[test]
fn the_valid_token_itself_passes() {
    let value = HeaderValue::from_str(&format!("Bearer {}", valid_token())).expect("ASCII");
    let forged = HeaderValue::from_static("admin");
    assert_eq!(
        status(&[("authorization", value), ("x-user-id", forged)]),
        StatusCode::OK
    );
}
