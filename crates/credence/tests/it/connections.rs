//! Slow and greedy clients over real sockets: slowloris headers, idle keep-alive, a trickled
//! body and a crowd of connections are cut off or held back, and `/healthz` answers
//! throughout. The accept loop is the same whatever the database, so these run on SQLite only.
//!
//! Limits are set low (one-second timeouts) so the tests are quick; the test guards below
//! (`within`) only stop a hung test, they measure nothing.

use std::time::Duration;

use credence_core::Role;
use credence_web::ServerLimits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{api, spawn_with, Backend, TestApp};

fn strict() -> ServerLimits {
    ServerLimits {
        header_timeout: Duration::from_secs(1),
        min_body_rate: 1024,
        body_grace: Duration::from_secs(1),
        max_connections: 64,
        ..ServerLimits::default()
    }
}

async fn strict_app(limits: ServerLimits) -> TestApp {
    spawn_with(Backend::Sqlite, move |c| c.limits = limits).await
}

/// Fails the test instead of hanging it. Ten times the one-second limits, and well under
/// hyper's own 30-second header default, so these tests fail if our limits are not applied.
async fn within<T>(what: &str, future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), future)
        .await
        .unwrap_or_else(|_| panic!("{what} did not happen"))
}

/// Reads until the server closes the socket (or resets it); returns what it sent.
async fn until_closed(socket: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => return String::from_utf8_lossy(&seen).into_owned(),
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

async fn healthz_answers(app: &TestApp) {
    let res = api().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slowloris_headers_are_cut_off_while_healthz_answers() {
    let app = strict_app(strict()).await;
    let mut trickling = Vec::new();
    for _ in 0..40 {
        let mut socket = TcpStream::connect(app.addr).await.unwrap();
        socket
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await
            .unwrap();
        trickling.push(socket);
    }
    // Each keeps sending a byte of header every 200 ms, which would keep it open for ever
    // without a header deadline.
    let feeders: Vec<_> = trickling
        .into_iter()
        .map(|mut socket| {
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    if socket.write_all(b"a").await.is_err() {
                        return true;
                    }
                    let mut probe = [0u8; 1];
                    if let Ok(Ok(0)) =
                        tokio::time::timeout(Duration::from_millis(1), socket.read(&mut probe))
                            .await
                    {
                        return true;
                    }
                }
            })
        })
        .collect();
    for _ in 0..5 {
        healthz_answers(&app).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for feeder in feeders {
        let cut = within("a slowloris connection being cut", feeder)
            .await
            .unwrap();
        assert!(cut);
    }
    healthz_answers(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_keep_alive_connections_are_closed() {
    let app = strict_app(strict()).await;
    let mut socket = TcpStream::connect(app.addr).await.unwrap();
    socket
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = within(
        "the idle connection being closed",
        until_closed(&mut socket),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickled_body_is_refused_and_a_slow_steady_one_is_not() {
    let app = strict_app(strict()).await;
    app.user("dr_slow", Role::Professional).await;
    let token = app.token("dr_slow").await;
    let body = serde_json::json!({"text": "Wash your hands. ".repeat(3_000)}).to_string();
    let request = |length: usize| {
        format!(
            "POST /api/v1/credence/check HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
        )
    };

    // One byte every 100 ms: ten bytes a second, far under the floor.
    let mut trickle = TcpStream::connect(app.addr).await.unwrap();
    trickle
        .write_all(request(body.len()).as_bytes())
        .await
        .unwrap();
    let writer = {
        let bytes = body.clone().into_bytes();
        let (mut read, mut write) = trickle.into_split();
        let feeder = tokio::spawn(async move {
            for b in bytes {
                if write.write_all(&[b]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        let answer = within("the trickled body being refused", async move {
            let mut seen = String::new();
            let _ = read.read_to_string(&mut seen).await;
            seen
        })
        .await;
        feeder.abort();
        answer
    };
    assert!(writer.starts_with("HTTP/1.1 400"), "{writer}");
    assert!(writer.contains("too slowly"), "{writer}");

    // 51 KB in ten pieces over about two seconds (25 KB a second), past the grace period:
    // slow, but far above the floor, so it is read in full.
    let mut steady = TcpStream::connect(app.addr).await.unwrap();
    steady
        .write_all(request(body.len()).as_bytes())
        .await
        .unwrap();
    for piece in body.as_bytes().chunks(body.len() / 10 + 1) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        steady.write_all(piece).await.unwrap();
    }
    let answer = within("the steady body being answered", until_closed(&mut steady)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"readability\""), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_cap_wait_for_one_to_close() {
    let app = strict_app(ServerLimits {
        max_connections: 8,
        header_timeout: Duration::from_secs(3),
        ..strict()
    })
    .await;
    let mut crowd = Vec::new();
    for _ in 0..8 {
        crowd.push(TcpStream::connect(app.addr).await.unwrap());
    }
    // The ninth is accepted by the kernel but not served while the eight hold every slot...
    let mut ninth = TcpStream::connect(app.addr).await.unwrap();
    ninth
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 64];
    let early = tokio::time::timeout(Duration::from_millis(500), ninth.read(&mut buf)).await;
    assert!(
        early.is_err(),
        "answered while every slot was taken: {early:?}"
    );
    // ...until the header deadline closes the idle eight; then it is answered.
    for mut socket in crowd {
        within("an idle connection being closed", until_closed(&mut socket)).await;
    }
    let answer = within(
        "the ninth connection being answered",
        until_closed(&mut ninth),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}
