//! Small pieces many pages draw: times in China Standard Time, limits, money, state
//! badges, form fields with their errors, pagination.

use maud::{Markup, html};
use tongban_core::case::CaseState;
use tongban_core::item::{Fee, TimeLimit};

use super::ctx::Ctx;
use super::form::{FieldErrors, Fields};

/// A moment as `2026-03-02 10:00` in China Standard Time.
pub fn when(t: jiff::Timestamp) -> String {
    tongban_core::calendar::CHINA_STANDARD_TIME.to_datetime(t).strftime("%Y-%m-%d %H:%M").to_string()
}

/// A due time, marked 「暂定」 when it runs into a year whose holidays are not announced yet.
pub fn due(ctx: &Ctx, t: jiff::Timestamp, provisional: bool) -> Markup {
    html! {
        (time(t))
        @if provisional {
            " " span.badge.provisional title=(ctx.t("case.provisional_hint")) { (ctx.t("case.provisional")) }
        }
    }
}

/// A due time as a page's view model holds it: the moment and whether it is provisional
/// (暂定: it runs into a year whose holidays are not announced yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueMark {
    /// When it is due.
    pub at: jiff::Timestamp,
    /// Whether it is provisional.
    pub provisional: bool,
}

impl DueMark {
    /// A case's due time by `calendar`, if it has one.
    pub fn of(case: &tongban_core::case::Case, calendar: &tongban_core::calendar::WorkingCalendar) -> Option<DueMark> {
        case.due_at.map(|at| DueMark { at, provisional: case.due_is_provisional(calendar) })
    }
}

/// A due mark, or `none` when there is no due time.
pub fn due_mark(ctx: &Ctx, mark: Option<DueMark>, none: &str) -> Markup {
    match mark {
        Some(m) => due(ctx, m.at, m.provisional),
        None => html! { (none) },
    }
}

/// A moment for `<time datetime>`.
pub fn machine_time(t: jiff::Timestamp) -> String {
    t.to_string()
}

/// `<time>` for a moment.
pub fn time(t: jiff::Timestamp) -> Markup {
    html! { time datetime=(machine_time(t)) { (when(t)) } }
}

/// A time limit in words: 5 working days, 4 working hours.
pub fn limit(ctx: &Ctx, l: Option<TimeLimit>) -> String {
    match l {
        None => ctx.t("limit.none").to_owned(),
        Some(TimeLimit::WorkingDays(n)) => ctx.tf("limit.days", &[("n", &n.to_string())]),
        Some(TimeLimit::WorkingHours(n)) => ctx.tf("limit.hours", &[("n", &n.to_string())]),
    }
}

/// Fen as yuan: `¥12.50`.
pub fn yuan(fen: u64) -> String {
    format!("¥{}.{:02}", fen / 100, fen % 100)
}

/// The fees in words; free when none.
pub fn fees(ctx: &Ctx, fees: &[Fee]) -> String {
    if fees.is_empty() {
        ctx.t("item.free").to_owned()
    } else {
        fees.iter().map(|f| format!("{} {}", f.name, yuan(f.amount_fen))).collect::<Vec<_>>().join(ctx.t("list.sep"))
    }
}

/// Working minutes as hours and minutes.
pub fn minutes(ctx: &Ctx, m: i64) -> String {
    ctx.tf("clock.hm", &[("h", &(m.abs() / 60).to_string()), ("m", &(m.abs() % 60).to_string())])
}

/// A case state as a coloured badge.
pub fn state_badge(ctx: &Ctx, s: CaseState) -> Markup {
    html! { span class=(format!("badge state-{}", s.as_str())) { (ctx.t(&format!("state.{}", s.as_str()))) } }
}

/// The id of a field's error message, for `aria-describedby`.
fn error_id(name: &str) -> String {
    format!("err-{}", name.replace(|c: char| !c.is_ascii_alphanumeric(), "-"))
}

/// The error message of a field, if any, placed beside it.
pub fn field_error(errors: &FieldErrors, name: &str) -> Markup {
    html! {
        @if let Some(m) = errors.get(name) {
            p.field-error id=(error_id(name)) role="alert" { (m) }
        }
    }
}

/// Options of a text input.
#[derive(Debug, Clone, Copy, Default)]
pub struct Input<'a> {
    /// `type`.
    pub kind: &'a str,
    /// `autocomplete`.
    pub autocomplete: Option<&'a str>,
    /// Required.
    pub required: bool,
    /// Autofocus.
    pub autofocus: bool,
    /// Read only.
    pub readonly: bool,
    /// A hint under the label.
    pub hint: Option<&'a str>,
    /// Prefix of the element id, when several forms on a page share field names.
    pub scope: &'a str,
    /// The id of a `datalist` of suggestions (any value may still be typed).
    pub list: Option<&'a str>,
}

