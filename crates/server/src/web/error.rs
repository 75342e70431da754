//! Errors as pages: not logged in goes to the login page (and back after); everything else
//! is a page with the problem's status, a title from the message files and the detail.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::html;

use super::i18n::Lang;
use crate::app::AppError;
use crate::problem::ApiError;

/// An error on a page.
#[derive(Debug)]
pub struct WebError {
    /// The language to answer in.
    pub lang: Lang,
    /// What went wrong.
    pub error: ApiError,
    /// Where the request went (to come back after logging in).
    pub path: String,
}

impl WebError {
    /// An error in `lang`.
    pub fn new(lang: Lang, error: ApiError) -> Self {
        Self { lang, error, path: "/".into() }
    }

    /// The same error, remembering the request's path.
    pub fn at(mut self, path: &str) -> Self {
        path.clone_into(&mut self.path);
        self
    }
}

/// Percent-encodes a value for a query string.
pub fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if matches!(self.error, ApiError::App(AppError::Unauthorized)) {
            let to = format!("/login?next={}", encode(&self.path));
            return (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response();
        }
        let problem = self.error.problem(Some(self.path.clone()));
        if problem.status >= 500 {
            tracing::error!(error = %self.error, kind = problem.kind, "page failed");
        }
        let lang = self.lang;
        let kind = problem.kind.trim_start_matches("/problems/");
        let key = format!("error.{kind}");
        let title = lang.get(&key).unwrap_or(lang.t("error.generic"));
        let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = html! {
            h1 { (title) }
            p.detail { (problem.detail) }
            p { a href="/" { (lang.t("error.home")) } }
        };
        let mut response = (status, super::layout::bare(lang, title, body)).into_response();
        super::layout::security_headers(response.headers_mut());
        response
    }
}
