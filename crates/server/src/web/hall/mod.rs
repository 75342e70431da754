//! The online service hall (网上办事大厅): log in and out, sign up, my cases, and applying
//! with a form generated from the item's materials (files optional). A window clerk uses
//! the same form to receive an applicant at the window (首接).
//!
//! Each page loads through [`crate::app`], builds a view model (a plain struct) and hands it
//! to a `render_…` function that only draws; this module keeps what the section's pages
//! share.

mod apply;
mod cases;
mod login;

use axum::http::{StatusCode, header};
use axum::response::Response;
use maud::{Markup, html};
use tongban_core::identity::Role;

use super::ctx::Ctx;
use super::form::FieldErrors;
use super::view;

pub use apply::{case_error_field, check_files, store_files};
pub use cases::{CaseRow, ListQuery, case_table, item_name, item_names};

/// Where a role starts after logging in.
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::Applicant => "/hall",
        Role::WindowClerk => "/workbench",
        Role::Reviewer | Role::Approver | Role::DepartmentHead => "/inbox",
        Role::CenterLeader | Role::Supervisor => "/supervision",
        Role::Administrator => "/admin",
        Role::Public => "/",
    }
}

/// A local path to go back to, never another site: it starts with one `/` and holds no
/// white space, control character or backslash (browsers drop tabs and read `\` as `/`,
/// so `/\t/evil.example` and `/\\evil.example` would leave the site).
pub(crate) fn safe_next(next: &str) -> Option<&str> {
    let local = next.starts_with('/')
        && !next[1..].starts_with('/')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    local.then_some(next)
}

/// A redirect to `to` with the context's cookies.
pub(super) fn see_other(ctx: &Ctx, to: &str) -> Response {
    ctx.finish((StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]))
}

/// The message for an invalid field: the message file's, when it has one, else the rule's own words.
fn field_message(ctx: &Ctx, field: &str, raw: &str) -> String {
    ctx.lang.get(&format!("err.field.{field}")).map_or_else(|| raw.to_owned(), str::to_owned)
}

/// A refused form's (field, message) pairs as the errors shown beside the fields, each
/// field's first message, in the page's language where the message file has one.
pub(super) fn field_errors(ctx: &Ctx, list: Vec<(String, String)>) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for (f, m) in list {
        if errors.get(&f).is_none() {
            errors.add(&f, field_message(ctx, &f, &m));
        }
    }
    errors
}

/// Individual / enterprise, `kind` ticked.
fn kind_radios(ctx: &Ctx, kind: &str, errors: &FieldErrors) -> Markup {
    html! {
        fieldset.field {
            legend { (ctx.t("signup.kind")) }
            @for k in ["individual", "enterprise"] {
                label.choice {
                    input type="radio" name="kind" value=(k) checked[kind == k];
                    " " (ctx.t(&format!("applicant_kind.{k}")))
                }
            }
            (view::field_error(errors, "kind"))
        }
    }
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/login", get(login::login_page).post(login::login))
        .route("/logout", post(login::logout))
        .route("/signup", get(login::signup_page).post(login::signup))
        .route("/hall", get(cases::my_cases))
        .route("/hall/apply/{code}", get(apply::apply_page).post(apply::apply))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/hall/cases?page=2"), Some("/hall/cases?page=2"));
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/ /evil.example",
            "https://evil.example",
            "",
            "/\n/x",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
    }
}
