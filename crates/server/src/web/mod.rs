//! Server-rendered pages (DOMAIN.md §7): the public portal, the online service hall, the
//! window workbench, the approver inbox, the supervision board, the administration and the
//! kiosk.
//!
//! Pages are maud templates compiled into the binary; CSS and the little JavaScript there is
//! are embedded too, and every page works without JavaScript. Every string a person reads
//! comes from `messages/{zh-CN,en}.toml` (zh-CN by default; `?lang=en` switches and
//! remembers the choice in a cookie). Pages call the same application functions as the
//! JSON API ([`crate::app`]), so no rule is written twice; they only parse forms and draw.
//!
//! Forms post with the session cookie and a hidden `csrf` field holding the session's CSRF
//! token, which [`form::Posted`] hands to the ordinary [`crate::auth::Principal`] check.
//! Forms shown to people not logged in (log in, sign up, kiosk look-up) use a double-submit
//! cookie instead.

mod account;
mod activate;
mod admin;
mod approval_list;
mod assessment;
mod assets;
mod case_page;
mod chart;
mod ctx;
mod error;
mod form;
mod hall;
mod i18n;
mod kiosk;
mod layout;
mod meetings;
mod notices;
mod portal;
mod project_service;
mod projects;
mod pwa;
mod ratings;
mod supervision;
mod verify;
mod view;
mod workbench;

use axum::Router;

use crate::AppState;

pub use ctx::Ctx;
pub use error::WebError;
pub use i18n::{Lang, MESSAGE_FILES};
pub use layout::secure;

/// The largest form body accepted: an application with a file or two; each file is also
/// held to the material limit ([`crate::app::MAX_FILE_BYTES`]).
pub const MAX_FORM_BYTES: usize = 24 * 1024 * 1024;

/// Every page and the static files.
pub fn router() -> Router<AppState> {
    // Each page module declares its own routes.
    Router::new()
        .merge(portal::routes())
        .merge(hall::routes())
        .merge(account::routes())
        .merge(activate::routes())
        .merge(case_page::routes())
        .merge(workbench::routes())
        .merge(supervision::routes())
        .merge(assessment::routes())
        .merge(projects::routes())
        .merge(project_service::routes())
        .merge(approval_list::routes())
        .merge(meetings::routes())
        .merge(ratings::routes())
        .merge(notices::routes())
        .merge(admin::routes())
        .merge(kiosk::routes())
        .merge(verify::routes())
        .merge(pwa::routes())
        .merge(assets::routes())
        .layer(axum::extract::DefaultBodyLimit::max(MAX_FORM_BYTES))
}
