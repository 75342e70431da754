//! The case page's view model and its drawing: the head (state, item, applicant, owner,
//! due time and clock), the action forms with the authority held, the timeline, the
//! materials and files.

use maud::{Markup, html};
use tongban_core::case::{Case, CaseState};
use tongban_core::delegation::Delegations;
use tongban_core::identity::{Power, Role};
use tongban_core::item::{Channel, ServiceItem};

use super::actions::{ActionForm, Failed, action_form};
use super::documents::{DocRow, documents};
use super::timeline::{AuthorityShown, ChainView, TimelineEntry, chain, timeline};
use crate::app::{MaterialFile, MaterialRead, RecordedEvent};
use crate::web::ctx::Ctx;
use crate::web::view::{self, DueMark};

/// What the case page is drawn from, as loaded.
#[derive(Debug, Clone)]
pub struct CaseData {
    /// The case.
    pub case: Case,
    /// Its history.
    pub events: Vec<RecordedEvent>,
    /// Its files.
    pub files: Vec<MaterialFile>,
    /// Each time staff opened one of them.
    pub reads: Vec<MaterialRead>,
    /// The item in the version the case was submitted under.
    pub item: ServiceItem,
    /// Working minutes remaining on its clock (negative when overdue).
    pub remaining_minutes: Option<i64>,
    /// The grant book, for staff.
    pub delegations: Option<Delegations>,
    /// When the open hand-over offer runs out, if one is open.
    pub offer_expires: Option<jiff::Timestamp>,
    /// Staff names by login, so a grant chain reads with people's names (empty for
    /// applicants, and for viewers who may not read the staff list).
    pub names: std::collections::HashMap<String, String>,
    /// Its sealed documents.
    pub documents: Vec<crate::app::documents::DocumentSummary>,
    /// The notices it caused, oldest first.
    pub notices: Vec<crate::app::notify::NoticeView>,
}

/// A form-level notice on a refused action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Alert {
    /// A message not tied to one field.
    Message(String),
    /// The errors are beside the fields.
    SeeFields,
}

/// Working minutes remaining on the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Remaining {
    /// Minutes (negative when overdue).
    pub minutes: i64,
    /// Whether the case is overdue.
    pub overdue: bool,
}

/// The authority the viewer holds for the power their actions need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorityBox {
    /// The power.
    pub power: Power,
    /// The chain under which it is held; none when it is not.
    pub held: Option<ChainView>,
}

/// A file handed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRow {
    /// The material it is for.
    pub material: String,
    /// Its type.
    pub content_type: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, in hex.
    pub sha256: String,
    /// The first characters of the digest.
    pub sha_short: String,
    /// Where it opens.
    pub href: String,
}

/// One opening of a file by staff, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadRow {
    /// Who.
    pub who: String,
    /// Which material.
    pub material: String,
    /// When.
    pub at: jiff::Timestamp,
}

/// The case page.
#[derive(Debug, Clone)]
pub struct CasePage {
    /// The case number.
    pub number: String,
    /// Whether the viewer is staff (the way back is the workbench).
    pub staff: bool,
    /// The notice after a redirect.
    pub done: Option<String>,
    /// The notice on a refused action.
    pub alert: Option<Alert>,
    /// The state.
    pub state: CaseState,
    /// The item's code.
    pub item_code: String,
    /// The item's name.
    pub item_name: String,
    /// The applicant's name.
    pub applicant: String,
    /// The applicant's identity number, masked.
    pub applicant_id: String,
    /// Whether staff are shown that nobody checked the identity the case is in the name of.
    pub identity_unverified: bool,
    /// The channel it came through.
    pub channel: Channel,
    /// Who owns it.
    pub owner: String,
    /// Who it is offered to, when a hand-over is pending.
    pub offered_to: Option<String>,
    /// When the pending offer ran out untaken (转接超时), once it has.
    pub offer_expired: Option<jiff::Timestamp>,
    /// When it was submitted.
    pub submitted: jiff::Timestamp,
    /// When it is due.
    pub due: Option<DueMark>,
    /// The clock, while the case runs.
    pub remaining: Option<Remaining>,
    /// Materials asked for and not yet handed in.
    pub missing: Vec<String>,
    /// The applicant's rating, 1–5.
    pub rating: Option<u8>,
    /// The authority box over the actions, for staff who need a power.
    pub authority: Option<AuthorityBox>,
    /// The actions offered, in order.
    pub actions: Vec<ActionForm>,
    /// The history.
    pub timeline: Vec<TimelineEntry>,
    /// The materials handed in.
    pub materials: Vec<String>,
    /// The files handed in.
    pub files: Vec<FileRow>,
    /// Who on the staff opened them, oldest first.
    pub reads: Vec<ReadRow>,
    /// Its sealed documents, oldest first.
    pub documents: Vec<DocRow>,
    /// The notices it caused, oldest first, each shown under the event that caused it.
    pub notices: Vec<crate::app::notify::NoticeView>,
}

