//! Posted forms: URL-encoded or multipart (with files), checked for CSRF.
//!
//! With a session, the hidden `csrf` field is handed to the usual [`Principal`] check as if
//! it had come in the `X-CSRF-Token` header, so forms and the API share one check. Without
//! one (log in, sign up, kiosk), the field must equal the double-submit cookie set when the
//! form was shown.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::{HeaderValue, header};

use super::ctx::{Ctx, FORM_COOKIE, cookie};
use super::error::WebError;
use super::i18n::Lang;
use crate::AppState;
use crate::app::AppError;
use crate::auth::{CSRF_HEADER, Principal, Via, same_secret};
use crate::problem::ApiError;

/// A form's text fields, in the order sent (a name may repeat: checkboxes).
#[derive(Debug, Clone, Default)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    /// Whether `name` was sent with `value` (a ticked checkbox).
    pub fn has(&self, name: &str, value: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && v == value)
    }
}

/// A file sent with a form.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The form field.
    pub field: String,
    /// The file's name as the browser sent it (no path), if any.
    pub name: Option<String>,
    /// The type the browser declared.
    pub content_type: String,
    /// The bytes.
    pub bytes: Bytes,
}

/// A posted form with the page context of its request.
#[derive(Debug)]
pub struct Posted {
    /// The page context (who posted, language).
    pub ctx: Ctx,
    /// The text fields.
    pub fields: Fields,
    /// The files (empty file inputs are left out).
    pub files: Vec<Upload>,
}

async fn read_multipart(
    parts: &axum::http::request::Parts,
    content_type: &str,
    bytes: Bytes,
    state: &AppState,
) -> Result<(Fields, Vec<Upload>), ApiError> {
    let mut request = Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(bytes))
        .map_err(|e| ApiError::BadBody(e.to_string()))?;
    *request.extensions_mut() = parts.extensions.clone();
    let mut multipart = Multipart::from_request(request, state).await.map_err(|e| ApiError::BadBody(e.body_text()))?;
    let (mut fields, mut files) = (Vec::new(), Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(|e| ApiError::BadBody(e.body_text()))? {
        let name = field.name().unwrap_or("").to_owned();
        if let Some(file_name) = field.file_name() {
            // Some browsers send a whole path; only its last part names the file.
            let file = file_name.rsplit(['/', '\\']).next().filter(|n| !n.is_empty()).map(str::to_owned);
            let content_type = field.content_type().unwrap_or("").to_owned();
            let data = field.bytes().await.map_err(|e| ApiError::BadBody(e.body_text()))?;
            if !data.is_empty() {
                files.push(Upload { field: name, name: file, content_type, bytes: data });
            }
        } else {
            let value = field.text().await.map_err(|e| ApiError::BadBody(e.body_text()))?;
            fields.push((name, value));
        }
    }
    Ok((Fields(fields), files))
}

impl FromRequest<AppState> for Posted {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let lang = cookie(&parts, super::ctx::LANG_COOKIE).and_then(Lang::parse).unwrap_or_default();
        let path = parts.uri.path().to_owned();
        let fail = |e: ApiError| WebError::new(lang, e).at(&path);
        let content_type =
            parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let bytes = axum::body::to_bytes(body, super::MAX_FORM_BYTES)
            .await
            .map_err(|_| fail(ApiError::from(AppError::TooLarge(super::MAX_FORM_BYTES))))?;
        let (fields, files) = if content_type.starts_with("multipart/form-data") {
            read_multipart(&parts, &content_type, bytes, state).await.map_err(fail)?
        } else {
            (Fields(form_urlencoded::parse(&bytes).into_owned().collect()), Vec::new())
        };
        // A form may carry a pasted document (BPMN, CSV); each field's own cap is the domain's.
        let pairs = fields.0.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        crate::extract::check_pairs(pairs, tongban_core::text::DOCUMENT).map_err(fail)?;
        let sent = fields.get("csrf").to_owned();
        if !sent.is_empty()
            && !parts.headers.contains_key(CSRF_HEADER)
            && let Ok(v) = HeaderValue::from_str(&sent)
        {
            parts.headers.insert(CSRF_HEADER, v);
        }
        let principal = Principal::from_request_parts(&mut parts, state).await.map_err(fail)?;
        if principal.via == Via::Anonymous {
            let expected = cookie(&parts, FORM_COOKIE).unwrap_or("");
            if expected.is_empty() || !same_secret(expected, &sent) {
                return Err(fail(ApiError::Csrf));
            }
        }
        let ctx = Ctx::build(&parts, principal, state).await?;
        Ok(Posted { ctx, fields, files })
    }
}

/// Per-field errors of a form being shown again: (field, message).
#[derive(Debug, Clone, Default)]
pub struct FieldErrors(pub Vec<(String, String)>);

impl FieldErrors {
    /// The message for `field`, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    /// Adds a message.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push((field.to_owned(), message.into()));
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abcd", "abcd"));
        assert!(!same_secret("abcd", "abce"));
        assert!(!same_secret("abc", "abcd"));
        assert!(!same_secret("", "a"));
    }

    #[test]
    fn repeated_fields_are_all_kept() {
        let f = Fields(vec![("m".into(), "a".into()), ("m".into(), "b".into()), ("x".into(), "1".into())]);
        assert_eq!(f.all("m"), vec!["a", "b"]);
        assert_eq!(f.get("x"), "1");
        assert_eq!(f.get("none"), "");
        assert!(f.has("m", "b") && !f.has("m", "c"));
    }
}
