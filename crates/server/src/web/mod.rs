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
mod admin;
mod admin_forms;
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
mod portal;
mod projects;
mod supervision;
mod view;
mod workbench;

use axum::Router;
use axum::routing::{get, post};

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
    Router::new()
        .route("/", get(portal::home))
        .route("/items", get(portal::items))
        .route("/items/{code}", get(portal::item))
        .route("/lists", get(portal::lists))
        .route("/figures", get(portal::figures))
        .route("/login", get(hall::login_page).post(hall::login))
        .route("/logout", post(hall::logout))
        .route("/signup", get(hall::signup_page).post(hall::signup))
        .route("/hall", get(hall::my_cases))
        .route("/hall/apply/{code}", get(hall::apply_page).post(hall::apply))
        .route("/hall/verify/oidc", get(account::oidc_begin))
        .route("/hall/verify/sms", get(account::code_page).post(account::send_code))
        .route("/hall/verify/sms/confirm", post(account::confirm_code))
        .route("/hall/verify/oidc/callback", get(account::oidc_callback))
        .route("/cases/{number}", get(case_page::show))
        .route("/cases/{number}/act", post(case_page::act))
        .route("/workbench", get(workbench::queue))
        .route("/workbench/call", post(workbench::call_next))
        .route("/workbench/verify", get(account::verify_page).post(account::verify))
        .route("/account/password", get(account::password_page).post(account::change_password))
        .route("/inbox", get(workbench::inbox))
        .route("/supervision", get(supervision::board))
        .route("/supervision/alerts", get(supervision::alerts))
        .route("/supervision/accountability", get(supervision::accountability))
        .route("/supervision/accountability/{number}/answer", post(supervision::answer))
        .route("/supervision/accountability/{number}/close", post(supervision::close))
        .route("/supervision/figures", get(supervision::figures))
        .route("/supervision/concerns", get(supervision::concerns))
        .route("/supervision/projects", get(projects::projects))
        .route("/admin", get(admin::catalog))
        .route("/admin/org", get(admin::org))
        .route("/admin/staff", get(admin::staff).post(admin::create_staff))
        .route("/admin/staff/{login}/role", post(admin::change_role))
        .route("/admin/staff/{login}/disabled", post(admin::set_disabled))
        .route("/admin/grants", get(admin::grants))
        .route("/admin/grants/new", get(admin_forms::grant_new_page).post(admin_forms::grant_new))
        .route("/admin/grants/{id}/revoke", post(admin::revoke))
        .route("/admin/calendar", get(admin::calendar))
        .route("/admin/calendar/import", get(admin_forms::calendar_import_page).post(admin_forms::calendar_import))
        .route("/admin/calendar/closures", get(admin_forms::closure_page).post(admin_forms::closure_add))
        .route("/admin/calendar/closures/lift", post(admin_forms::closure_lift))
        .route("/admin/rules", get(admin::rules).post(admin::set_rule))
        .route("/admin/plans", get(admin::plans))
        .route("/admin/plans/import", get(admin_forms::plan_import_page).post(admin_forms::plan_import))
        .route("/kiosk", get(kiosk::home))
        .route("/kiosk/items", get(kiosk::items))
        .route("/kiosk/items/{code}", get(kiosk::item))
        .route("/kiosk/ticket", get(kiosk::ticket_page).post(kiosk::take_ticket))
        .route("/kiosk/lookup", get(kiosk::lookup_page).post(kiosk::lookup))
        .route("/static/{file}", get(assets::serve))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_FORM_BYTES))
}
