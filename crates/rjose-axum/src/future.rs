//! The response future of the layer and the guards.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::{HeaderValue, Response};

use crate::Body;
use crate::rejection::DPOP_NONCE;
use crate::revocation::BoxError;

type Boxed<E> = Pin<Box<dyn Future<Output = Result<Response<Body>, E>> + Send>>;

pin_project_lite::pin_project! {
    /// The response future of [`JwtAuthService`](crate::JwtAuthService) and
    /// [`RequireService`](crate::RequireService).
    ///
    /// Requests decided without waiting (a local key, no revocation check)
    /// cost no allocation here: the future is the inner service's, or the
    /// ready rejection. Only key sources that wait (remote sets, async
    /// sources) and revocation checks box the rest of the work.
    #[project = AuthFutureProj]
    pub struct AuthFuture<F, E> {
        #[pin]
        state: State<F, E>,
    }
}

pin_project_lite::pin_project! {
    #[project = StateProj]
    enum State<F, E> {
        Inner { #[pin] future: F, nonce: Option<HeaderValue> },
        Refused { response: Option<Response<Body>> },
        Pending { future: Boxed<E> },
    }
}

impl<F, E> AuthFuture<F, E> {
    /// The inner service's future; its response gets the `DPoP-Nonce`
    /// header when there is one.
    pub(crate) fn inner(future: F, nonce: Option<HeaderValue>) -> Self {
        AuthFuture {
            state: State::Inner { future, nonce },
        }
    }

    pub(crate) fn refused(response: Response<Body>) -> Self {
        AuthFuture {
            state: State::Refused {
                response: Some(response),
            },
        }
    }

    pub(crate) fn pending(future: Boxed<E>) -> Self {
        AuthFuture {
            state: State::Pending { future },
        }
    }
}

impl<F, B, E> Future for AuthFuture<F, E>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Output = Result<Response<Body>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Inner { future, nonce } => {
                let mut response = ready!(future.poll(cx))?.map(Body::new);
                if let Some(nonce) = nonce.take() {
                    response.headers_mut().insert(DPOP_NONCE, nonce);
                }
                Poll::Ready(Ok(response))
            }
            StateProj::Refused { response } => match response.take() {
                Some(response) => Poll::Ready(Ok(response)),
                None => panic!("AuthFuture polled after completion"),
            },
            StateProj::Pending { future } => future.as_mut().poll(cx),
        }
    }
}

impl<F, E> fmt::Debug for AuthFuture<F, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Inner { .. } => "Inner",
            State::Refused { .. } => "Refused",
            State::Pending { .. } => "Pending",
        };
        f.debug_struct("AuthFuture").field("state", &state).finish()
    }
}
