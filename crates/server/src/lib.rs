//! tongban-server — the HTTP face of tongban: the JSON API under `/api/v1` (documented by
//! an OpenAPI 3.1 document generated from the handlers), health checks, and errors as
//! RFC 9457 problem+json. Handlers are thin: parse into core types, call the application
//! functions in [`app`], map the result to a view.

pub mod api;
pub mod app;
pub mod auth;
pub mod extract;
pub mod idempotency;
pub mod limits;
pub mod metrics;
pub mod policy;
pub mod problem;
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
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .with_state(state)
}

async fn ready(axum::extract::State(state): axum::extract::State<AppState>) -> (StatusCode, &'static str) {
    if state.store.ping().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}

/// Serves the application on `listener` until `shutdown` completes, then drains requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Each request knows its peer's address (the client's, or a trusted proxy's).
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
