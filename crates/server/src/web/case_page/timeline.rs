//! A case's timeline, and grant chains: who gave whom which powers, as the case page and
//! the approver inbox show them.

use maud::{Markup, html};
use tongban_core::case::CaseEvent;
use tongban_core::delegation::{Delegations, Levels};
use tongban_core::identity::Power;

use super::documents::{DocRow, event_documents};
use crate::app::RecordedEvent;
use crate::app::notify::NoticeView;
use crate::web::ctx::Ctx;
use crate::web::view;

/// A grant chain as shown: held by office, or the grants root first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainView {
    /// Held by office (no grant needed).
    ByOffice,
    /// The grants, root first.
    Grants(Vec<ChainLink>),
}

/// One link of a grant chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainLink {
    /// A known grant.
    Grant {
        /// Who gave.
        grantor: String,
        /// Who received.
        grantee: String,
        /// The powers given.
        powers: Vec<Power>,
        /// The grant's id.
        id: String,
        /// Where grantor and grantee stood in the chain when it was given.
        levels: Levels,
    },
    /// A grant id no longer in the book.
    Unknown(String),
}

impl ChainView {
    /// The chain of grants `ids` (root first), looked up in `delegations`.
    pub fn of(delegations: &Delegations, ids: &[String]) -> ChainView {
        if ids.is_empty() {
            return ChainView::ByOffice;
        }
        let link = |id: &String| match delegations.grant(id) {
            Some(g) => ChainLink::Grant {
                grantor: g.grantor.clone(),
                grantee: g.grantee.clone(),
                powers: g.powers.iter().copied().collect(),
                id: g.id.clone(),
                levels: g.levels,
            },
            None => ChainLink::Unknown(id.clone()),
        };
        ChainView::Grants(ids.iter().map(link).collect())
    }
}

impl ChainView {
    /// The same chain with each party's name before their login where `names` knows it
    /// ("张三 fgw.zhangsan"), so it reads as people, level by level.
    pub fn named(self, names: &std::collections::HashMap<String, String>) -> ChainView {
        let name = |login: String| match names.get(&login).filter(|n| **n != login) {
            Some(n) => format!("{n} {login}"),
            None => login,
        };
        match self {
            ChainView::ByOffice => ChainView::ByOffice,
            ChainView::Grants(links) => ChainView::Grants(
                links
                    .into_iter()
                    .map(|l| match l {
                        ChainLink::Grant { grantor, grantee, powers, id, levels } => {
                            ChainLink::Grant { grantor: name(grantor), grantee: name(grantee), powers, id, levels }
                        }
                        unknown => unknown,
                    })
                    .collect(),
            ),
        }
    }
}

/// Powers in words, joined.
pub fn powers(ctx: &Ctx, powers: &[Power]) -> String {
    powers
        .iter()
        .map(|p| ctx.t(&format!("power.{}", p.as_str())).to_owned())
        .collect::<Vec<_>>()
        .join(ctx.t("list.sep"))
}

/// A party's level in the chain (主要领导, 分管领导 …) before their name; nothing when unknown.
fn level(ctx: &Ctx, level: Option<tongban_core::org::Position>) -> Markup {
    html! {
        @if let Some(p) = level {
            span.level { (ctx.t(&format!("position.{}", p.as_str()))) } " "
        }
    }
}

