//! The online hall as an installable app (移动APP客户端): the web app manifest, the service
//! worker, the hall's progressive-enhancement script and the app icons, all compiled into
//! the binary. The manifest and the script come in the page's language (`?lang=`); the
//! service worker keeps the applicant's case list readable offline and shows Web Push
//! notices (see `static/pwa/sw.js`).

use axum::extract::Query;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::i18n::Lang;

/// The hall's colour in the browser's bar (the site's red).
pub const THEME_COLOUR: &str = "#b3261e";

const SERVICE_WORKER: &str = include_str!("../../static/pwa/sw.js");
const HALL_SCRIPT: &str = include_str!("../../static/pwa/hall.js");

/// (name, content type, bytes) of the icons.
const ICONS: &[(&str, &str, &[u8])] = &[
    ("icon-192.png", "image/png", include_bytes!("../../static/pwa/icon-192.png")),
    ("icon-512.png", "image/png", include_bytes!("../../static/pwa/icon-512.png")),
    ("icon.svg", "image/svg+xml", include_bytes!("../../static/pwa/icon.svg")),
];

/// `?lang=` of the manifest and the script.
#[derive(Debug, Default, Deserialize)]
pub struct LangParam {
    /// `zh-CN` (the default) or `en`.
    pub lang: Option<String>,
}

impl LangParam {
    fn lang(&self) -> Lang {
        self.lang.as_deref().and_then(Lang::parse).unwrap_or_default()
    }
}

fn answer(kind: &'static str, cache: &'static str, csp: &'static str, body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    let headers: &mut HeaderMap = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    super::secure(headers, csp);
    response
}

/// `GET /manifest.webmanifest`: name, start page (`/hall`), standalone display, icons
/// (also maskable: the drawing keeps to the safe zone), colours.
pub async fn manifest(Query(q): Query<LangParam>) -> Response {
    let lang = q.lang();
    let icon = |src: &str, sizes: &str, kind: &str, purpose: &str| serde_json::json!({ "src": src, "sizes": sizes, "type": kind, "purpose": purpose });
    let body = serde_json::json!({
        "id": "/hall",
        "name": lang.t("pwa.name"),
        "short_name": lang.t("pwa.short_name"),
        "description": lang.t("pwa.description"),
        "lang": lang.code(),
        "dir": "ltr",
        "start_url": "/hall",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "categories": ["government", "productivity"],
        "icons": [
            icon("/pwa/icon-192.png", "192x192", "image/png", "any"),
            icon("/pwa/icon-512.png", "512x512", "image/png", "any"),
            icon("/pwa/icon-192.png", "192x192", "image/png", "maskable"),
            icon("/pwa/icon-512.png", "512x512", "image/png", "maskable"),
            icon("/pwa/icon.svg", "any", "image/svg+xml", "any"),
        ],
    });
    answer("application/manifest+json; charset=utf-8", "public, max-age=3600", "default-src 'none'", body.to_string())
}

/// `GET /sw.js`: the service worker. Never taken from the HTTP cache, so a new version
/// reaches browsers at once; its own policy lets it fetch from this site only.
pub async fn service_worker() -> Response {
    answer("text/javascript; charset=utf-8", "no-cache", "default-src 'self'", SERVICE_WORKER)
}

/// `GET /pwa/hall.js?lang=`: the hall's script after its texts in the page's language.
pub async fn hall_script(Query(q): Query<LangParam>) -> Response {
    let lang = q.lang();
    let texts = serde_json::json!({
        "title": lang.t("pwa.push_title"),
        "enable": lang.t("pwa.enable"),
        "disable": lang.t("pwa.disable"),
        "on": lang.t("pwa.on"),
        "hint": lang.t("pwa.hint"),
        "denied": lang.t("pwa.denied"),
        "failed": lang.t("pwa.failed"),
        "offline": lang.t("pwa.offline"),
    });
    let body = format!("const T = {texts};\n{HALL_SCRIPT}");
    answer("text/javascript; charset=utf-8", "public, max-age=3600", "default-src 'none'", body)
}

/// `GET /pwa/{icon}`.
pub async fn icon(axum::extract::Path(name): axum::extract::Path<String>) -> Response {
    match ICONS.iter().find(|(n, _, _)| *n == name) {
        Some((_, kind, bytes)) => answer(kind, "public, max-age=86400", "default-src 'none'", *bytes),
        None => (axum::http::StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// What the page's head links: the manifest, the theme colour, the icon for home screens
/// and the hall's script, in `lang`.
pub fn head_links(lang: Lang) -> maud::Markup {
    maud::html! {
        link rel="manifest" href=(format!("/manifest.webmanifest?lang={}", lang.code()));
        meta name="theme-color" content=(THEME_COLOUR);
        link rel="apple-touch-icon" href="/pwa/icon-192.png";
        script src=(format!("/pwa/hall.js?lang={}", lang.code())) defer {}
    }
}

/// This module's routes.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/manifest.webmanifest", get(manifest))
        .route("/sw.js", get(service_worker))
        .route("/pwa/hall.js", get(hall_script))
        .route("/pwa/{icon}", get(icon))
}
