//! The case page drawn from view models built by hand: no database, no request.

use tongban_core::case::{CaseCommandKind, CaseState};
use tongban_core::identity::Power;
use tongban_core::item::Channel;

use super::actions::{ActionForm, MaterialTick};
use super::detail::{Alert, AuthorityBox, CasePage, FileRow, ReadRow, Remaining, render};
use super::timeline::{ChainLink, ChainView};
use crate::web::ctx::Ctx;
use crate::web::form::{FieldErrors, Fields};
use crate::web::i18n::Lang;
use crate::web::view::DueMark;

fn form(kind: CaseCommandKind) -> ActionForm {
    ActionForm {
        kind,
        post: "/cases/FGW-2026-000001/act".into(),
        version: 3,
        key: None,
        primary: false,
        autofocus: false,
        typed: Fields::default(),
        errors: FieldErrors::default(),
        materials: Vec::new(),
        methods: Vec::new(),
        scores: Vec::new(),
    }
}

fn case_page(actions: Vec<ActionForm>) -> CasePage {
    CasePage {
        number: "FGW-2026-000001".into(),
        staff: true,
        done: None,
        alert: None,
        state: CaseState::Submitted,
        item_code: "FGW-001".into(),
        item_name: "Permit".into(),
        applicant: "Li".into(),
        applicant_id: "9135**********Y43".into(),
        identity_unverified: false,
        channel: Channel::Online,
        owner: "clerk".into(),
        offered_to: None,
        offer_expired: None,
        submitted: "2026-12-28T02:00:00Z".parse().expect("valid"),
        due: None,
        remaining: None,
        missing: Vec::new(),
        rating: None,
        authority: None,
        actions,
        timeline: Vec::new(),
        materials: vec!["Licence".into()],
        files: Vec::new(),
        reads: Vec::new(),
        documents: Vec::new(),
        notices: Vec::new(),
    }
}

/// The actions the page offers a form for.
fn offered(html: &str) -> Vec<&str> {
    html.split("name=\"action\" value=\"").skip(1).filter_map(|s| s.split('"').next()).collect()
}

#[test]
fn only_the_offered_commands_get_forms() {
    let ctx = Ctx::for_test(Lang::En);
    let model = case_page(vec![form(CaseCommandKind::Accept), form(CaseCommandKind::Reject)]);
    let html = render(&ctx, &model).into_string();
    assert_eq!(offered(&html), ["accept", "reject"]);
    assert!(html.contains("name=\"version\" value=\"3\""), "{html}");
    let html = render(&ctx, &case_page(Vec::new())).into_string();
    assert!(offered(&html).is_empty(), "{html}");
    assert!(!html.contains(Lang::En.t("case.actions")), "no actions panel: {html}");
}

#[test]
fn a_provisional_due_time_is_marked_and_an_overdue_clock_is_late() {
    let ctx = Ctx::for_test(Lang::Zh);
    let mut model = case_page(Vec::new());
    model.state = CaseState::Accepted;
    model.due = Some(DueMark { at: "2027-01-08T09:00:00Z".parse().expect("valid"), provisional: true });
    model.remaining = Some(Remaining { minutes: -90, overdue: true });
    let html = render(&ctx, &model).into_string();
    let due = html.split(Lang::Zh.t("case.due")).nth(1).expect("the due time");
    assert!(due.contains("2027-01-08 17:00"), "{html}");
    assert!(due.contains(Lang::Zh.t("case.provisional")), "{html}");
    assert!(html.contains("dd class=\"late\""), "{html}");
}

#[test]
fn a_refused_form_keeps_what_was_typed_and_says_where_the_errors_are() {
    let ctx = Ctx::for_test(Lang::En);
    let mut reject = form(CaseCommandKind::Reject);
    reject.typed = Fields(vec![("reason".into(), "typed before".into())]);
    reject.errors.add("reason", "too long");
    let mut model = case_page(vec![form(CaseCommandKind::Accept), reject]);
    model.alert = Some(Alert::SeeFields);
    let html = render(&ctx, &model).into_string();
    assert!(html.contains(">typed before</textarea>"), "{html}");
    assert!(html.contains(Lang::En.t("err.see_fields")), "{html}");
}