/// The power a role's actions on this page need, for showing the authority held.
fn power_shown(role: Role) -> Option<Power> {
    match role {
        Role::WindowClerk => Some(Power::Accept),
        Role::Reviewer => Some(Power::Review),
        Role::Approver | Role::DepartmentHead => Some(Power::Approve),
        _ => None,
    }
}

impl CasePage {
    /// The page of `data` for `ctx`'s viewer at `now`, with a refused action shown again.
    pub fn of(ctx: &Ctx, data: &CaseData, now: jiff::Timestamp, failed: Failed<'_>, done: Option<&str>) -> CasePage {
        let (case, item) = (&data.case, &data.item);
        let role = ctx.role();
        let me = ctx.principal.id();
        let authority = match (&data.delegations, power_shown(role)) {
            (Some(d), Some(power)) => {
                let held = d.authority(me, &item.department, &item.code, power, now);
                Some(AuthorityBox { power, held: held.map(|ids| ChainView::of(d, &ids).named(&data.names)) })
            }
            _ => None,
        };
        let alert = failed.and_then(|(_, _, e)| match e.get("") {
            Some(m) => Some(Alert::Message(m.to_owned())),
            None => (!e.is_empty()).then_some(Alert::SeeFields),
        });
        let actions = case
            .available(role, me, item.category)
            .into_iter()
            .enumerate()
            .map(|(n, kind)| ActionForm::of(case, item, kind, failed, failed.is_none() && n == 0))
            .collect();
        // Masked as everywhere but at a window (the API shows the same).
        let applicant = case.applicant.masked();
        CasePage {
            number: case.number.to_string(),
            staff: role != Role::Applicant,
            done: done.map(str::to_owned),
            alert,
            state: case.state,
            item_code: item.code.to_string(),
            item_name: item.name.clone(),
            applicant: applicant.name,
            applicant_id: applicant.id_number,
            identity_unverified: role.is_department_staff() && case.submitter.as_ref().is_some_and(|s| !s.verified),
            channel: case.channel,
            owner: case.owner.clone(),
            offered_to: case.pending_handover.clone(),
            offer_expired: data.offer_expires.filter(|t| *t < now),
            submitted: case.submitted_at,
            due: DueMark::of(case, &ctx.calendar),
            remaining: data
                .remaining_minutes
                .filter(|_| case.state.is_running())
                .map(|minutes| Remaining { minutes, overdue: minutes < 0 }),
            missing: case.pending_correction.clone(),
            rating: case.rating,
            authority,
            actions,
            timeline: TimelineEntry::all(&data.events, data.delegations.as_ref())
                .into_iter()
                .map(|mut e| {
                    e.authority = e.authority.map(|a| match a {
                        AuthorityShown::Chain(c) => AuthorityShown::Chain(c.named(&data.names)),
                        other => other,
                    });
                    e
                })
                .collect(),
            materials: case.materials.clone(),
            files: data
                .files
                .iter()
                .map(|f| FileRow {
                    material: f.material.clone(),
                    content_type: f.content_type.clone(),
                    size: f.size,
                    sha256: f.sha256.clone(),
                    sha_short: f.sha256.get(..12).unwrap_or("").to_owned(),
                    href: file_href(&data.case.number, f),
                })
                .collect(),
            reads: data
                .reads
                .iter()
                .map(|r| ReadRow { who: r.read_by.clone(), material: r.material.clone(), at: r.read_at })
                .collect(),
            documents: data.documents.iter().map(DocRow::of).collect(),
            notices: data.notices.clone(),
        }
    }
}

/// Where a file opens: the API's material route, which answers staff who may see the case
/// and the applicant (a session cookie suffices for a GET).
fn file_href(number: &tongban_core::case::CaseNumber, f: &MaterialFile) -> String {
    let material: String = form_urlencoded::byte_serialize(f.material.as_bytes()).collect();
    format!("/api/v1/cases/{number}/materials/{material}?sha256={}", f.sha256)
}

