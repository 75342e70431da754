//! `/metrics` in the Prometheus text format: HTTP requests (count and latency histogram per
//! method, route and status), cases by state, running cases by colour, and the
//! supervision worker's lag.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::app::AppError;
use crate::auth::{Principal, same_secret};
use crate::problem::ApiError;
use tongban_core::identity::Role;

/// Latency bucket bounds, seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Debug, Default, Clone)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// HTTP request statistics.
#[derive(Debug, Default)]
pub struct Metrics {
    http: Mutex<BTreeMap<(String, String, u16), Series>>,
}

/// The middleware recording every request.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let route = req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(req).await;
    let seconds = started.elapsed().as_secs_f64();
    // Method, route template and status only: never the query, headers or body, which can
    // carry secrets.
    tracing::debug!(http.method = %method, http.route = %route, http.status = response.status().as_u16(), http.seconds = seconds, "request");
    if let Ok(mut http) = state.metrics.http.lock() {
        let s = http.entry((method, route, response.status().as_u16())).or_default();
        s.count += 1;
        s.sum += seconds;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                s.buckets[i] += 1;
            }
        }
    }
    response
}

/// Renders the metrics, for the scraper holding the metrics token (`Authorization: Bearer
/// <token>`, `--metrics-token`) or an administrator or supervisor; 401/403 otherwise.
pub async fn render(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    principal: Result<Principal, ApiError>,
) -> Response {
    let bearer =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let scraper = state.metrics_token.as_deref().zip(bearer).is_some_and(|(want, got)| same_secret(want, got.trim()));
    if !scraper {
        let allowed = match &principal {
            Ok(p) if p.account.is_none() => Err(AppError::Unauthorized),
            Ok(p) if matches!(p.role(), Role::Administrator | Role::Supervisor) => Ok(()),
            Ok(_) => Err(AppError::Forbidden("metrics are for operators".into())),
            // A bearer that is not an API token: the wrong metrics token.
            Err(_) => Err(AppError::Unauthorized),
        };
        if let Err(e) = allowed {
            return ApiError::from(e).into_response();
        }
    }
    let mut out = String::new();
    out.push_str("# HELP tongban_http_requests_total HTTP requests by method, route and status.\n# TYPE tongban_http_requests_total counter\n");
    let http = state.metrics.http.lock().map(|h| h.clone()).unwrap_or_default();
    for ((m, r, s), v) in &http {
        let _ = writeln!(out, "tongban_http_requests_total{{method=\"{m}\",route=\"{r}\",status=\"{s}\"}} {}", v.count);
    }
    out.push_str("# HELP tongban_http_request_duration_seconds HTTP request latency.\n# TYPE tongban_http_request_duration_seconds histogram\n");
    for ((m, r, s), v) in &http {
        let labels = format!("method=\"{m}\",route=\"{r}\",status=\"{s}\"");
        for (i, bound) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "tongban_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {}",
                v.buckets[i]
            );
        }
        let _ = writeln!(out, "tongban_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", v.count);
        let _ = writeln!(out, "tongban_http_request_duration_seconds_sum{{{labels}}} {}", v.sum);
        let _ = writeln!(out, "tongban_http_request_duration_seconds_count{{{labels}}} {}", v.count);
    }
    out.push_str("# HELP tongban_cases Cases by state.\n# TYPE tongban_cases gauge\n");
    if let Ok(states) = state.case_counts().await {
        for (s, n) in states {
            let _ = writeln!(out, "tongban_cases{{state=\"{s}\"}} {n}");
        }
    }
    let status = state.supervision.status.lock().map(|s| s.clone()).unwrap_or_default();
    let now = state.now();
    let (counts, lag) = match state.supervision.board.lock() {
        Ok(b) => match b.as_ref() {
            // Lag: how long the oldest due-but-unprocessed colour change has waited.
            Some(board) => (
                Some(board.counts()),
                board
                    .upcoming()
                    .next()
                    .filter(|(t, _)| *t <= now)
                    .map_or(0.0, |(t, _)| (now - t).total(jiff::Unit::Second).unwrap_or(0.0)),
            ),
            None => (None, 0.0),
        },
        Err(_) => (None, 0.0),
    };
    out.push_str("# HELP tongban_running_cases Running cases by supervision colour (on the lease holder).\n# TYPE tongban_running_cases gauge\n");
    if let Some(c) = counts {
        for (colour, n) in [("green", c.green), ("yellow", c.yellow), ("red", c.red)] {
            let _ = writeln!(out, "tongban_running_cases{{colour=\"{colour}\"}} {n}");
        }
    }
    let _ = writeln!(
        out,
        "# HELP tongban_supervision_leader 1 when this server runs the supervision worker.\n# TYPE tongban_supervision_leader gauge\ntongban_supervision_leader {}",
        u8::from(status.leader)
    );
    let _ = writeln!(
        out,
        "# HELP tongban_supervision_lag_seconds How long the oldest due colour change has waited.\n# TYPE tongban_supervision_lag_seconds gauge\ntongban_supervision_lag_seconds {lag}"
    );
    let _ = writeln!(
        out,
        "# HELP tongban_supervision_alerts_raised_total Alerts raised by this server.\n# TYPE tongban_supervision_alerts_raised_total counter\ntongban_supervision_alerts_raised_total {}",
        status.alerts_raised
    );
    let calendars = state.calendars();
    let cal = calendars.base();
    let today = tongban_core::calendar::local_date(now);
    // The end of the last announced day (00:00 CST after it); 0 when this year is provisional.
    let until = cal
        .announced_until(today)
        .and_then(|d| d.tomorrow().ok())
        .and_then(|d| d.to_zoned(jiff::tz::TimeZone::fixed(tongban_core::calendar::CHINA_STANDARD_TIME)).ok())
        .map_or(0, |z| z.timestamp().as_second());
    let _ = writeln!(
        out,
        "# HELP tongban_calendar_announced_until_seconds End of the last announced holiday-schedule day (Unix time; 0 when this year is provisional).\n# TYPE tongban_calendar_announced_until_seconds gauge\ntongban_calendar_announced_until_seconds {until}"
    );
    let _ = writeln!(
        out,
        "# HELP tongban_calendar_revision The working calendar revision this server uses.\n# TYPE tongban_calendar_revision gauge\ntongban_calendar_revision {}",
        calendars.revision()
    );
    let _ = writeln!(
        out,
        "# HELP tongban_calendar_year_to_load 1 when a year's holiday schedule should be loaded now.\n# TYPE tongban_calendar_year_to_load gauge\ntongban_calendar_year_to_load {}",
        u8::from(cal.year_to_load(today).is_some())
    );
    let mut r = out.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    r
}