/// The element id of field `name` in `scope`.
pub fn field_id(scope: &str, name: &str) -> String {
    let clean = |s: &str| s.replace(|c: char| !c.is_ascii_alphanumeric(), "-");
    if scope.is_empty() { format!("f-{}", clean(name)) } else { format!("f-{}-{}", clean(scope), clean(name)) }
}

/// A labelled text input keeping what was typed, with its error beside it.
pub fn input(label: &str, name: &str, value: &str, errors: &FieldErrors, opts: Input<'_>) -> Markup {
    let id = field_id(opts.scope, name);
    let invalid = errors.get(name).is_some();
    let kind = if opts.kind.is_empty() { "text" } else { opts.kind };
    html! {
        div class=(if invalid { "field invalid" } else { "field" }) {
            label for=(id) { (label) @if opts.required { span.req aria-hidden="true" { " *" } } }
            @if let Some(h) = opts.hint { p.hint { (h) } }
            input id=(id) name=(name) type=(kind) value=(value)
                autocomplete=[opts.autocomplete] list=[opts.list]
                required[opts.required] autofocus[opts.autofocus] readonly[opts.readonly]
                aria-invalid=[invalid.then_some("true")]
                aria-describedby=[invalid.then(|| error_id(name))];
            (field_error(errors, name))
        }
    }
}

/// A labelled textarea keeping what was typed.
pub fn textarea(label: &str, name: &str, value: &str, errors: &FieldErrors, required: bool, scope: &str) -> Markup {
    let id = field_id(scope, name);
    let invalid = errors.get(name).is_some();
    html! {
        div class=(if invalid { "field invalid" } else { "field" }) {
            label for=(id) { (label) @if required { span.req aria-hidden="true" { " *" } } }
            textarea id=(id) name=(name) rows="3" required[required]
                aria-invalid=[invalid.then_some("true")]
                aria-describedby=[invalid.then(|| error_id(name))] { (value) }
            (field_error(errors, name))
        }
    }
}

/// The hidden CSRF field every form carries.
pub fn csrf(ctx: &Ctx) -> Markup {
    html! { input type="hidden" name="csrf" value=(ctx.csrf); }
}

/// A form-level error (not tied to one field).
pub fn form_error(errors: &FieldErrors) -> Markup {
    html! {
        @if let Some(m) = errors.get("") {
            div.notice.error role="alert" { (m) }
        }
    }
}

/// What was typed, or a default when the form is shown the first time.
pub fn typed<'a>(fields: Option<&'a Fields>, name: &str, default: &'a str) -> &'a str {
    fields.map_or(default, |f| f.get(name))
}

/// Previous / next links of a paged list; `href(page)` builds a page's link.
pub fn pager(ctx: &Ctx, page: u32, per_page: u32, total: u64, href: impl Fn(u32) -> String) -> Markup {
    let pages = u32::try_from(total.div_ceil(u64::from(per_page.max(1)))).unwrap_or(u32::MAX).max(1);
    html! {
        nav.pager aria-label=(ctx.t("pager.label")) {
            @if page > 1 { a rel="prev" href=(href(page - 1)) { (ctx.t("pager.prev")) } }
            span { (ctx.tf("pager.of", &[("page", &page.to_string()), ("pages", &pages.to_string()), ("total", &total.to_string())])) }
            @if page < pages { a rel="next" href=(href(page + 1)) { (ctx.t("pager.next")) } }
        }
    }
}

/// A paged list's place as a view model holds it: the page, its size, the total, and the
/// link to which a page number is appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paging {
    /// The page shown, from 1.
    pub page: u32,
    /// Rows per page.
    pub per_page: u32,
    /// Rows in all.
    pub total: u64,
    /// The link without the page number (`/hall?page=`).
    pub link: String,
}

/// [`pager`] for a [`Paging`].
pub fn paging(ctx: &Ctx, p: &Paging) -> Markup {
    pager(ctx, p.page, p.per_page, p.total, |n| format!("{}{n}", p.link))
}

/// A success notice after a redirect (`?done=…`).
pub fn done_notice(ctx: &Ctx, done: Option<&str>) -> Markup {
    html! {
        @if let Some(d) = done.filter(|d| d.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')) {
            div.notice.ok role="status" { (ctx.t(&format!("done.{d}"))) }
        }
    }
}
