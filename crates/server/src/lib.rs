//! tongban-server — the HTTP face of tongban: the JSON API under `/api/v1` (documented by
//! an OpenAPI 3.1 document generated from the handlers), health checks, and errors as
//! RFC 9457 problem+json. Handlers are thin: parse into core types, call the application
//! functions in [`app`], map the result to a view.

pub mod api;
pub mod app;
pub mod auth;
pub mod bodies;
pub mod extract;
pub mod idempotency;
pub mod limits;
pub mod metrics;
pub mod oidc;
pub mod problem;
pub mod sms;
pub mod supervision;
pub mod web;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use tongban_core::calendar::{CalendarSet, WorkingCalendar};
use tongban_store::Store;

/// Where "now" comes from: the system clock in production, a fixed or stepped one in tests.
pub type Clock = Arc<dyn Fn() -> jiff::Timestamp + Send + Sync>;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Store,
    /// The center's working calendars, kept at the stored revision (see [`app::refresh`]).
    pub calendars: Arc<app::LiveCalendars>,
    /// The clock.
    pub clock: Clock,
    /// Failed logins, for back-off.
    pub limiter: Arc<limits::LoginLimiter>,
    /// Request rates of the endpoints anyone may call; `None` turns them off (a load test
    /// of many clients on one machine).
    pub rates: Option<Arc<limits::RateLimiter>>,
    /// The proxies whose `X-Forwarded-For` names the client.
    pub proxies: Arc<limits::TrustedProxies>,
    /// The supervision worker's board and status.
    pub supervision: Arc<supervision::Supervision>,
    /// HTTP statistics for /metrics.
    pub metrics: Arc<metrics::Metrics>,
    /// The bearer token a metrics scraper presents at /metrics (administrators and
    /// supervisors need none); none: only they can read it.
    pub metrics_token: Option<Arc<str>>,
    /// The identity provider applicants verify through (`--oidc-issuer`), if any.
    pub oidc: Option<Arc<oidc::Oidc>>,
    /// The SMS gateway one-time codes go out through (`--sms-*`), if any.
    pub sms: Option<Arc<sms::Sms>>,
    /// After how many working hours alerts escalate to the owner's chief and the supervisor.
    pub escalation: tongban_core::supervision::EscalationRule,
}

impl AppState {
    /// State over `store` with the system clock.
    pub fn new(store: Store, calendars: impl Into<CalendarSet>) -> Self {
        Self {
            store,
            calendars: Arc::new(app::LiveCalendars::new(calendars.into())),
            clock: Arc::new(jiff::Timestamp::now),
            limiter: Arc::default(),
            rates: Some(Arc::default()),
            proxies: Arc::default(),
            supervision: Arc::default(),
            metrics: Arc::default(),
            metrics_token: None,
            oidc: None,
            sms: None,
            escalation: tongban_core::supervision::EscalationRule::default(),
        }
    }

    /// The center's calendars now.
    pub fn calendars(&self) -> CalendarSet {
        self.calendars.get()
    }

    /// The national working calendar now.
    pub fn calendar(&self) -> WorkingCalendar {
        self.calendars.get().base().clone()
    }

    /// The working calendar of `division` now (the national one with its closures).
    pub fn calendar_of(&self, division: &tongban_core::division::DivisionCode) -> WorkingCalendar {
        self.calendars.get().for_division(division).clone()
    }

    /// Takes one request of `kind` from `principal`'s address when nobody is logged in
    /// (staff and applicants are not held to the public's rates); `429` when too many.
    pub fn rate(&self, kind: limits::Rated, principal: &auth::Principal) -> Result<(), problem::ApiError> {
        match (&self.rates, &principal.account, principal.client) {
            (Some(rates), None, Some(client)) => rates
                .take(kind, Some(client), std::time::Instant::now())
                .map_err(|wait| problem::ApiError::TooManyAttempts(wait.as_secs().max(1))),
            _ => Ok(()),
        }
    }

    /// Now, by the state's clock.
    pub fn now(&self) -> jiff::Timestamp {
        (self.clock)()
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
    if state.store.ping().await {
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