/// Draws a grant chain.
pub fn chain(ctx: &Ctx, c: &ChainView) -> Markup {
    html! {
        @match c {
            ChainView::ByOffice => { p.chain { (ctx.t("authority.by_office")) } }
            ChainView::Grants(links) => {
                ol.chain {
                    @for link in links {
                        li {
                            @match link {
                                ChainLink::Grant { grantor, grantee, powers: p, id, levels } => {
                                    (level(ctx, levels.grantor)) span.party { (grantor) } " → "
                                    (level(ctx, levels.grantee)) span.party { (grantee) } " "
                                    span.powers { (powers(ctx, p)) }
                                    " " code { (id) }
                                }
                                ChainLink::Unknown(id) => { code { (id) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The authority a decision was taken under, as the timeline shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorityShown {
    /// The chain, for staff (who see the grant book).
    Chain(ChainView),
    /// Taken by office, for others.
    ByOffice,
    /// The grant ids joined, for others.
    Ids(String),
}

impl AuthorityShown {
    /// How `ids` are shown: as a chain when the grant book is at hand.
    pub fn of(delegations: Option<&Delegations>, ids: &[String]) -> AuthorityShown {
        match delegations {
            Some(d) => AuthorityShown::Chain(ChainView::of(d, ids)),
            None if ids.is_empty() => AuthorityShown::ByOffice,
            None => AuthorityShown::Ids(ids.join(" → ")),
        }
    }
}

/// One event of a case's timeline.
#[derive(Debug, Clone)]
pub struct TimelineEntry {
    /// Its 1-based position in the case's history.
    pub seq: u32,
    /// When.
    pub at: jiff::Timestamp,
    /// The event's machine name.
    pub kind: &'static str,
    /// Who caused it.
    pub actor: String,
    /// What happened.
    pub event: CaseEvent,
    /// The authority the decision was taken under; none when no delegated power was needed.
    pub authority: Option<AuthorityShown>,
}

impl TimelineEntry {
    /// The entries of `events`, their authority shown through `delegations` when at hand.
    pub fn all(events: &[RecordedEvent], delegations: Option<&Delegations>) -> Vec<TimelineEntry> {
        events
            .iter()
            .map(|e| TimelineEntry {
                seq: e.seq,
                at: e.at,
                kind: e.event.kind(),
                actor: e.actor.clone(),
                event: e.event.clone(),
                authority: e.authority.as_deref().map(|ids| AuthorityShown::of(delegations, ids)),
            })
            .collect()
    }
}

/// A value's message under `prefix` when there is one, else the value.
fn label_or_raw(ctx: &Ctx, prefix: &str, value: &str) -> String {
    ctx.lang.get(&format!("{prefix}.{value}")).map_or_else(|| value.to_owned(), str::to_owned)
}

fn event_detail(ctx: &Ctx, e: &CaseEvent) -> Markup {
    let list = |l: &[String]| l.join(ctx.t("list.sep"));
    html! {
        @match e {
            CaseEvent::Submitted { submission, .. } => {
                (ctx.t(&format!("channel.{}", submission.channel.as_str()))) " · " (list(&submission.materials))
            }
            CaseEvent::Accepted { due_at, .. } => { (ctx.t("case.due")) ": " (view::time(*due_at)) }
            CaseEvent::Rejected { reason } | CaseEvent::Suspended { reason } => { (reason) }
            CaseEvent::CorrectionRequested { missing, note } => {
                (ctx.t("case.missing")) ": " (list(missing)) @if !note.is_empty() { br; (note) }
            }
            CaseEvent::Resubmitted { materials } => { (list(materials)) }
            CaseEvent::StepCompleted { step, note } => { (step) @if !note.is_empty() { " · " (note) } }
            CaseEvent::Resumed { due_at, .. } => { (ctx.t("case.due")) ": " (view::time(*due_at)) }
            CaseEvent::Approved { note } => { (note) }
            CaseEvent::Denied { reason, legal_basis } => { (reason) br; (ctx.t("case.legal_basis")) ": " (legal_basis) }
            CaseEvent::Delivered { method } => {
                (label_or_raw(ctx, "delivery", method.as_str()))
                @if let Some(t) = method.tracking_number() {
                    " · " (ctx.t("delivery.tracking_number")) " " span.tracking-number { (t) }
                    @if let Some(c) = method.carrier() { " (" (c) ")" }
                }
            }
            CaseEvent::HandOverOffered { from, to, .. } | CaseEvent::HandedOver { from, to } | CaseEvent::Reassigned { from, to } => {
                (from) " → " (to)
            }
            CaseEvent::HandOverWithdrawn { to } => { "→ " (to) }
            CaseEvent::Rated { score, comment, .. } => {
                (ctx.t(&format!("rating.{score}"))) @if !comment.is_empty() { " · " (comment) }
            }
            CaseEvent::RatingAnswered { answer } | CaseEvent::Returned { reason: answer } => { (answer) }
            CaseEvent::Reopened { reason, due_at, .. } => { (reason) br; (ctx.t("case.due")) ": " (view::time(*due_at)) }
            CaseEvent::DueRecomputed { previous, due_at, .. } => {
                (ctx.t("case.due")) ": " (view::time(*previous)) " → " (view::time(*due_at)) br; (ctx.t("case.due_recomputed_why"))
            }
        }
    }
}

/// The notices among `notices` that event `i` of `entries` caused: those written at or
/// after it and before the next (a notice is written in its event's transaction).
fn notices_of<'a>(entries: &[TimelineEntry], i: usize, notices: &'a [NoticeView]) -> Vec<&'a NoticeView> {
    let from = if i == 0 { None } else { entries.get(i).map(|e| e.at) };
    let until = entries.get(i + 1).map(|e| e.at);
    notices
        .iter()
        .filter(|n| from.is_none_or(|f| n.created_at >= f) && until.is_none_or(|u| n.created_at < u))
        .collect()
}

/// Draws a case's timeline, each event with the documents it caused among `docs` and the
/// notices among `notices` (for staff with channel, state and recipient; for the applicant
/// in plain words).
pub fn timeline(ctx: &Ctx, entries: &[TimelineEntry], docs: &[DocRow], notices: &[NoticeView], staff: bool) -> Markup {
    html! {
        ol.timeline {
            @for (i, e) in entries.iter().enumerate() {
                @let sent = notices_of(entries, i, notices);
                li {
                    div.when { (view::time(e.at)) }
                    div.what {
                        strong { (ctx.t(&format!("event.{}", e.kind))) }
                        " · " span.actor { (e.actor) }
                        div.detail { (event_detail(ctx, &e.event)) }
                        (event_documents(ctx, &docs.iter().filter(|d| d.event_seq == e.seq).collect::<Vec<_>>()))
                        @if !sent.is_empty() {
                            div.notices {
                                (ctx.t("notices.on_timeline")) ":"
                                ul.notice-lines { @for n in sent { (crate::web::notices::timeline_notice(ctx, n, staff)) } }
                            }
                        }
                        @if let Some(shown) = &e.authority {
                            div.authority {
                                (ctx.t("authority.under")) ": "
                                @match shown {
                                    AuthorityShown::Chain(c) => (chain(ctx, c)),
                                    AuthorityShown::ByOffice => (ctx.t("authority.by_office")),
                                    AuthorityShown::Ids(ids) => code { (ids) },
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