#[test]
fn a_resubmission_offers_a_file_for_each_material_asked_for() {
    let ctx = Ctx::for_test(Lang::En);
    let mut resubmit = form(CaseCommandKind::Resubmit);
    resubmit.materials = vec![MaterialTick { index: 2, name: "Plan".into(), ticked: true }];
    let html = render(&ctx, &case_page(vec![resubmit])).into_string();
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
    assert!(html.contains("name=\"materials\" value=\"Plan\" checked"), "{html}");
    assert!(html.contains("name=\"file.2\""), "{html}");
}

#[test]
fn staff_see_the_chain_they_hold_authority_under() {
    let ctx = Ctx::for_test(Lang::En);
    let mut model = case_page(vec![form(CaseCommandKind::Accept)]);
    model.authority = Some(AuthorityBox {
        power: Power::Accept,
        held: Some(ChainView::Grants(vec![ChainLink::Grant {
            grantor: "head".into(),
            grantee: "clerk".into(),
            powers: vec![Power::Accept],
            id: "g-1".into(),
            levels: tongban_core::delegation::Levels {
                grantor: Some(tongban_core::org::Position::Head),
                grantee: Some(tongban_core::org::Position::Staff),
            },
        }])),
    });
    model.files = vec![FileRow {
        material: "Licence".into(),
        content_type: "application/pdf".into(),
        size: 10,
        sha256: "0123456789abcdef".into(),
        sha_short: "0123456789ab".into(),
        href: "/api/v1/cases/FGW-2026-000001/materials/Licence?sha256=0123456789abcdef".into(),
    }];
    model.reads = vec![ReadRow {
        who: "clerk".into(),
        material: "Licence".into(),
        at: "2026-12-28T02:00:00Z".parse().expect("valid"),
    }];
    let html = render(&ctx, &model).into_string();
    assert!(
        html.contains("href=\"/api/v1/cases/FGW-2026-000001/materials/Licence?sha256=0123456789abcdef\""),
        "{html}"
    );
    assert!(html.contains("clerk opened “Licence” at"), "the applicant sees who opened the file: {html}");
    assert!(
        html.contains("<span class=\"level\">Head</span> <span class=\"party\">head</span> → <span class=\"level\">Staff</span> <span class=\"party\">clerk</span>"),
        "{html}"
    );
    assert!(html.contains("<code>g-1</code>"), "{html}");
    assert!(html.contains("0123456789ab…"), "{html}");
    model.authority = Some(AuthorityBox { power: Power::Accept, held: None });
    let html = render(&ctx, &model).into_string();
    assert!(html.contains(Lang::En.t("authority.none")), "{html}");
}

#[test]
fn a_decisions_chain_reads_level_by_level_with_peoples_names() {
    use std::collections::HashMap;
    use tongban_core::delegation::Levels;
    use tongban_core::org::Position;
    let link = |id: &str, from: (&str, Position), to: (&str, Position)| ChainLink::Grant {
        grantor: from.0.into(),
        grantee: to.0.into(),
        powers: vec![Power::Approve],
        id: id.into(),
        levels: Levels { grantor: Some(from.1), grantee: Some(to.1) },
    };
    let chain_view = ChainView::Grants(vec![
        link("g1", ("fgw.zhang", Position::Head), ("fgw.li", Position::Deputy)),
        link("g2", ("fgw.li", Position::Deputy), ("fgw.wang", Position::Chief)),
    ]);
    let names: HashMap<String, String> =
        [("fgw.zhang", "Zhang San"), ("fgw.li", "Li Si")].map(|(l, n)| (l.to_owned(), n.to_owned())).into();
    let html = super::timeline::chain(&Ctx::for_test(Lang::En), &chain_view.named(&names)).into_string();
    assert!(
        html.contains(r#"<span class="level">Head</span> <span class="party">Zhang San fgw.zhang</span> → <span class="level">Deputy in charge</span> <span class="party">Li Si fgw.li</span>"#),
        "{html}"
    );
    assert!(html.contains(r#"<span class="party">fgw.wang</span>"#), "a login without a name stays as it is: {html}");
}
