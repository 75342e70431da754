//! `/admin/notices` — delivery per channel (a bar chart of the share delivered, and the
//! figures in a table), a banner for each channel that keeps failing, and the failed
//! notices with retry and cancel buttons (administrators; supervisors read the figures).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{Markup, html};
use tongban_core::identity::Role;

use super::{DoneQuery, channel_name, done_notice, state_badge};
use crate::AppState;
use crate::app::AppError;
use crate::app::notify::{self, ChannelStats, NoticeView};
use crate::web::chart::{self, HBar};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::Posted;
use crate::web::hall::see_other;
use crate::web::layout::page;
use crate::web::view;

/// The delivery page.
#[derive(Debug, Clone, Default)]
pub struct DeliveryView {
    /// The notice after a redirect.
    pub done: Option<String>,
    /// Figures per channel.
    pub stats: Vec<ChannelStats>,
    /// Failed notices, newest first; none when the viewer may not manage them.
    pub failed: Option<Vec<NoticeView>>,
}

/// The share of a channel's settled notices that reached the provider or the person
/// (sent or delivered), 0–1; none when nothing has settled.
fn reached(s: &ChannelStats) -> Option<f64> {
    let settled = s.sent + s.delivered + s.failed;
    (settled > 0).then(|| (s.sent + s.delivered) as f64 / settled as f64)
}

/// The chart's bars: one per channel, its length the share reached.
fn bars(ctx: &Ctx, stats: &[ChannelStats]) -> Vec<HBar> {
    stats
        .iter()
        .map(|s| {
            let share = reached(s);
            HBar {
                label: channel_name(ctx, s.channel).to_owned(),
                share: share.unwrap_or(0.0),
                text: share.map_or_else(|| "–".to_owned(), |r| format!("{:.1}%", r * 100.0)),
                tone: share.map(|r| {
                    if r >= 0.95 {
                        "good"
                    } else if r >= 0.8 {
                        "fair"
                    } else {
                        "poor"
                    }
                }),
            }
        })
        .collect()
}

