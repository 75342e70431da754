//! `/admin/org` — departments and windows.

use axum::extract::State;
use axum::response::Response;
use maud::html;

use super::{access, read_only_note, section_tabs};
use crate::AppState;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::layout::page;
use crate::web::portal::department_name;

/// `GET /admin/org` — departments and windows.
pub async fn org(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let may_change = access(&ctx, false)?;
    let departments = crate::app::public::departments(&state).await.map_err(|e| ctx.fail(e))?;
    let windows = crate::app::public::windows(&state).await.map_err(|e| ctx.fail(e))?;
    let staff = crate::app::org::staff_directory(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let names: Vec<(String, String)> = departments.iter().map(|(c, n, _)| (c.clone(), n.clone())).collect();
    let body = html! {
        h1 { (ctx.t("admin.org_title")) }
        (section_tabs(&ctx))
        (read_only_note(&ctx, may_change))
        p.hint { (ctx.t("admin.org_hint")) }
        h2 { (ctx.t("admin.departments")) " " span.count { "(" (departments.len()) ")" } }
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
                    @for (code, name, division) in &departments {
                        tr {
                            td { code { (code) } }
                            td { (name) }
                            td { code { (division) } }
                            td { (windows.iter().filter(|w| w.2.as_deref() == Some(code.as_str())).count()) }
                            td { (staff.iter().filter(|s| &s.2 == code).count()) }
                        }
                    }
                }
            }
        }
        h2 { (ctx.t("admin.windows")) " " span.count { "(" (windows.len()) ")" } }
        div.table-wrap {
            table {
                thead { tr {
                    th scope="col" { (ctx.t("admin.code")) }
                    th scope="col" { (ctx.t("admin.name")) }
                    th scope="col" { (ctx.t("item.department")) }
                    th scope="col" { (ctx.t("admin.people")) }
                } }
                tbody {
                    @for (code, name, department) in &windows {
                        tr {
                            td { code { (code) } }
                            td { (name) }
                            td { @match department { Some(d) => (department_name(&names, d)), None => (ctx.t("admin.comprehensive")) } }
                            td { (staff.iter().filter(|s| s.3.as_deref() == Some(code.as_str())).count()) }
                        }
                    }
                }
            }
        }
    };
    Ok(page(&ctx, ctx.t("admin.org_title"), body))
}
