//! Catalog routes: search items, read one item's guide.

use crate::app::ItemFilter;
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use tongban_core::division::DivisionCode;
use tongban_core::item::{Category, Channel, ItemCode};
use tongban_core::org::DepartmentCode;
use utoipa::IntoParams;
use utoipa_axum::routes;

use super::{ItemPage, ItemView};
use crate::AppState;
use crate::app::AppError;
use crate::auth::Principal;
use crate::extract::AppQuery;
use crate::problem::{ApiError, Problem};
use tongban_core::text;

/// Search parameters for items.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemQuery {
    /// Words in the item's name (at most 100 characters, no control characters).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// Department code.
    pub department: Option<String>,
    /// Category: `on_the_spot`, `same_day`, `time_limited`, `agency` (or its Chinese name).
    pub category: Option<String>,
    /// Division code; matches the division and everything within it.
    pub division: Option<String>,
    /// Channel: `window`, `online`, `kiosk`, `app`, `mail`.
    pub channel: Option<String>,
    /// Page, 1–100000 (default 1).
    #[param(minimum = 1, maximum = 100_000)]
    pub page: Option<u32>,
    /// Items per page, 1–200 (default 20).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

impl ItemQuery {
    fn parse(self) -> Result<ItemFilter, ApiError> {
        let mut errors = Vec::new();
        let mut field = |name: &str, r: Result<(), String>| {
            if let Err(m) = r {
                errors.push((name.to_owned(), m));
            }
        };
        if let Some(q) = &self.q {
            field("q", text::check(q, text::SEARCH).map_err(|e| format!("the search {e}")));
        }
        let mut filter = ItemFilter {
            text: self.q.as_deref().and_then(text::search_words),
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(20),
            ..Default::default()
        };
        if let Some(d) = self.department.filter(|s| !s.is_empty()) {
            field(
                "department",
                DepartmentCode::parse(&d).map(|d| filter.department = Some(d)).map_err(|e| e.to_string()),
            );
        }
        if let Some(c) = self.category.filter(|s| !s.is_empty()) {
            field("category", Category::parse(&c).map(|c| filter.category = Some(c)).map_err(|e| e.message));
        }
        if let Some(d) = self.division.filter(|s| !s.is_empty()) {
            field("division", DivisionCode::parse(&d).map(|d| filter.division = Some(d)).map_err(|e| e.to_string()));
        }
        if let Some(c) = self.channel.filter(|s| !s.is_empty()) {
            field("channel", Channel::parse(&c).map(|c| filter.channel = Some(c)).map_err(|e| e.message));
        }
        if let Err((name, why)) = text::check_page(filter.page, filter.per_page) {
            field(name, Err(why));
        }
        if errors.is_empty() { Ok(filter) } else { Err(AppError::Invalid(errors).into()) }
    }
}

/// Search the items of the current catalog.
#[utoipa::path(
    get,
    path = "/api/v1/items",
    tag = "catalog",
    params(ItemQuery),
    responses(
        (status = 200, description = "A page of items", body = ItemPage),
        (status = 400, description = "A malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An invalid filter", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_items(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(query): AppQuery<ItemQuery>,
) -> Result<Json<ItemPage>, ApiError> {
    state.rate(crate::app::limits::Rated::Search, &principal)?;
    let filter = query.parse()?;
    let page = crate::app::public::items(&state, &filter).await?;
    Ok(Json(ItemPage {
        items: page.items.into_iter().map(ItemView::from).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// One item's full guide, in the latest catalog version that has it.
#[utoipa::path(
    get,
    path = "/api/v1/items/{code}",
    tag = "catalog",
    params(("code" = String, Path, description = "Item code")),
    responses(
        (status = 200, description = "The item", body = ItemView),
        (status = 404, description = "No such item", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_item(State(state): State<AppState>, Path(code): Path<String>) -> Result<Json<ItemView>, ApiError> {
    let not_found = || AppError::NotFound(format!("item {code:?} does not exist"));
    let parsed = ItemCode::parse(&code).map_err(|_| not_found())?;
    let row = crate::app::public::item(&state, &parsed).await?.ok_or_else(not_found)?;
    let mut view = ItemView::from(row);
    view.first_responsible = crate::app::public::first_responsible(&state, &parsed).await?;
    Ok(Json(view))
}

/// One of the four published lists (四办四清单).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PublishedList {
    /// Category machine name.
    pub category: String,
    /// Its Chinese name, e.g. 即收即办.
    pub name: String,
    /// How many items it holds.
    pub count: u64,
    /// The items (code and name), by code.
    pub items: Vec<ListedItem>,
}

/// An item on a published list.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ListedItem {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Department.
    pub department: String,
    /// Promised limit.
    pub promised_limit: Option<String>,
}

/// The four published lists (四办四清单) of the current catalog.
#[utoipa::path(get, path = "/api/v1/lists", tag = "catalog", responses((status = 200, description = "The four lists", body = Vec<PublishedList>)))]
pub async fn lists(State(state): State<AppState>) -> Result<Json<Vec<PublishedList>>, ApiError> {
    let mut lists = Vec::new();
    for category in Category::ALL {
        let page = crate::app::public::items(
            &state,
            &ItemFilter { category: Some(category), page: 1, per_page: 200, ..Default::default() },
        )
        .await?;
        let mut items: Vec<ListedItem> = page
            .items
            .into_iter()
            .map(|r| ListedItem {
                code: r.item.code.to_string(),
                name: r.item.name,
                department: r.item.department.to_string(),
                promised_limit: r.item.promised_limit.map(|l| l.to_string()),
            })
            .collect();
        let mut next = 2;
        while (items.len() as u64) < page.total {
            let more = crate::app::public::items(
                &state,
                &ItemFilter { category: Some(category), page: next, per_page: 200, ..Default::default() },
            )
            .await?;
            if more.items.is_empty() {
                break;
            }
            items.extend(more.items.into_iter().map(|r| ListedItem {
                code: r.item.code.to_string(),
                name: r.item.name,
                department: r.item.department.to_string(),
                promised_limit: r.item.promised_limit.map(|l| l.to_string()),
            }));
            next += 1;
        }
        lists.push(PublishedList {
            category: category.as_str().into(),
            name: category.zh().into(),
            count: page.total,
            items,
        });
    }
    Ok(Json(lists))
}

/// Who is first responsible for approving an item.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct FirstResponsible {
    /// The account.
    pub account: String,
}

/// Name an item's first responsible person for approval (审批第一责任人): the department's
/// head or an administrator; the person must be staff of the item's department.
#[utoipa::path(put, path = "/api/v1/items/{code}/first-responsible", tag = "catalog", request_body = FirstResponsible,
    params(("code" = String, Path, description = "Item code")),
    responses((status = 204, description = "Named"), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such item", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not staff of the item's department", body = Problem, content_type = "application/problem+json")))]
pub async fn set_first_responsible(
    State(state): State<AppState>,
    principal: crate::auth::Principal,
    Path(code): Path<String>,
    crate::extract::AppJson(body): crate::extract::AppJson<FirstResponsible>,
) -> Result<axum::http::StatusCode, ApiError> {
    let code = ItemCode::parse(&code).map_err(|_| AppError::NotFound(format!("item {code:?} does not exist")))?;
    crate::app::org::set_first_responsible(&state, &principal, &code, &body.account).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(list_items))
        .routes(routes!(get_item))
        .routes(routes!(lists))
        .routes(routes!(set_first_responsible))
}
