//! Web Push routes: the center's VAPID public key (the `applicationServerKey` a page
//! subscribes with), and the asking person's browsers that receive notices — added with
//! the browser's `PushSubscription.toJSON()` as it is, removed by endpoint.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::AppState;
use crate::app::notify::push::{self, PushDevice};
use crate::app::{AppError, format_ts};
use crate::auth::Principal;
use crate::extract::AppJson;
use crate::problem::{ApiError, Problem};

/// The center's VAPID public key.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PushKeyJson {
    /// The P-256 public key, uncompressed, base64url without padding (RFC 8292): pass it as
    /// `applicationServerKey` to `PushManager.subscribe`.
    #[schema(example = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8")]
    pub public_key: String,
}

/// A browser's keys, as `PushSubscription.toJSON()` gives them.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushKeysJson {
    /// The browser's P-256 public key, base64url (65 octets uncompressed).
    #[schema(max_length = 100)]
    pub p256dh: String,
    /// The browser's authentication secret, base64url (16 octets).
    #[schema(max_length = 40)]
    pub auth: String,
}

/// A browser's push subscription, exactly as `PushSubscription.toJSON()` gives it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PushSubscriptionJson {
    /// The browser's endpoint at its push service (https; at most 2,048 characters).
    #[schema(example = "https://fcm.googleapis.com/fcm/send/dGVzdA", max_length = 2048)]
    pub endpoint: String,
    /// When the subscription expires (milliseconds since 1970), if the browser says; not
    /// kept: a push service that no longer takes it answers 404/410 and it is removed.
    #[serde(default)]
    #[allow(dead_code, reason = "taken so that toJSON() can be posted as it is")]
    pub expiration_time: Option<f64>,
    /// Its keys.
    pub keys: PushKeysJson,
}

/// Which of the asking person's browsers to stop notifying.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushEndpointJson {
    /// The browser's endpoint, as it was subscribed.
    #[schema(max_length = 2048)]
    pub endpoint: String,
}

/// A browser that receives the asking person's notices.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PushDeviceJson {
    /// Id.
    pub id: i64,
    /// The browser's endpoint.
    pub endpoint: String,
    /// When it was enabled (RFC 3339).
    pub created_at: String,
    /// The browser, as its `User-Agent` named it.
    pub user_agent: Option<String>,
}

impl From<PushDevice> for PushDeviceJson {
    fn from(d: PushDevice) -> Self {
        PushDeviceJson { id: d.id, endpoint: d.endpoint, created_at: format_ts(d.created_at), user_agent: d.user_agent }
    }
}

/// No control characters, and at most `max` characters: as every text the API takes.
fn text(field: &str, value: &str, max: usize) -> Result<(), AppError> {
    if value.chars().any(char::is_control) || value.chars().count() > max {
        return Err(AppError::Invalid(vec![(
            field.to_owned(),
            format!("at most {max} characters, no control characters"),
        )]));
    }
    Ok(())
}

/// The center's VAPID public key, for pages to subscribe with (anyone).
#[utoipa::path(get, path = "/api/v1/push/key", tag = "notices",
    responses((status = 200, description = "The key", body = PushKeyJson),
        (status = 404, description = "This deployment sends no push notices", body = Problem, content_type = "application/problem+json")))]
pub async fn key(State(state): State<AppState>) -> Result<Json<PushKeyJson>, ApiError> {
    Ok(Json(PushKeyJson { public_key: push::vapid_public_key(&state)? }))
}

/// Enables notices on one of the asking person's browsers (and consent to the push
/// channel). The same browser subscribing again replaces its keys; a browser subscribed
/// under another account moves to this one.
#[utoipa::path(post, path = "/api/v1/me/push-subscriptions", tag = "notices", request_body = PushSubscriptionJson,
    responses((status = 201, description = "The browser will receive notices", body = PushDeviceJson),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed, or no CSRF token with the session", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "This deployment sends no push notices", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Keys that are not a browser's, or an endpoint off the push services this center sends to", body = Problem, content_type = "application/problem+json")))]
pub async fn subscribe(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    AppJson(body): AppJson<PushSubscriptionJson>,
) -> Result<(StatusCode, Json<PushDeviceJson>), ApiError> {
    text("endpoint", &body.endpoint, 2048)?;
    text("keys.p256dh", &body.keys.p256dh, 100)?;
    text("keys.auth", &body.keys.auth, 40)?;
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|u| u.chars().filter(|c| !c.is_control()).take(200).collect::<String>());
    let device =
        push::subscribe(&state, &principal, &body.endpoint, &body.keys.p256dh, &body.keys.auth, user_agent.as_deref())
            .await?;
    Ok((StatusCode::CREATED, Json(device.into())))
}

/// Stops notices to one of the asking person's browsers; with the last one gone, consent
/// to the push channel is withdrawn.
#[utoipa::path(delete, path = "/api/v1/me/push-subscriptions", tag = "notices", request_body = PushEndpointJson,
    responses((status = 204, description = "The browser receives no more notices"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed, or no CSRF token with the session", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription of yours", body = Problem, content_type = "application/problem+json")))]
pub async fn unsubscribe(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(body): AppJson<PushEndpointJson>,
) -> Result<StatusCode, ApiError> {
    text("endpoint", &body.endpoint, 2048)?;
    push::unsubscribe(&state, &principal, &body.endpoint).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This module's routes.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(routes!(key)).routes(routes!(subscribe, unsubscribe))
}
