//! The page frame: head, skip link, header with navigation by role, language switch,
//! footer. The kiosk has its own frame (large targets, resets itself after idle time).

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, Response};
use maud::{DOCTYPE, Markup, html};
use tongban_core::identity::Role;

use super::ctx::Ctx;
use super::i18n::Lang;

/// Seconds of idle time after which a kiosk page goes back to the kiosk's start.
pub const KIOSK_IDLE_SECONDS: u32 = 90;

/// Headers every page carries: no framing, no sniffing, scripts and styles only from here.
pub fn security_headers(headers: &mut HeaderMap) {
    secure(
        headers,
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
}

/// The security headers with content security policy `csp`: no sniffing, no referrer to
/// other sites, nothing cached unless the response says otherwise.
pub fn secure(headers: &mut HeaderMap, csp: &'static str) {
    let set = |headers: &mut HeaderMap, name: header::HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::CONTENT_SECURITY_POLICY, csp);
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "same-origin");
    if !headers.contains_key(header::CACHE_CONTROL) {
        set(headers, header::CACHE_CONTROL, "no-store");
    }
}

fn head(lang: Lang, title: &str, extra: Option<Markup>) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · " (lang.t("site.name")) }
            link rel="stylesheet" href="/static/app.css";
            link rel="icon" href="/static/favicon.svg" type="image/svg+xml";
            script src="/static/app.js" defer {}
            (super::pwa::head_links(lang))
            @if let Some(extra) = extra { (extra) }
        }
    }
}

/// Where a role starts, and the links its navigation shows: (href, message key).
fn nav_links(role: Role) -> Vec<(&'static str, &'static str)> {
    let mut links =
        vec![("/", "nav.home"), ("/items", "nav.items"), ("/lists", "nav.lists"), ("/figures", "nav.figures")];
    match role {
        Role::Public => links.push(("/hall", "nav.hall")),
        Role::Applicant => links.push(("/hall", "nav.my_cases")),
        Role::WindowClerk => links.push(("/workbench", "nav.workbench")),
        Role::Reviewer => links.push(("/inbox", "nav.inbox")),
        Role::Approver | Role::DepartmentHead => {
            links.push(("/workbench", "nav.workbench"));
            links.push(("/inbox", "nav.inbox"));
        }
        Role::CenterLeader | Role::Administrator => {
            links.push(("/supervision", "nav.supervision"));
            links.push(("/admin", "nav.admin"));
        }
        Role::Supervisor => links.push(("/supervision", "nav.supervision")),
    }
    match role {
        Role::DepartmentHead => links.push(("/supervision", "nav.supervision")),
        Role::Approver => links.push(("/supervision/accountability", "nav.accountability")),
        _ => {}
    }
    links.push(("/kiosk", "nav.kiosk"));
    links
}

/// The full page for `ctx`: the answer, with its cookies and headers.
pub fn page(ctx: &Ctx, title: &str, body: Markup) -> Response {
    page_with(ctx, title, body, None)
}

/// The full page that reloads itself every `refresh` seconds, when given (a board on a
/// wall screen; no JavaScript needed).
pub fn page_with(ctx: &Ctx, title: &str, body: Markup, refresh: Option<u32>) -> Response {
    let current = ctx.path.split('?').next().unwrap_or("/");
    // The section a page belongs to is current in the navigation too.
    let section = |href: &str| href == current || (href != "/" && current.starts_with(&format!("{href}/")));
    let reload = refresh.map(|s| html! { meta http-equiv="refresh" content=(s); });
    let markup = html! {
        (DOCTYPE)
        html lang=(ctx.lang.code()) {
            (head(ctx.lang, title, reload))
            body {
                a.skip href="#main" { (ctx.t("nav.skip")) }
                header.site {
                    div.bar {
                        a.brand href="/" {
                            span.mark aria-hidden="true" { "TB" }
                            span { (ctx.t("site.name")) }
                            span.sub { (ctx.t("site.tagline")) }
                        }
                        div.who {
                            a.lang href=(ctx.switch_href()) lang=(ctx.lang.other().code()) hreflang=(ctx.lang.other().code()) {
                                (ctx.t("nav.switch"))
                            }
                            @if let Some(a) = ctx.account() {
                                span.me { (a.display_name) " · " (ctx.t(&format!("role.{}", a.role.as_str()))) }
                                a href="/account/password" { (ctx.t("nav.password")) }
                                a href=(if a.role == Role::Applicant { "/hall/profile" } else { "/account/profile" }) { (ctx.t("notices.nav_profile")) }
                                form.inline method="post" action="/logout" {
                                    input type="hidden" name="csrf" value=(ctx.csrf);
                                    button.link type="submit" { (ctx.t("nav.logout")) }
                                }
                            } @else {
                                a href="/login" { (ctx.t("nav.login")) }
                                a href="/signup" { (ctx.t("nav.signup")) }
                            }
                        }
                    }
                    nav aria-label=(ctx.t("nav.label")) {
                        ul {
                            @for (href, key) in nav_links(ctx.role()) {
                                li {
                                    @if section(href) {
                                        a href=(href) aria-current="page" { (ctx.t(key)) }
                                    } @else {
                                        a href=(href) { (ctx.t(key)) }
                                    }
                                }
                            }
                        }
                    }
                }
                main id="main" tabindex="-1" { (body) }
                footer.site {
                    p { (ctx.t("site.footer")) }
                    p {
                        a href="/surveys" { (ctx.t("site.surveys")) } " · "
                        a href="/api/v1/openapi.json" { (ctx.t("site.api")) }
                    }
                }
            }
        }
    };
    ctx.finish(Html(markup.into_string()))
}

