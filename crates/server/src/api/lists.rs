//! The published lists (清单): `GET /api/v1/lists/{kind}` — 权责清单 (`powers`), 职责清单
//! (`duties`), 财政专项资金管理清单 (`funds`) and 便民服务事项 (`services`) — as JSON pages,
//! searchable, or downloaded whole as CSV or xlsx (the columns an import reads); and
//! `GET /api/v1/lists/{kind}/versions`. Public. (`GET /api/v1/lists` itself is the four
//! commitment-category lists of the catalog, 四办四清单, in `items.rs`.)

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tongban_core::lists::{Entry, ListKind, yuan};
use tongban_core::text;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use super::files::FileBytes;
use crate::AppState;
use crate::app::AppError;
use crate::app::lists::{ListQuery, ListVersion, Listed};
use crate::app::tables::Format;
use crate::auth::Principal;
use crate::extract::AppQuery;
use crate::problem::{ApiError, Problem};

/// The kind of a published list, as in its path.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ListKindName {
    /// 权责清单 — powers and responsibilities.
    Powers,
    /// 职责清单 — departments' duties.
    Duties,
    /// 财政专项资金管理清单 — special fiscal funds.
    Funds,
    /// 便民服务事项 — convenience services.
    Services,
}

/// How to answer: a JSON page, or the whole list as a file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ListFormat {
    /// A page of entries as JSON.
    #[default]
    Json,
    /// The whole list as CSV (UTF-8), as an attachment.
    Csv,
    /// The whole list as an xlsx workbook with one sheet named by the kind, as an attachment.
    Xlsx,
}

/// What to show of a list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Words every entry shown holds, in its code, name, department (code or name) or any
    /// column (at most 100 characters). Ignored by the downloads, which hold the whole list.
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// The version (default: the latest).
    #[param(minimum = 1)]
    pub version: Option<u32>,
    /// Page, 1–100000 (default 1).
    #[param(minimum = 1, maximum = 100_000)]
    pub page: Option<u32>,
    /// Entries per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
    /// `json` (default), or `csv` / `xlsx` to download the whole version as a file.
    #[param(inline)]
    pub format: Option<ListFormat>,
}

/// An entry of a list. Which of the optional fields an entry has depends on its list:
/// powers have `kind`, `legal_basis`, `responsibility`; duties `duty`, `matters`,
/// `legal_basis`; funds `amount_yuan`, `amount_fen`, `purpose`, `legal_basis`; services
/// `site`, `hours`, `phone`, `guide`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ListEntryView {
    /// Its code in the list.
    pub code: String,
    /// Its name (a duty's text, for the duties list).
    pub name: String,
    /// Department code.
    pub department: String,
    /// The department's name.
    pub department_name: String,
    /// 权力类型 (powers): one of 行政许可, 行政处罚, 行政强制, 行政征收, 行政给付, 行政检查,
    /// 行政确认, 行政奖励, 行政裁决, 其他行政权力.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// 依据 — the legal basis (powers, duties, funds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<String>,
    /// 责任事项 (powers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responsibility: Option<String>,
    /// 主要职责 (duties).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duty: Option<String>,
    /// 具体事项 (duties).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matters: Option<String>,
    /// 资金规模 in yuan, two decimals, e.g. `1200000.00` (funds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount_yuan: Option<String>,
    /// The same in fen (funds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount_fen: Option<u64>,
    /// 支持方向 (funds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// 办理地点, empty when none (services).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// 服务时间 (services).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
    /// 咨询电话 (services).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// 办事指引 (services).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guide: Option<String>,
}

impl From<&Listed> for ListEntryView {
    fn from(l: &Listed) -> Self {
        let e = &l.entry;
        let mut view = ListEntryView {
            code: e.code().to_string(),
            name: e.name().to_owned(),
            department: e.department().to_string(),
            department_name: l.department_name.clone(),
            kind: None,
            legal_basis: None,
            responsibility: None,
            duty: None,
            matters: None,
            amount_yuan: None,
            amount_fen: None,
            purpose: None,
            site: None,
            hours: None,
            phone: None,
            guide: None,
        };
        match e {
            Entry::Power(p) => {
                view.kind = Some(p.kind.zh().to_owned());
                view.legal_basis = Some(p.legal_basis.clone());
                view.responsibility = Some(p.responsibility.clone());
            }
            Entry::Duty(d) => {
                view.duty = Some(d.duty.clone());
                view.matters = Some(d.matters.clone());
                view.legal_basis = Some(d.legal_basis.clone());
            }
            Entry::Fund(f) => {
                view.amount_yuan = Some(yuan(f.amount_fen));
                view.amount_fen = Some(f.amount_fen);
                view.purpose = Some(f.purpose.clone());
                view.legal_basis = Some(f.legal_basis.clone());
            }
            Entry::Service(s) => {
                view.site = Some(s.site.clone());
                view.hours = Some(s.hours.clone());
                view.phone = Some(s.phone.clone());
                view.guide = Some(s.guide.clone());
            }
        }
        view
    }
}

