//! What every page needs about its request: who asks, in which language, the CSRF token
//! its forms carry, and cookies to set on the answer.

use crate::app::Account;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use tongban_core::identity::Role;

use super::error::WebError;
use super::i18n::Lang;
use crate::AppState;
use crate::auth::{Principal, random_hex};

/// The cookie remembering the language.
pub const LANG_COOKIE: &str = "lang";
/// The double-submit cookie of forms shown to people who are not logged in.
pub const FORM_COOKIE: &str = "tongban_form";

/// A request's page context.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The language to answer in.
    pub lang: Lang,
    /// Who asks.
    pub principal: Principal,
    /// The token forms carry in their hidden `csrf` field.
    pub csrf: String,
    /// The request's path with its query (without `lang`), for the language switch and
    /// the way back after logging in.
    pub path: String,
    /// `Set-Cookie` values for the answer.
    pub cookies: Vec<String>,
    /// The national working calendar at the time of the request (which years are provisional).
    pub calendar: tongban_core::calendar::WorkingCalendar,
}

/// A cookie's value in a request.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    crate::auth::cookie(&parts.headers, name)
}

/// The query without its `lang` pair, and the `lang` asked for, if any.
fn split_lang(query: Option<&str>) -> (String, Option<Lang>) {
    let mut asked = None;
    let mut kept = Vec::new();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        match pair.strip_prefix("lang=") {
            Some(v) => asked = Lang::parse(v),
            None => kept.push(pair),
        }
    }
    (kept.join("&"), asked)
}

impl Ctx {
    /// Builds the context for an already identified principal.
    pub async fn build(parts: &Parts, principal: Principal, state: &AppState) -> Result<Ctx, WebError> {
        let (query, asked) = split_lang(parts.uri.query());
        let remembered = cookie(parts, LANG_COOKIE).and_then(Lang::parse);
        let lang = asked.or(remembered).unwrap_or_default();
        let mut cookies = Vec::new();
        if let Some(l) = asked {
            cookies.push(format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", l.code()));
        }
        let path = if query.is_empty() { parts.uri.path().to_owned() } else { format!("{}?{query}", parts.uri.path()) };
        let session_csrf = principal.session_csrf.clone();
        let csrf = match session_csrf {
            Some(c) => c,
            None => match cookie(parts, FORM_COOKIE).filter(|c| c.len() == 32) {
                Some(c) => c.to_owned(),
                None => {
                    let c = random_hex(16).map_err(|e| WebError::new(lang, e.into()))?;
                    cookies.push(format!("{FORM_COOKIE}={c}; Path=/; HttpOnly; Secure; SameSite=Strict"));
                    c
                }
            },
        };
        Ok(Ctx { lang, principal, csrf, path, cookies, calendar: state.calendar() })
    }

    /// The message `key`.
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    /// The message `key` with placeholders filled.
    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.lang.tf(key, args)
    }

    /// The logged-in account.
    pub fn account(&self) -> Option<&Account> {
        self.principal.account.as_ref()
    }

    /// The role.
    pub fn role(&self) -> Role {
        self.principal.role()
    }

    /// An error answered in this context's language.
    pub fn fail(&self, e: impl Into<crate::problem::ApiError>) -> WebError {
        WebError::new(self.lang, e.into()).at(&self.path)
    }

    /// `response` with this context's cookies and the page headers.
    pub fn finish(&self, response: impl IntoResponse) -> Response {
        let mut response = response.into_response();
        let headers = response.headers_mut();
        for c in &self.cookies {
            if let Ok(v) = HeaderValue::from_str(c) {
                headers.append(header::SET_COOKIE, v);
            }
        }
        super::layout::security_headers(headers);
        response
    }

    /// A context for rendering pages in unit tests, with no request behind it: the public
    /// in `lang` at `/`, a fixed CSRF token, the built-in calendar.
    #[cfg(test)]
    pub fn for_test(lang: Lang) -> Ctx {
        let principal = Principal {
            account: None,
            via: crate::auth::Via::Anonymous,
            client: None,
            session_hash: None,
            session_csrf: None,
        };
        Ctx {
            lang,
            principal,
            csrf: "0".repeat(32),
            path: "/".to_owned(),
            cookies: Vec::new(),
            calendar: tongban_core::calendar::WorkingCalendar::builtin(),
        }
    }

    /// The path with the other language asked for, for the switch.
    pub fn switch_href(&self) -> String {
        let sep = if self.path.contains('?') { '&' } else { '?' };
        format!("{}{sep}lang={}", self.path, self.lang.other().code())
    }
}

#[cfg(test)]
impl Ctx {
    /// [`Ctx::for_test`] logged in as an account of `role` (login `tester`, no department),
    /// for pages that draw by role.
    pub(crate) fn for_test_as(lang: Lang, role: Role) -> Ctx {
        let mut ctx = Ctx::for_test(lang);
        ctx.principal.via = crate::auth::Via::Session;
        ctx.principal.account = Some(crate::app::actor::staff_account("tester", "Tester", role));
        ctx
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = split_lang(parts.uri.query()).1.or_else(|| cookie(parts, LANG_COOKIE).and_then(Lang::parse));
        let principal = Principal::from_request_parts(parts, state)
            .await
            .map_err(|e| WebError::new(lang.unwrap_or_default(), e))?;
        Ctx::build(parts, principal, state).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lang_pair_is_taken_out_of_the_query() {
        assert_eq!(split_lang(Some("q=a&lang=en&page=2")), ("q=a&page=2".to_owned(), Some(Lang::En)));
        assert_eq!(split_lang(None), (String::new(), None));
        assert_eq!(split_lang(Some("lang=xx")), (String::new(), None));
    }

    #[test]
    fn a_test_context_is_the_public_and_switches_language() {
        let ctx = Ctx::for_test(Lang::En);
        assert_eq!(ctx.role(), Role::Public);
        assert_eq!(ctx.switch_href(), "/?lang=zh-CN");
    }
}
