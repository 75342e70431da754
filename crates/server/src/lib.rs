//! tongban-server — the HTTP face of tongban: the JSON API under `/api/v1` (documented by
//! an OpenAPI 3.1 document generated from the handlers), health checks, and errors as
//! RFC 9457 problem+json. Handlers are thin: parse into core types, call the application
//! functions in [`app`], map the result to a view.

pub mod api;
pub mod auth;
pub mod bodies;
pub mod extract;
pub mod idempotency;
pub mod metrics;
pub mod problem;
pub mod proxies;
pub mod web;

/// The use cases, as the handlers call them.
pub use tongban_app as app;
pub use tongban_app::{App, Clock};

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;

/// What every handler shares: the application, and what only HTTP needs (the proxies
/// trusted to name the client, request statistics for /metrics).
#[derive(Clone)]
pub struct AppState {
    /// The use cases' application.
    pub app: App,
    /// The proxies whose `X-Forwarded-For` names the client.
    pub proxies: Arc<proxies::TrustedProxies>,
    /// HTTP statistics for /metrics.
    pub metrics: Arc<metrics::Metrics>,
    /// The bearer token a metrics scraper presents at /metrics (administrators and
    /// supervisors need none); none: only they can read it.
    pub metrics_token: Option<Arc<str>>,
}

impl AppState {
    /// State over an application.
    pub fn new(app: App) -> Self {
        Self { app, proxies: Arc::default(), metrics: Arc::default(), metrics_token: None }
    }
}

/// Handlers call the use cases with `&state`: the state is its application.
impl std::ops::Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.app
    }
}

/// Mutable access for start-up (the clock, the clients, the rates).
impl std::ops::DerefMut for AppState {
    fn deref_mut(&mut self) -> &mut App {
        &mut self.app
    }
}

/// The whole application: health checks and the API.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics::render))
        .merge(api::router())
        .merge(web::router())
        .layer(axum::middleware::from_fn_with_state(state.clone(), idempotency::layer))
        .layer(axum::middleware::from_fn(bodies::bounded_body))
        .layer(axum::middleware::map_response(api_security_headers))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .with_state(state)
}

/// Security headers on every response that has none of its own (pages set theirs), with a
/// policy allowing no active content.
async fn api_security_headers(mut response: axum::response::Response) -> axum::response::Response {
    if !response.headers().contains_key(axum::http::header::CONTENT_SECURITY_POLICY) {
        web::secure(response.headers_mut(), "default-src 'none'; frame-ancestors 'none'");
    }
    response
}

async fn ready(axum::extract::State(state): axum::extract::State<AppState>) -> (StatusCode, &'static str) {
    if state.ready().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}

/// How long the server waits on a client, so slow or idle sockets cannot pile up.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// To receive a request's headers, counted from the connection's start or the end of
    /// the previous response (so it is also the keep-alive idle timeout).
    pub header: std::time::Duration,
    /// For a draining shutdown to finish the requests under way.
    pub drain: std::time::Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self { header: std::time::Duration::from_secs(10), drain: std::time::Duration::from_secs(20) }
    }
}

/// Serves the application on `listener` until `shutdown` completes, then drains requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, shutdown, Timeouts::default()).await
}

/// [`serve`] with chosen timeouts. Each connection is HTTP/1.1 with a header read timeout
/// (axum's own `serve` sets none); request bodies are bounded in size and time per route
/// by [`limits::bounded_body`].
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
    timeouts: Timeouts,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;
    let app = router(state);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors, a connection reset before accept …: keep serving.
                Err(e) => {
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        // Each request knows its peer's address (the client's, or a trusted proxy's).
        let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            app.clone().oneshot(req)
        });
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new()).header_read_timeout(timeouts.header);
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(timeouts.drain, graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still running after the drain timeout were cut");
    }
    Ok(())
}
