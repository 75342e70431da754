//! Extractors whose rejections are problem+json like every other error.
//!
//! Every text that comes in through them passes [`tongban_core::text::check`] at the cap
//! for any field ([`text::FIELD`]) before a handler sees it, so a NUL byte or a megabyte
//! in a field is a `422` naming that field, never a database error. Fields with a tighter
//! cap (names, phones, searches) are checked again where the domain reads them.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use tongban_core::text;

use crate::app::AppError;
use crate::problem::ApiError;

/// A JSON body; a malformed or mistyped body is a `/problems/invalid-body`, a string with a
/// control character or over [`text::FIELD`] characters an `/problems/invalid-field`.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppJson<T>(pub T);

impl<S, T> FromRequest<S> for AppJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<serde_json::Value>::from_request(req, state)
            .await
            .map_err(|rejection| ApiError::BadBody(rejection.body_text()))?;
        let mut errors = Vec::new();
        check_json(&value, &mut String::new(), &mut errors);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors).into());
        }
        serde_json::from_value(value)
            .map(AppJson)
            .map_err(|e| ApiError::BadBody(format!("Failed to deserialize the JSON body into the target type: {e}")))
    }
}

/// Collects `(path, why)` for every string (and key) under `value` that [`text::check`]
/// refuses; `path` is the field's dotted path (`applicant.name`, `materials.0`).
fn check_json(value: &serde_json::Value, path: &mut String, errors: &mut Vec<(String, String)>) {
    fn visit(key: &str, child: &serde_json::Value, path: &mut String, errors: &mut Vec<(String, String)>) {
        let len = path.len();
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
        check_json(child, path, errors);
        path.truncate(len);
    }
    match value {
        serde_json::Value::String(s) => {
            if let Err(e) = text::check(s, text::FIELD) {
                errors.push((if path.is_empty() { "body".into() } else { path.clone() }, e.to_string()));
            }
        }
        serde_json::Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                visit(&i.to_string(), child, path, errors);
            }
        }
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                match text::check(key, text::NAME) {
                    Ok(()) => visit(key, child, path, errors),
                    Err(e) => errors.push(("body".into(), format!("a field name {e}"))),
                }
            }
        }
        _ => {}
    }
}

/// Checks every `(name, value)` of a decoded form or query string, each value at most
/// `max` characters; the errors name the field.
pub fn check_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>, max: usize) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    for (name, value) in pairs {
        if let Err(e) = text::check(name, text::NAME) {
            errors.push(("body".to_owned(), format!("a field name {e}")));
        } else if let Err(e) = text::check(value, max) {
            errors.push((name.to_owned(), e.to_string()));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(AppError::Invalid(errors).into()) }
}

/// Query parameters; a bad one is a `/problems/invalid-parameter`, one with a control
/// character or over [`text::FIELD`] characters an `/problems/invalid-field`.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for AppQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        check_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())), text::FIELD)?;
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(AppQuery(value)),
            Err(rejection) => Err(AppError::BadParameter(rejection.body_text()).into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_and_keys_are_checked_with_their_paths() {
        let value = serde_json::json!({
            "applicant": { "name": "张\u{0}三", "phone": "1".repeat(text::FIELD + 1) },
            "materials": ["ok", "bad\u{1b}"],
            "count": 3,
        });
        let mut errors = Vec::new();
        check_json(&value, &mut String::new(), &mut errors);
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["applicant.name", "applicant.phone", "materials.1"]);
    }

    #[test]
    fn clean_pairs_pass() {
        assert!(check_pairs([("q", "开公司"), ("note", "第一行\n第二行")], text::FIELD).is_ok());
        assert!(check_pairs([("q", "a\0")], text::FIELD).is_err());
        assert!(check_pairs([("q", "ab")], 1).is_err());
    }
}
