//! The profile (`/hall/profile` for applicants, `/account/profile` for staff): the e-mail
//! address and mobile number notices go to, and per channel what it is and a consent
//! checkbox (give or withdraw). A refused address comes back beside its field with what was
//! typed kept.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use tongban_core::identity::Role;
use tongban_core::notice::Channel;

use super::{DoneQuery, channel_name, done_notice, hall_tabs, unread_count};
use crate::AppState;
use crate::api::notices::{PreferencesUpdate, apply_preferences};
use crate::app::AppError;
use crate::app::notify::{self, ChannelConsent, Preferences};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Posted};
use crate::web::hall::{field_errors, see_other};
use crate::web::layout::page;
use crate::web::view::{self, Input};

/// The profile form, as shown or as sent back.
#[derive(Debug, Clone)]
pub struct ProfileView {
    /// Where the form posts (the page's own path).
    pub action: &'static str,
    /// Whether the person is an applicant (the hall's navigation) or staff (alerts).
    pub applicant: bool,
    /// The unread count for the hall's navigation.
    pub unread: Option<usize>,
    /// The notice after a redirect.
    pub done: Option<String>,
    /// The e-mail address shown (typed, when refused).
    pub email: String,
    /// The mobile number shown (typed, when refused).
    pub mobile: String,
    /// Each channel, with the box ticked as typed when refused.
    pub channels: Vec<ChannelConsent>,
    /// What was wrong.
    pub errors: FieldErrors,
}

impl ProfileView {
    /// The form from the stored preferences.
    pub fn of(p: &Preferences, action: &'static str, applicant: bool) -> ProfileView {
        ProfileView {
            action,
            applicant,
            unread: None,
            done: None,
            email: p.email.clone().unwrap_or_default(),
            mobile: p.mobile.clone().unwrap_or_default(),
            channels: p.channels.clone(),
            errors: FieldErrors::default(),
        }
    }
}

/// Draws the profile.
pub fn render(ctx: &Ctx, v: &ProfileView) -> Markup {
    let errors = &v.errors;
    html! {
        @if v.applicant { (hall_tabs(ctx, v.unread)) }
        h1 { (ctx.t("notices.profile_title")) }
        (done_notice(ctx, v.done.as_deref()))
        p.lead { (ctx.t(if v.applicant { "notices.profile_lead" } else { "notices.profile_lead_staff" })) }
        @if !v.applicant { p { a href="/account/inbox" { (ctx.t("notices.inbox_title")) } } }
        @if !errors.is_empty() { div.notice.error role="alert" { (ctx.t("err.see_fields")) } }
        (view::form_error(errors))
        form.stack method="post" action=(v.action) novalidate {
            (view::csrf(ctx))
            (view::input(ctx.t("notices.email"), "email", &v.email, errors,
                Input { kind: "email", autocomplete: Some("email"), hint: Some(ctx.t("notices.email_hint")), ..Input::default() }))
            (view::input(ctx.t("notices.mobile"), "mobile", &v.mobile, errors,
                Input { kind: "tel", autocomplete: Some("tel"), hint: Some(ctx.t("notices.mobile_hint")), ..Input::default() }))
            fieldset.field.channels {
                legend { (ctx.t("notices.channels")) }
                @for c in &v.channels {
                    @let id = view::field_id("consent", c.channel.as_str());
                    @let key = format!("channels.{}", c.channel.as_str());
                    div class=(if errors.get(&key).is_some() { "choice-block invalid" } else { "choice-block" }) {
                        @if c.channel == Channel::Inbox {
                            label.choice for=(id) {
                                input id=(id) type="checkbox" checked disabled;
                                " " strong { (channel_name(ctx, c.channel)) } " · " (ctx.t("notices.always_on"))
                            }
                        } @else {
                            label.choice for=(id) {
                                input id=(id) type="checkbox" name="consent" value=(c.channel.as_str()) checked[c.consented];
                                " " strong { (channel_name(ctx, c.channel)) } " · " (ctx.t("notices.consent"))
                            }
                        }
                        p.hint { (ctx.t(&format!("notices.channel_about.{}", c.channel.as_str()))) }
                        @if !c.available && c.channel != Channel::Inbox {
                            p.hint { (ctx.t("notices.unavailable")) }
                        }
                        @if let Some(at) = c.changed_at {
                            p.hint { (ctx.tf("notices.changed_at", &[("at", &view::when(at))])) }
                        }
                        (view::field_error(errors, &key))
                    }
                }
            }
            button.primary type="submit" { (ctx.t("notices.save")) }
        }
    }
}

/// The path this profile lives at for `ctx`'s role.
fn home(ctx: &Ctx) -> &'static str {
    if ctx.role() == Role::Applicant { "/hall/profile" } else { "/account/profile" }
}

