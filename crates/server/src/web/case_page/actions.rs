//! The action forms of the case page: one per command the viewer is offered in the case's
//! state, each posting to `/cases/{number}/act`; a refused one comes back with what was
//! typed and its errors.

use maud::{Markup, html};
use tongban_core::case::{Case, CaseCommandKind, DeliveryMethod};
use tongban_core::item::ServiceItem;

use crate::web::ctx::Ctx;
use crate::web::form::{FieldErrors, Fields};
use crate::web::view::{self, Input};

/// A refused action being shown again: its name, what was typed, the errors.
pub type Failed<'a> = Option<(&'a str, &'a Fields, &'a FieldErrors)>;

/// A material to tick on an action form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaterialTick {
    /// Its position among the item's materials (file field `file.N`).
    pub index: usize,
    /// Its name.
    pub name: String,
    /// Whether it is ticked.
    pub ticked: bool,
}

/// One action form.
#[derive(Debug, Clone)]
pub struct ActionForm {
    /// The command.
    pub kind: CaseCommandKind,
    /// Where it posts.
    pub post: String,
    /// The case version it was shown for (a stale form is refused).
    pub version: u32,
    /// The access key, if any.
    pub key: Option<&'static str>,
    /// Whether its button is the primary one.
    pub primary: bool,
    /// Whether its button takes the focus.
    pub autofocus: bool,
    /// What was typed, when this form was refused.
    pub typed: Fields,
    /// What was wrong, when this form was refused.
    pub errors: FieldErrors,
    /// The materials to tick: all of the item's for a correction request, those asked for
    /// a resubmission.
    pub materials: Vec<MaterialTick>,
    /// Delivery methods and whether each is selected.
    pub methods: Vec<(&'static str, bool)>,
    /// Scores, best first, and whether each is checked.
    pub scores: Vec<(u8, bool)>,
}

/// A command's access key, and whether its button is the primary one.
fn key_of(kind: CaseCommandKind) -> (Option<&'static str>, bool) {
    use CaseCommandKind as K;
    match kind {
        K::Accept => (Some("a"), true),
        K::RequestCorrection => (Some("c"), false),
        K::Reject => (Some("r"), false),
        K::Approve => (Some("p"), true),
        K::Deny => (Some("d"), false),
        K::Deliver => (Some("v"), true),
        K::HandOver => (Some("h"), false),
        K::Resubmit | K::Rate => (Some("s"), true),
        _ => (None, false),
    }
}

impl ActionForm {
    /// The form of `kind` on `case`; `first` takes the focus.
    pub fn of(case: &Case, item: &ServiceItem, kind: CaseCommandKind, failed: Failed<'_>, first: bool) -> ActionForm {
        use CaseCommandKind as K;
        let mine = failed.filter(|(a, _, _)| *a == kind.as_str());
        let typed = mine.map_or_else(Fields::default, |(_, f, _)| f.clone());
        let errors = mine.map_or_else(FieldErrors::default, |(_, _, e)| e.clone());
        let tick = |field: &str, index: usize, name: &str| MaterialTick {
            index,
            name: name.to_owned(),
            ticked: typed.has(field, name),
        };
        let materials = match kind {
            K::RequestCorrection => {
                item.materials.iter().enumerate().map(|(n, m)| tick("missing", n, &m.name)).collect()
            }
            K::Resubmit => item
                .materials
                .iter()
                .enumerate()
                .filter(|(_, m)| case.pending_correction.contains(&m.name))
                .map(|(n, m)| tick("materials", n, &m.name))
                .collect(),
            _ => Vec::new(),
        };
        let methods = match kind {
            K::Deliver => DeliveryMethod::NAMES.iter().map(|m| (*m, typed.get("method") == *m)).collect(),
            _ => Vec::new(),
        };
        let scores = match kind {
            K::Rate => (1..=5u8).rev().map(|s| (s, typed.get("score") == s.to_string())).collect(),
            _ => Vec::new(),
        };
        let (key, primary) = key_of(kind);
        ActionForm {
            kind,
            post: format!("/cases/{}/act", case.number),
            version: case.version,
            key,
            primary,
            autofocus: first,
            typed,
            errors,
            materials,
            methods,
            scores,
        }
    }
}

/// Draws one action form.
pub fn action_form(ctx: &Ctx, f: &ActionForm) -> Markup {
    use CaseCommandKind as K;
    let action = f.kind.as_str();
    let errors = &f.errors;
    let typed = |name: &str| f.typed.get(name);
    let title = ctx.t(&format!("action.{action}"));
    let button = html! {
        button class=(if f.primary { "primary" } else { "" }) type="submit" accesskey=[f.key] autofocus[f.autofocus] {
            (title)
            @if let Some(key) = f.key { span.key aria-hidden="true" { " [" (key.to_uppercase()) "]" } }
        }
    };
    let multipart = f.kind == K::Resubmit;
    html! {
        section.action id=(format!("act-{action}")) aria-labelledby=(format!("h-{action}")) {
            h3 id=(format!("h-{action}")) { (title) }
            form.stack method="post" action=(f.post) enctype=[multipart.then_some("multipart/form-data")] novalidate {
                (view::csrf(ctx))
                input type="hidden" name="action" value=(action);
                input type="hidden" name="version" value=(f.version);
                @match f.kind {
                    K::Reject | K::Suspend | K::Return | K::Reopen => {
                        (view::textarea(ctx.t("field.reason"), "reason", typed("reason"), errors, true, action))
                    }
                    K::RequestCorrection => {
                        fieldset class=(if errors.get("missing").is_some() { "field invalid" } else { "field" }) {
                            legend { (ctx.t("field.missing")) }
                            @for m in &f.materials {
                                label.choice { input type="checkbox" name="missing" value=(m.name) checked[m.ticked]; " " (m.name) }
                            }
                            (view::field_error(errors, "missing"))
                        }
                        (view::textarea(ctx.t("field.note"), "note", typed("note"), errors, false, action))
                    }
                    K::Resubmit => {
                        fieldset class=(if errors.get("materials").is_some() { "field invalid" } else { "field" }) {
                            legend { (ctx.t("field.materials")) }
                            @for m in &f.materials {
                                div.material {
                                    label.choice { input type="checkbox" name="materials" value=(m.name) checked[m.ticked]; " " (m.name) }
                                    @let file = format!("file.{}", m.index);
                                    div.field.file {
                                        label for=(format!("f-file-{}", m.index)) { (ctx.tf("apply.file_for", &[("material", &m.name)])) }
                                        input id=(format!("f-file-{}", m.index)) type="file" name=(file) accept="application/pdf,image/jpeg,image/png";
                                        (view::field_error(errors, &file))
                                    }
                                }
                            }
                            (view::field_error(errors, "materials"))
                        }
                    }
                    K::CompleteStep => {
                        (view::input(ctx.t("field.step"), "step", typed("step"), errors, Input { required: true, scope: action, ..Input::default() }))
                        (view::textarea(ctx.t("field.note"), "note", typed("note"), errors, false, action))
                    }
                    K::Approve => {
                        (view::textarea(ctx.t("field.note"), "note", typed("note"), errors, false, action))
                    }
                    K::Deny => {
                        (view::textarea(ctx.t("field.reason"), "reason", typed("reason"), errors, true, action))
                        (view::input(ctx.t("field.legal_basis"), "legal_basis", typed("legal_basis"), errors, Input { required: true, scope: action, ..Input::default() }))
                    }
                    K::Deliver => {
                        div class=(if errors.get("method").is_some() { "field invalid" } else { "field" }) {
                            label for="f-method" { (ctx.t("field.method")) }
                            select id="f-method" name="method" {
                                @for (m, selected) in &f.methods {
                                    option value=(m) selected[*selected] { (ctx.t(&format!("delivery.{m}"))) }
                                }
                            }
                            (view::field_error(errors, "method"))
                        }
                        // Shown for a mail delivery only where the browser can tell (app.css);
                        // without that it stays, and the server ignores it for other methods.
                        div.mail-only {
                            (view::input(ctx.t("delivery.tracking_number"), "tracking_number", typed("tracking_number"), errors, Input { hint: Some(ctx.t("delivery.tracking_hint")), scope: action, autocomplete: Some("off"), ..Input::default() }))
                            (view::input(ctx.t("delivery.carrier"), "carrier", typed("carrier"), errors, Input { scope: action, ..Input::default() }))
                        }
                    }
                    K::HandOver | K::Reassign => {
                        (view::input(ctx.t("field.to"), "to", typed("to"), errors, Input { required: true, hint: Some(ctx.t("field.to_hint")), scope: action, ..Input::default() }))
                    }
                    K::Rate => {
                        fieldset class=(if errors.get("score").is_some() { "field invalid rating" } else { "field rating" }) {
                            legend { (ctx.t("field.score")) }
                            @for (s, checked) in &f.scores {
                                label.choice { input type="radio" name="score" value=(s) checked[*checked]; " " (ctx.t(&format!("rating.{s}"))) }
                            }
                            (view::field_error(errors, "score"))
                        }
                        (view::textarea(ctx.t("field.comment"), "comment", typed("comment"), errors, false, action))
                    }
                    K::AnswerRating => {
                        (view::textarea(ctx.t("field.answer"), "answer", typed("answer"), errors, true, action))
                    }
                    K::Accept | K::Resume | K::TakeOver | K::WithdrawHandOver => {}
                }
                (button)
            }
        }
    }
}
