//! The response future of the layer and the guards.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::Response;
use http_body_util::{Either, Full};

use crate::AuthBody;

type Boxed<B, E> = Pin<Box<dyn Future<Output = Result<Response<AuthBody<B>>, E>> + Send>>;

pin_project_lite::pin_project! {
    /// The response future of [`JwtAuthService`](crate::JwtAuthService) and
    /// [`RequireService`](crate::RequireService).
    ///
    /// Requests decided without waiting (a local key, no revocation check)
    /// cost no allocation here: the future is the inner service's, or the
    /// ready rejection. Only remote key sets and revocation checks box the
    /// rest of the work.
    #[project = AuthFutureProj]
    pub struct AuthFuture<F, B, E> {
        #[pin]
        state: State<F, B, E>,
    }
}

pin_project_lite::pin_project! {
    #[project = StateProj]
    enum State<F, B, E> {
        Inner { #[pin] future: F },
        Refused { response: Option<Response<Full<Bytes>>> },
        Pending { future: Boxed<B, E> },
    }
}

impl<F, B, E> AuthFuture<F, B, E> {
    pub(crate) fn inner(future: F) -> Self {
        AuthFuture {
            state: State::Inner { future },
        }
    }

    pub(crate) fn refused(response: Response<Full<Bytes>>) -> Self {
        AuthFuture {
            state: State::Refused {
                response: Some(response),
            },
        }
    }

    pub(crate) fn pending(future: Boxed<B, E>) -> Self {
        AuthFuture {
            state: State::Pending { future },
        }
    }
}

impl<F, B, E> Future for AuthFuture<F, B, E>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<AuthBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Inner { future } => Poll::Ready(Ok(ready!(future.poll(cx))?.map(Either::Left))),
            StateProj::Refused { response } => match response.take() {
                Some(response) => Poll::Ready(Ok(response.map(Either::Right))),
                None => panic!("AuthFuture polled after completion"),
            },
            StateProj::Pending { future } => future.as_mut().poll(cx),
        }
    }
}

impl<F, B, E> fmt::Debug for AuthFuture<F, B, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Inner { .. } => "Inner",
            State::Refused { .. } => "Refused",
            State::Pending { .. } => "Pending",
        };
        f.debug_struct("AuthFuture").field("state", &state).finish()
    }
}
