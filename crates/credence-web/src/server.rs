//! Accepting connections so that slow and greedy clients cannot hurt anyone else.
//!
//! `axum::serve` waits for a request's headers and body forever and accepts connections until
//! the process runs out of file descriptors: a thousand idle or slowloris sockets stayed open
//! indefinitely, a body sent at one byte a second was accepted, and with a lower open-file
//! limit 700 sockets made `/healthz` time out. So the accept loop is ours:
//!
//! - **Headers** must arrive within [`ServerLimits::header_timeout`], counted from when the
//!   server is ready for a request: the same clock closes a keep-alive connection left idle
//!   (hyper's `header_read_timeout`).
//! - **Bodies** must keep up a minimum rate (bytes a second, after a grace period) rather than
//!   finish within a fixed time, so a large upload on a slow link still works while a trickle
//!   is cut off ([`MinRateBody`]).
//! - **Answers** must keep being read: a write that makes no progress for
//!   [`ServerLimits::write_stall`] closes the connection ([`WriteDeadline`]), so a client that
//!   asks for a video and never reads cannot hold its slot and buffer for ever.
//! - **Connections** are capped below the open-file limit; at the cap new connections wait in
//!   the kernel's backlog until one closes, and the log says so once.
//! - **Shutdown** lets open requests finish for at most [`SHUTDOWN_GRACE`].

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request};
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::sync::Semaphore;
use tokio::time::{sleep_until, Instant, Sleep};
use tower::ServiceExt;

/// How the server treats slow and numerous clients; every field has a safe default.
#[derive(Debug, Clone)]
pub struct ServerLimits {
    /// Time to send a request's headers, and how long an idle keep-alive connection stays open.
    pub header_timeout: Duration,
    /// The slowest a request body may arrive, in bytes a second, once `body_grace` has passed.
    pub min_body_rate: u64,
    /// A body's allowance before the rate applies (a phone waking its radio, a first chunk).
    pub body_grace: Duration,
    /// Open connections at most; more wait until one closes.
    pub max_connections: usize,
    /// How long a write to a client may make no progress before the connection is closed.
    pub write_stall: Duration,
}

/// How long a stopping server waits for open requests before it exits anyway.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            header_timeout: Duration::from_secs(10),
            // A 100 MB video needs 28 hours at this rate: only a deliberate trickle is cut.
            min_body_rate: 1024,
            body_grace: Duration::from_secs(10),
            max_connections: 2048,
            write_stall: Duration::from_secs(30),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then lets open requests finish.
pub async fn serve_connections<S>(
    listener: tokio::net::TcpListener,
    app: S,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()>
where
    S: tower::Service<Request, Response = axum::response::Response, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let open = Arc::new(Semaphore::new(limits.max_connections));
    let at_cap_reported = Arc::new(AtomicBool::new(false));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        if open.available_permits() == 0 && !at_cap_reported.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                max_connections = limits.max_connections,
                "connection limit reached: new connections wait until one closes \
                 (raise max_connections, and the open-file limit with it, if this is real traffic)"
            );
        }
        let permit = tokio::select! {
            permit = open.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors (or a connection reset before accept): wait a
                    // little rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        if open.available_permits() > limits.max_connections / 2 {
            at_cap_reported.store(false, Ordering::Relaxed);
        }
        let limits_stall = limits.write_stall;
        let limits = limits.clone();
        let service = app
            .clone()
            .map_request(move |request: hyper::Request<Incoming>| {
                let mut request = guard_body(request, &limits);
                request.extensions_mut().insert(ConnectInfo(remote));
                request
            });
        let stream = WriteDeadline::new(stream, limits_stall);
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %remote, "connection closed with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("open requests did not finish in time; stopping anyway");
    }
    Ok(())
}

/// A connection whose writes must make progress: once a write has been pending for `stall`
/// (the client stopped reading), it fails and hyper closes the connection.
pub struct WriteDeadline {
    stream: tokio::net::TcpStream,
    stall: Duration,
    deadline: Pin<Box<Sleep>>,
    waiting: bool,
}

impl WriteDeadline {
    fn new(stream: tokio::net::TcpStream, stall: Duration) -> WriteDeadline {
        WriteDeadline {
            stream,
            stall,
            deadline: Box::pin(sleep_until(Instant::now() + stall)),
            waiting: false,
        }
    }

    /// After a write returned `Pending`: fails once it has been pending for `stall`.
    fn stalled(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<usize>> {
        if !self.waiting {
            self.waiting = true;
            let deadline = Instant::now() + self.stall;
            self.deadline.as_mut().reset(deadline);
        }
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client stopped reading the answer",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl tokio::io::AsyncRead for WriteDeadline {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for WriteDeadline {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match Pin::new(&mut self.stream).poll_write(cx, buf) {
            Poll::Pending => self.stalled(cx),
            done => {
                self.waiting = false;
                done
            }
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

fn guard_body(request: hyper::Request<Incoming>, limits: &ServerLimits) -> Request {
    let (parts, body) = request.into_parts();
    let body = MinRateBody::new(body, limits.min_body_rate, limits.body_grace);
    Request::from_parts(parts, Body::new(body))
}

/// A request body that fails once it falls behind the minimum rate: by `grace`, plus one
/// second for every `rate` bytes received, the next bytes must have arrived.
pub struct MinRateBody {
    inner: Incoming,
    rate: u64,
    received: u64,
    started: Instant,
    grace: Duration,
    deadline: Pin<Box<Sleep>>,
}

/// The error a too-slow body ends with (shown in the 400 answer).
#[derive(Debug, thiserror::Error)]
#[error("the request body arrived too slowly (under {0} bytes a second)")]
pub struct BodyTooSlow(u64);

impl MinRateBody {
    fn new(inner: Incoming, rate: u64, grace: Duration) -> MinRateBody {
        let started = Instant::now();
        MinRateBody {
            inner,
            rate: rate.max(1),
            received: 0,
            started,
            grace,
            deadline: Box::pin(sleep_until(started + grace)),
        }
    }

    fn allowance(&self) -> Instant {
        self.started + self.grace + Duration::from_secs_f64(self.received as f64 / self.rate as f64)
    }
}

impl http_body::Body for MinRateBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.received += data.len() as u64;
                    let allowance = this.allowance();
                    this.deadline.as_mut().reset(allowance);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(axum::Error::new(e)))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => match this.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(axum::Error::new(BodyTooSlow(this.rate))))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
