//! `/admin/org` — the organisation at a glance: departments and windows with their head
//! counts; each kind has its own page ([`super::org_kind`]).

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use tongban_core::org::{Department, Staff, Window};

use super::{access, read_only_note, section_tabs};
use crate::AppState;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::layout::page;
use crate::web::portal::department_name;

/// What the organisation page shows.
#[derive(Debug, Clone, Default)]
pub(super) struct OrgView {
    /// Whether the viewer may change the organisation.
    pub may_change: bool,
    /// The departments, by code.
    pub departments: Vec<DepartmentLine>,
    /// The windows, by code.
    pub windows: Vec<WindowLine>,
}

/// A department's row.
#[derive(Debug, Clone)]
pub(super) struct DepartmentLine {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// The division it serves.
    pub division: String,
    /// Its windows.
    pub windows: usize,
    /// Its staff.
    pub people: usize,
}

/// A window's row.
#[derive(Debug, Clone)]
pub(super) struct WindowLine {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Its department's name; none for a comprehensive window.
    pub department: Option<String>,
    /// Staff sitting at it.
    pub people: usize,
}

/// The organisation page's model: each department and window with its head counts.
pub(super) fn view(departments: &[Department], windows: &[Window], staff: &[Staff], may_change: bool) -> OrgView {
    let names: Vec<(String, String)> = departments.iter().map(|d| (d.code.to_string(), d.name.clone())).collect();
    OrgView {
        may_change,
        departments: departments
            .iter()
            .map(|d| DepartmentLine {
                code: d.code.to_string(),
                name: d.name.clone(),
                division: d.division.to_string(),
                windows: windows.iter().filter(|w| w.department.as_ref() == Some(&d.code)).count(),
                people: staff.iter().filter(|s| s.department == d.code).count(),
            })
            .collect(),
        windows: windows
            .iter()
            .map(|w| WindowLine {
                code: w.code.to_string(),
                name: w.name.clone(),
                department: w.department.as_ref().map(|d| department_name(&names, d.as_str()).to_owned()),
                people: staff.iter().filter(|s| s.window.as_ref() == Some(&w.code)).count(),
            })
            .collect(),
    }
}

/// The organisation page's body.
pub(super) fn render(ctx: &Ctx, v: &OrgView) -> Markup {
    html! {
        h1 { (ctx.t("admin.org_title")) }
        (section_tabs(ctx))
        (super::org_kind::org_tabs(ctx))
        (read_only_note(ctx, v.may_change))
        p.hint { (ctx.t("admin.org_hint")) }
        h2 { (ctx.t("admin.departments")) " " span.count { "(" (v.departments.len()) ")" } }
        div.table-wrap {
            table {
                thead { tr {
                    th scope="col" { (ctx.t("admin.code")) }
                    th scope="col" { (ctx.t("admin.name")) }
                    th scope="col" { (ctx.t("admin.division")) }
                    th scope="col" { (ctx.t("admin.windows")) }
                    th scope="col" { (ctx.t("admin.people")) }
                } }
                tbody {
                    @for d in &v.departments {
                        tr {
                            td { code { (d.code) } }
                            td { (d.name) }
                            td { code { (d.division) } }
                            td { (d.windows) }
                            td { (d.people) }
                        }
                    }
                }
            }
        }
        h2 { (ctx.t("admin.windows")) " " span.count { "(" (v.windows.len()) ")" } }
        div.table-wrap {
            table {
                thead { tr {
                    th scope="col" { (ctx.t("admin.code")) }
                    th scope="col" { (ctx.t("admin.name")) }
                    th scope="col" { (ctx.t("item.department")) }
                    th scope="col" { (ctx.t("admin.people")) }
                } }
                tbody {
                    @for w in &v.windows {
                        tr {
                            td { code { (w.code) } }
                            td { (w.name) }
                            td { @match &w.department { Some(d) => (d), None => (ctx.t("admin.comprehensive")) } }
                            td { (w.people) }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /admin/org` — departments and windows.
pub async fn org(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let may_change = access(&ctx, false)?;
    let departments = crate::app::public::departments(&state).await.map_err(|e| ctx.fail(e))?;
    let windows = crate::app::public::windows(&state).await.map_err(|e| ctx.fail(e))?;
    let staff = crate::app::org::staff_directory(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let model = view(&departments, &windows, &staff, may_change);
    Ok(page(&ctx, ctx.t("admin.org_title"), render(&ctx, &model)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;
    use tongban_core::division::DivisionCode;
    use tongban_core::identity::Role;
    use tongban_core::org::{DepartmentCode, Position, StaffId, WindowCode};

    #[test]
    fn each_department_and_window_counts_its_windows_and_people() {
        let fgw = DepartmentCode::parse("fgw").expect("a code");
        let departments = [Department {
            code: fgw.clone(),
            name: "DRC".into(),
            division: DivisionCode::parse("620100").expect("a code"),
            site: None,
        }];
        let window = |code: &str, department: Option<&DepartmentCode>| Window {
            code: WindowCode::parse(code).expect("a code"),
            name: format!("window {code}"),
            department: department.cloned(),
            site: None,
        };
        let windows = [window("w1", Some(&fgw)), window("w0", None)];
        let staff = [Staff {
            id: StaffId::parse("wang.fang").expect("an id"),
            name: "Wang".into(),
            department: fgw.clone(),
            window: Some(WindowCode::parse("w1").expect("a code")),
            position: Position::Staff,
        }];
        let v = view(&departments, &windows, &staff, false);
        assert_eq!((v.departments[0].windows, v.departments[0].people), (1, 1));
        assert_eq!(v.windows[0].department.as_deref(), Some("DRC"));
        let html = render(&Ctx::for_test_as(Lang::En, Role::CenterLeader), &v).into_string();
        assert!(
            html.contains("<td><code>fgw</code></td><td>DRC</td><td><code>620100</code></td><td>1</td><td>1</td>"),
            "{html}"
        );
        assert!(
            html.contains(&format!(
                "<td><code>w0</code></td><td>window w0</td><td>{}</td><td>0</td>",
                Lang::En.t("admin.comprehensive")
            )),
            "{html}"
        );
        assert!(html.contains(r#"<p class="notice" role="note">"#), "a leader only reads: {html}");
    }
}