/// Draws the case page.
pub fn render(ctx: &Ctx, v: &CasePage) -> Markup {
    html! {
        nav.crumbs aria-label=(ctx.t("nav.crumbs")) {
            @if v.staff { a href="/workbench" { (ctx.t("nav.workbench")) } } @else { a href="/hall" { (ctx.t("nav.my_cases")) } }
            " › " span { (v.number) }
        }
        h1 { (ctx.t("case.title")) " " code { (v.number) } }
        (view::done_notice(ctx, v.done.as_deref()))
        @match &v.alert {
            Some(Alert::Message(m)) => { div.notice.error role="alert" { (m) } }
            Some(Alert::SeeFields) => { div.notice.error role="alert" { (ctx.t("err.see_fields")) } }
            None => {}
        }
        div.case-head {
            (view::state_badge(ctx, v.state))
            dl.facts {
                dt { (ctx.t("case.item")) } dd { a href=(format!("/items/{}", v.item_code)) { (v.item_name) } }
                dt { (ctx.t("case.applicant")) } dd {
                    (v.applicant) " (" (v.applicant_id) ")"
                    @if v.identity_unverified {
                        " " span.badge.late { (ctx.t("case.identity_unverified")) }
                    }
                }
                dt { (ctx.t("case.channel")) } dd { (ctx.t(&format!("channel.{}", v.channel.as_str()))) }
                dt { (ctx.t("case.owner")) } dd { (v.owner) @if let Some(to) = &v.offered_to { " → " (to) " (" (ctx.t("case.offered")) ")" @if let Some(at) = v.offer_expired { " " span.badge.expired { (ctx.tf("case.offer_expired", &[("at", &view::when(at))])) } } } }
                dt { (ctx.t("case.submitted")) } dd { (view::time(v.submitted)) }
                dt { (ctx.t("case.due")) } dd {
                    (view::due_mark(ctx, v.due, ctx.t("case.not_started")))
                }
                @if let Some(r) = v.remaining {
                    dt { (ctx.t("case.remaining")) }
                    dd class=(if r.overdue { "late" } else { "" }) {
                        @if r.overdue { (ctx.tf("case.overdue", &[("t", &view::minutes(ctx, r.minutes))])) } @else { (view::minutes(ctx, r.minutes)) }
                    }
                }
                @if !v.missing.is_empty() {
                    dt { (ctx.t("case.missing")) } dd { (v.missing.join(ctx.t("list.sep"))) }
                }
                @if let Some(r) = v.rating { dt { (ctx.t("case.rating")) } dd { (ctx.t(&format!("rating.{r}"))) } }
            }
        }
        div.case-grid {
            div {
                @if !v.actions.is_empty() {
                    section.actions-panel aria-label=(ctx.t("case.actions")) {
                        h2 { (ctx.t("case.actions")) }
                        @if let Some(a) = &v.authority {
                            div.authority-box {
                                h3 { (ctx.tf("authority.yours", &[("power", ctx.t(&format!("power.{}", a.power.as_str())))])) }
                                @match &a.held {
                                    Some(c) => (chain(ctx, c)),
                                    None => p.late { (ctx.t("authority.none")) },
                                }
                            }
                        }
                        @for a in &v.actions {
                            (action_form(ctx, a))
                        }
                    }
                }
                (documents(ctx, &v.documents))
                section {
                    h2 { (ctx.t("case.timeline")) }
                    (timeline(ctx, &v.timeline, &v.documents, &v.notices, v.staff))
                }
            }
            aside {
                h2 { (ctx.t("case.materials")) }
                ul { @for m in &v.materials { li { (m) } } }
                @if !v.files.is_empty() {
                    h2 { (ctx.t("case.files")) }
                    ul.files { @for f in &v.files {
                        li { a href=(f.href) { (f.material) } " · " (f.content_type) " · " (ctx.tf("case.bytes", &[("n", &f.size.to_string())])) br; code.sha title=(f.sha256) { (f.sha_short) "…" } }
                    h3 { (ctx.t("case.file_reads")) }
                    @if v.reads.is_empty() {
                        p.hint { (ctx.t("case.no_file_reads")) }
                    } @else {
                        ul.file-reads { @for r in &v.reads {
                            li { (ctx.tf("case.file_read", &[("who", &r.who), ("material", &r.material), ("at", &view::when(r.at))])) }
                        } }
                    }
                    } }
                }
            }
        }
    }
}
