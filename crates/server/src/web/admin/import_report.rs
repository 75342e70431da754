//! What an import did or would do, as the import page shows it: the counts per kind and
//! every row's effect for the organisation, the new version of the catalog or of each list,
//! and the activation codes of new staff.

use maud::{Markup, html};

use super::org_kind::CodeLine;
use crate::api::imports::ImportReport;
use crate::web::ctx::Ctx;
use crate::web::view;

/// One row of a report: its kind, key and what it does (`create`, `update`, `unchanged`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RowLine {
    /// The kind.
    pub kind: String,
    /// Its code or login.
    pub key: String,
    /// Its effect.
    pub effect: String,
}

/// What an import did or would do, as the page shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct ReportView {
    /// Per kind: (kind, created, updated, unchanged).
    pub counts: Vec<(String, u32, u32, u32)>,
    /// Every row.
    pub rows: Vec<RowLine>,
    /// A catalog's version (none on a dry run) and its number of items.
    pub catalog: Option<(Option<u32>, usize)>,
    /// Published lists: (kind, version — none on a dry run —, entries).
    pub lists: Vec<(String, Option<u32>, usize)>,
    /// Activation codes just issued.
    pub codes: Vec<CodeLine>,
}

impl ReportView {
    /// The report of an import.
    pub(super) fn of(report: &ImportReport) -> Self {
        match report {
            ImportReport::Catalog(c) => ReportView { catalog: Some((c.version, c.items)), ..ReportView::default() },
            ImportReport::Projects(p) => ReportView {
                counts: vec![("projects".to_owned(), p.created, p.updated, p.unchanged)],
                rows: p
                    .rows
                    .iter()
                    .map(|r| RowLine { kind: "projects".to_owned(), key: r.code.clone(), effect: r.effect.clone() })
                    .collect(),
                ..ReportView::default()
            },
            ImportReport::Lists(l) => ReportView {
                lists: l.lists.iter().map(|v| (v.kind.clone(), v.version, v.entries)).collect(),
                ..ReportView::default()
            },
            ImportReport::Org(o) => ReportView {
                counts: o.counts.iter().map(|(k, c)| (k.clone(), c.created, c.updated, c.unchanged)).collect(),
                rows: o
                    .rows
                    .iter()
                    .map(|r| RowLine {
                        kind: r.kind.as_str().to_owned(),
                        key: r.key.clone(),
                        effect: r.effect.as_str().to_owned(),
                    })
                    .collect(),
                catalog: None,
                lists: Vec::new(),
                codes: o
                    .activation_codes
                    .iter()
                    .map(|c| CodeLine {
                        login: c.login.clone(),
                        code: c.code.clone(),
                        until: c
                            .expires_at
                            .parse::<jiff::Timestamp>()
                            .map_or_else(|_| c.expires_at.clone(), view::when),
                    })
                    .collect(),
            },
        }
    }
}

pub(super) fn kind_label(ctx: &Ctx, kind: &str) -> &'static str {
    ctx.t(&format!("imports.kind.{kind}"))
}

/// The counts and rows of a report.
pub(super) fn report_tables(ctx: &Ctx, r: &ReportView) -> Markup {
    html! {
        @if let Some((version, items)) = r.catalog {
            p { (ctx.tf("imports.catalog_items", &[("n", &items.to_string())])) }
            @if let Some(v) = version { p { (ctx.tf("imports.catalog_version", &[("v", &v.to_string())])) } }
        }
        @if !r.lists.is_empty() {
            div.table-wrap {
                table.import-lists {
                    caption { (ctx.t("imports.lists")) }
                    thead { tr {
                        th scope="col" { (ctx.t("imports.kind_label")) }
                        th scope="col" { (ctx.t("imports.entries")) }
                        th scope="col" { (ctx.t("imports.version")) }
                    } }
                    tbody {
                        @for (kind, version, entries) in &r.lists {
                            tr {
                                td { (kind_label(ctx, kind)) }
                                td { (entries) }
                                td { @match version { Some(v) => (v), None => (ctx.t("imports.not_yet")) } }
                            }
                        }
                    }
                }
            }
        }
        @if !r.counts.is_empty() {
            div.table-wrap {
                table.import-counts {
                    caption { (ctx.t("imports.counts")) }
                    thead { tr {
                        th scope="col" { (ctx.t("imports.kind_label")) }
                        th scope="col" { (ctx.t("imports.effect.create")) }
                        th scope="col" { (ctx.t("imports.effect.update")) }
                        th scope="col" { (ctx.t("imports.effect.unchanged")) }
                    } }
                    tbody {
                        @for (kind, created, updated, unchanged) in &r.counts {
                            tr { td { (kind_label(ctx, kind)) } td { (created) } td { (updated) } td { (unchanged) } }
                        }
                    }
                }
            }
            div.table-wrap {
                table.import-rows {
                    caption { (ctx.t("imports.rows")) }
                    thead { tr {
                        th scope="col" { (ctx.t("imports.kind_label")) }
                        th scope="col" { (ctx.t("imports.key")) }
                        th scope="col" { (ctx.t("imports.effect_label")) }
                    } }
                    tbody {
                        @for row in &r.rows {
                            tr class=(format!("effect-{}", row.effect)) {
                                td { (kind_label(ctx, &row.kind)) }
                                td { code { (row.key) } }
                                td { (ctx.t(&format!("imports.effect.{}", row.effect))) }
                            }
                        }
                    }
                }
            }
        }
    }
}