/// Draws the page.
pub fn render(ctx: &Ctx, v: &DeliveryView) -> Markup {
    html! {
        h1 { (ctx.t("notices.admin_title")) }
        @if ctx.role() == Role::Administrator || ctx.role() == Role::CenterLeader { (crate::web::admin::section_tabs(ctx)) }
        (done_notice(ctx, v.done.as_deref()))
        @for s in v.stats.iter().filter(|s| s.failing) {
            div.notice.error role="alert" { (ctx.tf("notices.failing_banner", &[("channel", channel_name(ctx, s.channel))])) }
        }
        p.lead { (ctx.t("notices.admin_lead")) }
        section aria-labelledby="h-stats" {
            h2 id="h-stats" { (ctx.t("notices.stats_title")) }
            (chart::hbars("delivery", ctx.t("notices.chart_title"), ctx.t("notices.chart_desc"), &bars(ctx, &v.stats)))
            div.table-wrap {
                table {
                    thead { tr {
                        th scope="col" { (ctx.t("notices.col_channel")) }
                        th scope="col" { (ctx.t("notices.state.queued")) }
                        th scope="col" { (ctx.t("notices.state.sent")) }
                        th scope="col" { (ctx.t("notices.state.delivered")) }
                        th scope="col" { (ctx.t("notices.state.failed")) }
                        th scope="col" { (ctx.t("notices.state.cancelled")) }
                    } }
                    tbody {
                        @for s in &v.stats {
                            tr class=(if s.failing { "late" } else { "" }) {
                                th scope="row" { (channel_name(ctx, s.channel)) }
                                td { (s.queued) } td { (s.sent) } td { (s.delivered) }
                                td { (s.failed) } td { (s.cancelled) }
                            }
                        }
                    }
                }
            }
        }
        @if let Some(failed) = &v.failed {
            section aria-labelledby="h-failed" {
                h2 id="h-failed" { (ctx.t("notices.failed_title")) }
                @if failed.is_empty() {
                    p { (ctx.t("notices.failed_none")) }
                } @else {
                    div.table-wrap {
                        table.failed-notices {
                            thead { tr {
                                th scope="col" { (ctx.t("notices.col_created")) }
                                th scope="col" { (ctx.t("notices.col_case")) }
                                th scope="col" { (ctx.t("notices.col_recipient")) }
                                th scope="col" { (ctx.t("notices.col_channel")) }
                                th scope="col" { (ctx.t("notices.col_subject")) }
                                th scope="col" { (ctx.t("notices.col_reason")) }
                                th scope="col" { (ctx.t("notices.col_attempts")) }
                                th scope="col" { span.sr-only { (ctx.t("notices.col_actions")) } }
                            } }
                            tbody {
                                @for n in failed {
                                    tr id=(format!("n-{}", n.id)) {
                                        td { (view::time(n.created_at)) }
                                        td { @if let Some(c) = &n.case_number { a href=(format!("/cases/{c}")) { (c) } } }
                                        td { (n.recipient) }
                                        td { (channel_name(ctx, n.channel)) " " (state_badge(ctx, n.state)) }
                                        td { (n.subject) }
                                        td { (n.reason.as_deref().unwrap_or("")) }
                                        td { (n.attempts) }
                                        td {
                                            form.inline method="post" action=(format!("/admin/notices/{}/retry", n.id)) {
                                                (view::csrf(ctx))
                                                button type="submit" { (ctx.t("notices.retry")) }
                                            }
                                            " "
                                            form.inline method="post" action=(format!("/admin/notices/{}/cancel", n.id)) {
                                                (view::csrf(ctx))
                                                button type="submit" { (ctx.t("notices.cancel")) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /admin/notices`.
pub async fn notices_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    ctx.principal.require().map_err(|e| ctx.fail(e))?;
    let stats = notify::delivery_stats(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    // Those who read the figures but may not manage notices see no failed list.
    let failed = match notify::failed_notices(&state, &ctx.principal).await {
        Ok(list) => Some(list),
        Err(AppError::Forbidden(_)) => None,
        Err(e) => return Err(ctx.fail(e)),
    };
    let model = DeliveryView { done: q.done, stats, failed };
    Ok(page(&ctx, ctx.t("notices.admin_title"), render(&ctx, &model)))
}

/// The id of a notice in a path.
fn notice_id(ctx: &Ctx, id: &str) -> Result<i64, WebError> {
    id.parse().map_err(|_| ctx.fail(AppError::NotFound(format!("notice {id:?} does not exist"))))
}

/// `POST /admin/notices/{id}/retry`.
pub async fn retry(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let ctx = posted.ctx;
    ctx.principal.require().map_err(|e| ctx.fail(e))?;
    let id = notice_id(&ctx, &id)?;
    notify::retry_notice(&state, &ctx.principal, id).await.map_err(|e| ctx.fail(e))?;
    Ok(see_other(&ctx, "/admin/notices?done=retried"))
}

/// `POST /admin/notices/{id}/cancel`.
pub async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let ctx = posted.ctx;
    ctx.principal.require().map_err(|e| ctx.fail(e))?;
    let id = notice_id(&ctx, &id)?;
    notify::cancel_notice(&state, &ctx.principal, id).await.map_err(|e| ctx.fail(e))?;
    Ok(see_other(&ctx, "/admin/notices?done=cancelled"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;
    use tongban_core::notice::{Channel, NoticeState};

    fn stats(channel: Channel, delivered: u64, failed: u64, failing: bool) -> ChannelStats {
        ChannelStats { channel, queued: 1, sent: 0, delivered, failed, cancelled: 0, failing }
    }

    fn failed_notice() -> NoticeView {
        NoticeView {
            id: 7,
            case_number: Some("620100-2026-000001".into()),
            recipient: "applicant".into(),
            channel: Channel::Sms,
            event: "correction_requested".into(),
            state: NoticeState::Failed,
            reason: Some("isv.MOBILE_NUMBER_ILLEGAL".into()),
            subject: "subject".into(),
            attempts: 1,
            created_at: "2026-03-02T02:00:00Z".parse().expect("valid"),
            sent_at: None,
            delivered_at: None,
        }
    }

    #[test]
    fn a_failing_channel_has_a_banner_and_each_failed_notice_its_buttons() {
        let ctx = Ctx::for_test_as(Lang::En, Role::Administrator);
        let v = DeliveryView {
            done: None,
            stats: vec![stats(Channel::Email, 9, 1, false), stats(Channel::Sms, 0, 5, true)],
            failed: Some(vec![failed_notice()]),
        };
        let html = render(&ctx, &v).into_string();
        assert_eq!(html.matches("role=\"alert\"").count(), 1, "{html}");
        assert!(html.contains(channel_name(&ctx, Channel::Sms)), "{html}");
        assert!(
            html.contains("action=\"/admin/notices/7/retry\"") && html.contains("action=\"/admin/notices/7/cancel\"")
        );
        assert!(html.contains("isv.MOBILE_NUMBER_ILLEGAL"), "{html}");
        assert!(html.contains("<svg") && html.contains("90.0%") && html.contains("class=\"bar poor\""), "{html}");
    }

    #[test]
    fn a_reader_of_the_figures_sees_no_buttons() {
        let ctx = Ctx::for_test_as(Lang::Zh, Role::Supervisor);
        let v = DeliveryView { done: None, stats: vec![stats(Channel::Inbox, 3, 0, false)], failed: None };
        let html = render(&ctx, &v).into_string();
        assert!(!html.contains("<form"), "{html}");
    }
}
