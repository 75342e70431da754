//! A case's sealed documents on its page: the list (number, kind, date, status, download
//! and verify links) and, in the timeline, each document's 文号 beside the event that
//! caused it.

use maud::{Markup, html};

use crate::api::documents::{day, pdf_url, verify_url};
use crate::app::documents::DocumentSummary;
use crate::web::ctx::Ctx;

/// One document as the case page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocRow {
    /// 文号.
    pub number: String,
    /// The kind, by its machine name.
    pub kind: String,
    /// The day issued.
    pub date: String,
    /// `valid`, `revoked` or `cancelled`.
    pub status: String,
    /// Where the PDF downloads.
    pub pdf_url: String,
    /// The public verification page.
    pub verify_url: String,
    /// The event of the case's history that caused it.
    pub event_seq: u32,
}

impl DocRow {
    /// The row of `d`.
    pub fn of(d: &DocumentSummary) -> Self {
        DocRow {
            number: d.number.clone(),
            kind: d.kind.as_str().to_owned(),
            date: day(d.issued_at),
            status: d.status.as_str().to_owned(),
            pdf_url: pdf_url(&d.case_number, &d.number),
            verify_url: verify_url(&d.number),
            event_seq: d.event_seq,
        }
    }
}

/// Draws the case's documents; nothing when it has none.
pub fn documents(ctx: &Ctx, rows: &[DocRow]) -> Markup {
    html! {
        @if !rows.is_empty() {
            section.documents aria-labelledby="h-documents" {
                h2 id="h-documents" { (ctx.t("doc.section")) }
                div.table-wrap {
                    table {
                        thead { tr {
                            th scope="col" { (ctx.t("doc.number")) }
                            th scope="col" { (ctx.t("doc.kind")) }
                            th scope="col" { (ctx.t("doc.date")) }
                            th scope="col" { (ctx.t("doc.status_label")) }
                            th scope="col" { span.sr-only { (ctx.t("doc.links")) } }
                        } }
                        tbody {
                            @for d in rows {
                                tr {
                                    td { code { (d.number) } }
                                    td { (ctx.t(&format!("doc.kind_name.{}", d.kind))) }
                                    td { (d.date) }
                                    td { (ctx.t(&format!("doc.status.{}", d.status))) }
                                    td {
                                        a href=(d.pdf_url) download { (ctx.t("doc.download")) }
                                        " · "
                                        a href=(d.verify_url) { (ctx.t("doc.verify")) }
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

/// The documents an event caused, as links to their PDFs, for the timeline.
pub fn event_documents(ctx: &Ctx, rows: &[&DocRow]) -> Markup {
    html! {
        @if !rows.is_empty() {
            div.documents {
                (ctx.t("doc.issued")) ": "
                @for (i, d) in rows.iter().enumerate() {
                    @if i > 0 { (ctx.t("list.sep")) }
                    a href=(d.pdf_url) download { (d.number) }
                }
            }
        }
    }
}
