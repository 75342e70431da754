//! WeChat subscribe-message consent (订阅消息授权): what a mini program or an official
//! account page reports after `wx.requestSubscribeMessage` — the person's openid and the
//! template they accepted, for one message or long-term.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use tongban_core::access::Action;
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::notices::PreferencesJson;
use crate::AppState;
use crate::app::{authorize, notify};
use crate::auth::Principal;
use crate::extract::AppJson;
use crate::problem::{ApiError, Problem};

/// A consent the person gave in WeChat.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WechatConsentRequest {
    /// The person's openid for the center's mini program or official account (1–128 of
    /// A–Z a–z 0–9 - _).
    #[schema(example = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", max_length = 128)]
    pub openid: String,
    /// The subscribe-message template accepted (`template_id`, 1–128 of A–Z a–z 0–9 - _).
    #[schema(example = "tongban-correction_requested", max_length = 128)]
    pub template_id: String,
    /// `true` for a long-term subscription (长期订阅), `false` (the default) for one message
    /// (一次性订阅), which one notice consumes.
    #[serde(default)]
    pub long_term: bool,
}

/// Records a WeChat subscribe-message consent for the asking person: their openid, and
/// consent to the template (one message or long-term); it also gives consent to the
/// WeChat channel. Answers the preferences after it.
#[utoipa::path(post, path = "/api/v1/me/wechat-consents", tag = "notices", request_body = WechatConsentRequest,
    responses((status = 200, description = "The preferences after the consent", body = PreferencesJson),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An openid or template id that is not one", body = Problem, content_type = "application/problem+json")))]
pub async fn record_consent(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(request): AppJson<WechatConsentRequest>,
) -> Result<Json<PreferencesJson>, ApiError> {
    authorize(&principal, Action::OwnNotices)?;
    let prefs =
        notify::record_wechat_consent(&state, &principal, &request.openid, &request.template_id, request.long_term)
            .await?;
    Ok(Json(prefs.into()))
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(routes!(record_consent))
}