/// `GET /hall/profile`, `GET /account/profile`: applicants keep theirs in the hall, staff
/// under their account (the other path leads to the right one).
pub async fn profile_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    ctx.principal.require().map_err(|e| ctx.fail(e))?;
    let action = home(&ctx);
    if !ctx.path.starts_with(action) {
        return Ok(see_other(&ctx, action));
    }
    let prefs = notify::preferences(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let applicant = ctx.role() == Role::Applicant;
    let mut model = ProfileView::of(&prefs, action, applicant);
    model.done = q.done;
    if applicant {
        model.unread = unread_count(&state, &ctx).await;
    }
    Ok(page(&ctx, ctx.t("notices.profile_title"), render(&ctx, &model)))
}

/// The field an error of the use case belongs beside on this form.
fn field_of(name: &str) -> String {
    match name {
        "phone" => "mobile".to_owned(),
        "email" | "mobile" => name.to_owned(),
        n if n.starts_with("channels.") => n.to_owned(),
        n => match Channel::parse(n) {
            Some(c) => format!("channels.{}", c.as_str()),
            None => String::new(),
        },
    }
}

/// `POST /hall/profile`, `POST /account/profile`.
pub async fn save_profile(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    ctx.principal.require().map_err(|e| ctx.fail(e))?;
    let action = home(&ctx);
    let prefs = notify::preferences(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let channels = prefs
        .channels
        .iter()
        .filter(|c| c.channel != Channel::Inbox)
        .map(|c| (c.channel.as_str().to_owned(), fields.has("consent", c.channel.as_str())))
        .collect();
    let update = PreferencesUpdate {
        email: Some(Some(fields.get("email").to_owned())),
        mobile: Some(Some(fields.get("mobile").to_owned())),
        channels,
    };
    let errors = match apply_preferences(&state, &ctx.principal, update).await {
        Ok(_) => return Ok(see_other(&ctx, &format!("{action}?done=saved"))),
        Err(AppError::Invalid(list)) => field_errors(&ctx, list.into_iter().map(|(f, m)| (field_of(&f), m)).collect()),
        Err(AppError::Conflict(m)) => FieldErrors(vec![(String::new(), m)]),
        Err(e) => return Err(ctx.fail(e)),
    };
    // What was typed and ticked comes back, beside what was wrong.
    let mut model = ProfileView::of(&prefs, action, ctx.role() == Role::Applicant);
    model.email = fields.get("email").to_owned();
    model.mobile = fields.get("mobile").to_owned();
    for c in &mut model.channels {
        if c.channel != Channel::Inbox {
            c.consented = fields.has("consent", c.channel.as_str());
        }
    }
    model.errors = errors;
    if model.applicant {
        model.unread = unread_count(&state, &ctx).await;
    }
    let body = render(&ctx, &model);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&ctx, ctx.t("notices.profile_title"), body)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    fn prefs() -> Preferences {
        Preferences {
            email: None,
            mobile: Some("13800000000".into()),
            channels: Channel::ALL
                .into_iter()
                .map(|channel| ChannelConsent {
                    channel,
                    available: channel != Channel::Wechat,
                    consented: channel == Channel::Inbox || channel == Channel::Sms,
                    changed_at: None,
                })
                .collect(),
        }
    }

    #[test]
    fn a_refused_address_is_shown_beside_its_field_and_kept() {
        let ctx = Ctx::for_test_as(Lang::En, Role::Applicant);
        let mut v = ProfileView::of(&prefs(), "/hall/profile", true);
        v.email = "not-an-address".into();
        v.errors.add("email", "not an e-mail address");
        let html = render(&ctx, &v).into_string();
        assert!(html.contains("name=\"email\" type=\"email\" value=\"not-an-address\""), "{html}");
        assert!(html.contains("id=\"err-email\" role=\"alert\">not an e-mail address<"), "{html}");
        assert!(html.contains("value=\"13800000000\""), "{html}");
    }

    #[test]
    fn each_channel_but_the_inbox_has_a_consent_box() {
        let ctx = Ctx::for_test_as(Lang::En, Role::Applicant);
        let html = render(&ctx, &ProfileView::of(&prefs(), "/hall/profile", true)).into_string();
        assert_eq!(html.matches("name=\"consent\"").count(), 4, "{html}");
        assert!(html.contains("name=\"consent\" value=\"sms\" checked"), "{html}");
        assert!(!html.contains("value=\"email\" checked"), "{html}");
        assert!(html.contains("action=\"/hall/profile\""), "{html}");
    }

    #[test]
    fn errors_of_the_use_case_find_their_fields() {
        assert_eq!(field_of("phone"), "mobile");
        assert_eq!(field_of("sms"), "channels.sms");
        assert_eq!(field_of("channels.email"), "channels.email");
        assert_eq!(field_of("something"), "");
    }
}