/// A page without navigation (errors), in `lang`.
pub fn bare(lang: Lang, title: &str, body: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang=(lang.code()) {
                (head(lang, title, None))
                body {
                    header.site { div.bar { a.brand href="/" { span.mark aria-hidden="true" { "TB" } span { (lang.t("site.name")) } } } }
                    main id="main" tabindex="-1" { (body) }
                }
            }
        }
        .into_string(),
    )
}

/// A kiosk page: large targets; after idle time it goes back to the start, without JavaScript.
pub fn kiosk(ctx: &Ctx, title: &str, body: Markup, reset: bool) -> Response {
    let refresh = reset.then(|| {
        html! { meta http-equiv="refresh" content=(format!("{KIOSK_IDLE_SECONDS};url=/kiosk")); }
    });
    let markup = html! {
        (DOCTYPE)
        html lang=(ctx.lang.code()) {
            (head(ctx.lang, title, refresh))
            body.kiosk {
                a.skip href="#main" { (ctx.t("nav.skip")) }
                header.site {
                    div.bar {
                        a.brand href="/kiosk" {
                            span.mark aria-hidden="true" { "TB" }
                            span { (ctx.t("kiosk.title")) }
                        }
                        div.who {
                            a.lang href=(ctx.switch_href()) lang=(ctx.lang.other().code()) { (ctx.t("nav.switch")) }
                        }
                    }
                }
                main id="main" tabindex="-1" { (body) }
                @if reset {
                    footer.site { p { (ctx.tf("kiosk.idle", &[("s", &KIOSK_IDLE_SECONDS.to_string())])) } }
                }
            }
        }
    };
    ctx.finish(Html(markup.into_string()))
}

/// A wall-screen page: the site's bar without navigation, large type, reloading itself
/// every `refresh` seconds.
pub fn wall(ctx: &Ctx, title: &str, body: Markup, refresh: u32) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang=(ctx.lang.code()) {
            (head(ctx.lang, title, Some(html! { meta http-equiv="refresh" content=(refresh); })))
            body.wall {
                a.skip href="#main" { (ctx.t("nav.skip")) }
                header.site {
                    div.bar {
                        a.brand href="/supervision" {
                            span.mark aria-hidden="true" { "TB" }
                            span { (ctx.t("sup.title")) }
                        }
                        div.who {
                            a.lang href=(ctx.switch_href()) lang=(ctx.lang.other().code()) { (ctx.t("nav.switch")) }
                        }
                    }
                }
                main id="main" tabindex="-1" { (body) }
            }
        }
    };
    ctx.finish(Html(markup.into_string()))
}

/// The links between the pages of one section (supervision, administration); the current
/// one is marked. `links` are (href, message key).
pub fn tabs(ctx: &Ctx, label: &str, links: &[(&str, &str)]) -> Markup {
    let current = ctx.path.split('?').next().unwrap_or("/");
    html! {
        nav.tabs aria-label=(label) {
            ul {
                @for (href, key) in links {
                    li {
                        @if *href == current {
                            a href=(href) aria-current="page" { (ctx.t(key)) }
                        } @else {
                            a href=(href) { (ctx.t(key)) }
                        }
                    }
                }
            }
        }
    }
}