/// A page of a published list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ListView {
    /// The list: `powers`, `duties`, `funds` or `services`.
    pub kind: String,
    /// Its Chinese name, e.g. 权责清单.
    pub name: String,
    /// The version shown; null before the first is published.
    pub version: Option<u32>,
    /// The version's label, e.g. 2026 年版.
    pub label: Option<String>,
    /// When the version was published (RFC 3339).
    pub published_at: Option<String>,
    /// Entries found over all pages.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Entries per page.
    pub per_page: u32,
    /// This page's entries, in the order the list was published.
    pub entries: Vec<ListEntryView>,
}

/// A published version of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ListVersionView {
    /// Its number, from 1.
    pub version: u32,
    /// Its label.
    pub label: String,
    /// When it was published (RFC 3339).
    pub published_at: String,
    /// How many entries it holds.
    pub entries: u64,
}

impl From<&ListVersion> for ListVersionView {
    fn from(v: &ListVersion) -> Self {
        Self { version: v.number, label: v.label.clone(), published_at: v.published_at.to_string(), entries: v.entries }
    }
}

/// Every version of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ListVersionsView {
    /// The list.
    pub kind: String,
    /// Its Chinese name.
    pub name: String,
    /// Its versions, oldest first.
    pub versions: Vec<ListVersionView>,
}

/// The list a path names; any other is not found.
fn kind_of(name: &str) -> Result<ListKind, ApiError> {
    ListKind::parse(name).map_err(|e| AppError::NotFound(e.to_string()).into())
}

/// A published list (权责清单, 职责清单, 财政专项资金管理清单 or 便民服务事项): a page of
/// its latest (or a named) version, searched by words; or with `format=csv` / `format=xlsx`
/// the whole version as a file in the columns an import reads.
#[utoipa::path(get, path = "/api/v1/lists/{kind}", tag = "catalog",
    params(("kind" = inline(ListKindName), Path, description = "The list"), ListParams),
    responses(
        (status = 200, description = "A page of the list, or the whole list as a file", content(
            (ListView = "application/json"),
            (String = "text/csv"),
            (FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 404, description = "No such list, or no such version", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(list.kind = %kind))]
pub async fn get_list(
    State(state): State<AppState>,
    principal: Principal,
    Path(kind): Path<String>,
    AppQuery(q): AppQuery<ListParams>,
) -> Result<Response, ApiError> {
    let kind = kind_of(&kind)?;
    state.rate(crate::app::limits::Rated::Search, &principal)?;
    let format = match q.format.unwrap_or_default() {
        ListFormat::Json => None,
        ListFormat::Csv => Some(Format::Csv),
        ListFormat::Xlsx => Some(Format::Xlsx),
    };
    if let Some(format) = format {
        let (version, sheet) = crate::app::lists::export(&state, kind, q.version).await?;
        return super::exports::sheets_attachment(format, &format!("{kind}-v{}", version.number), &[sheet]);
    }
    if let Some(words) = &q.q {
        text::check(words, text::SEARCH)
            .map_err(|e| AppError::Invalid(vec![("q".into(), format!("the search {e}"))]))?;
    }
    let query = ListQuery { version: q.version, q: q.q, page: q.page.unwrap_or(1), per_page: q.per_page.unwrap_or(50) };
    let page = crate::app::lists::list(&state, kind, &query).await?;
    let view = ListView {
        kind: kind.as_str().into(),
        name: kind.zh().into(),
        version: page.version.as_ref().map(|v| v.number),
        label: page.version.as_ref().map(|v| v.label.clone()),
        published_at: page.version.as_ref().map(|v| v.published_at.to_string()),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        entries: page.entries.iter().map(ListEntryView::from).collect(),
    };
    Ok(Json(view).into_response())
}

/// Every published version of a list, oldest first.
#[utoipa::path(get, path = "/api/v1/lists/{kind}/versions", tag = "catalog",
    params(("kind" = inline(ListKindName), Path, description = "The list")),
    responses(
        (status = 200, description = "The versions", body = ListVersionsView),
        (status = 404, description = "No such list", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(list.kind = %kind))]
pub async fn list_versions(
    State(state): State<AppState>,
    Path(kind): Path<String>,
) -> Result<Json<ListVersionsView>, ApiError> {
    let kind = kind_of(&kind)?;
    let versions = crate::app::lists::versions(&state, kind).await?;
    Ok(Json(ListVersionsView {
        kind: kind.as_str().into(),
        name: kind.zh().into(),
        versions: versions.iter().map(ListVersionView::from).collect(),
    }))
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(routes!(get_list)).routes(routes!(list_versions))
}
