//! Resource limits at the edge: a body over its route's limit is a 413 before anything
//! reads it, a body that does not arrive is a 408, and a socket that sends no complete
//! request headers — at first or between keep-alive requests — is closed. Time is tokio's
//! paused clock: nothing here waits for real.

use crate::common;

use std::convert::Infallible;

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode, header};
use common::{Caller, Fixture};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tower::ServiceExt as _;

#[tokio::test]
async fn a_body_over_the_routes_limit_is_refused_before_it_is_read() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        // Anonymous log-in and sign-up forms take small bodies only.
        for uri in ["/login", "/signup", "/api/v1/session", "/kiosk/ticket"] {
            let big = "x".repeat(300 * 1024);
            let (s, ctype, problem) = f.call_with(&Caller::default(), "POST", uri, Some(&big), &[]).await;
            assert_eq!((s, ctype.as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "application/problem+json"), "{uri}");
            assert_eq!(problem["type"], "/problems/body-too-large", "{uri}");
        }
        // A file route takes a large body only with credentials.
        let pdf = [b"%PDF-1.4 ".as_slice(), &vec![b'x'; 1024 * 1024]].concat();
        let uri = "/api/v1/cases/620100-2026-000001/materials/x";
        assert_eq!(f.put_file(&Caller::default(), uri, &pdf, "application/pdf").await, StatusCode::PAYLOAD_TOO_LARGE);
        let applicant = f.login("applicant").await;
        let number = f.submit(&applicant).await;
        let uri = format!("/api/v1/cases/{number}/materials/%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7");
        assert_eq!(f.put_file(&applicant, &uri, &pdf, "application/pdf").await, StatusCode::CREATED);
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn a_body_that_does_not_arrive_is_a_408() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        // From here the clock only moves when everything waits: the 30 s pass at once.
        tokio::time::pause();
        let stalled = Body::from_stream(futures_util::stream::pending::<Result<Bytes, Infallible>>());
        let req = Request::builder()
            .method("POST")
            .uri("/api/v1/session")
            .header(header::CONTENT_TYPE, "application/json")
            .body(stalled)
            .expect("request");
        let res = f.app.clone().oneshot(req).await.expect("infallible");
        assert_eq!(res.status(), StatusCode::REQUEST_TIMEOUT);
        let body = axum::body::to_bytes(res.into_body(), 1 << 16).await.expect("body");
        let problem: serde_json::Value = serde_json::from_slice(&body).expect("problem+json");
        assert_eq!(problem["type"], "/problems/request-timeout");
        tokio::time::resume();
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn a_socket_without_complete_headers_is_closed_and_so_is_an_idle_one() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        tokio::time::pause();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let timeouts = tongban_server::Timeouts::default();
        let server =
            tokio::spawn(tongban_server::serve_with(listener, f.state.clone(), std::future::pending(), timeouts));

        // Slowloris: half a request, then nothing. The server hangs up.
        let mut slow = tokio::net::TcpStream::connect(addr).await.expect("connect");
        slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: tongban\r\n").await.expect("write");
        // Bounded by a minute of the paused clock: a server without the timeout fails here.
        let minute = std::time::Duration::from_secs(60);
        let mut buf = Vec::new();
        let read = tokio::time::timeout(minute, slow.read_to_end(&mut buf)).await.expect("the server hung up");
        assert!(read.is_ok_and(|_| !String::from_utf8_lossy(&buf).contains("200 OK")), "closed without an answer");

        // Keep-alive: one request answered, then silence; the server hangs up too.
        let mut idle = tokio::net::TcpStream::connect(addr).await.expect("connect");
        idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: tongban\r\n\r\n").await.expect("write");
        let mut buf = Vec::new();
        tokio::time::timeout(minute, idle.read_to_end(&mut buf)).await.expect("the server hung up").expect("read");
        let answer = String::from_utf8_lossy(&buf);
        assert!(answer.starts_with("HTTP/1.1 200 OK") && answer.ends_with("ok"), "{answer}");
        server.abort();
        tokio::time::resume();
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn api_answers_carry_the_security_headers_too() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        for uri in ["/api/v1/items", "/api/v1/cases/nope", "/healthz"] {
            let req = Request::builder().uri(uri).body(Body::empty()).expect("request");
            let res = f.app.clone().oneshot(req).await.expect("infallible");
            let h = res.headers();
            assert_eq!(h.get(header::X_CONTENT_TYPE_OPTIONS).and_then(|v| v.to_str().ok()), Some("nosniff"), "{uri}");
            assert!(
                h.get(header::CONTENT_SECURITY_POLICY)
                    .is_some_and(|v| v.to_str().is_ok_and(|v| v.contains("frame-ancestors 'none'"))),
                "{uri}"
            );
            assert_eq!(h.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()), Some("no-store"), "{uri}");
        }
        f.t.cleanup().await;
    }
}
