//! The public portal: home, item search, item guides, the four lists (四办四清单), the
//! published lists (权责清单 and the others) and the open figures with their charts. Anyone
//! may read these.
//!
//! Each page loads through [`crate::app`], builds a view model (a plain struct) and draws
//! it with a pure `render` function; this module keeps what the kiosk and other sections
//! share with the portal.

mod figures;
pub(super) mod item;
mod lists;
mod published;
mod search;

use serde::Deserialize;
use tongban_core::item::Category;
use tongban_core::org::DepartmentCode;

use super::error::encode;
use crate::app::ItemFilter;

pub use item::{GuideView, guide};
pub use search::{ItemCard, item_card};

/// Item search parameters, as typed (kept on the page).
#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    /// Words.
    #[serde(default)]
    pub q: String,
    /// Department code.
    #[serde(default)]
    pub department: String,
    /// Category machine name.
    #[serde(default)]
    pub category: String,
    /// Page.
    pub page: Option<u32>,
}

impl SearchQuery {
    /// The store filter; unknown values filter nothing rather than fail (a typed URL).
    pub fn filter(&self, per_page: u32) -> ItemFilter {
        ItemFilter {
            text: tongban_core::text::search_words(&self.q),
            department: DepartmentCode::parse(&self.department).ok(),
            category: Category::parse(&self.category).ok(),
            page: self.page.unwrap_or(1).clamp(1, tongban_core::text::MAX_PAGE),
            per_page,
            ..Default::default()
        }
    }

    /// The link to this search on `base` without the page number, which goes last.
    pub fn page_link(&self, base: &str) -> String {
        format!(
            "{base}?q={}&department={}&category={}&page=",
            encode(&self.q),
            encode(&self.department),
            encode(&self.category)
        )
    }
}

/// Department code → name.
pub fn department_name<'a>(departments: &'a [(String, String)], code: &'a str) -> &'a str {
    departments.iter().find(|(c, _)| c == code).map_or(code, |(_, n)| n.as_str())
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/", get(search::home))
        .route("/items", get(search::items))
        .route("/items/{code}", get(item::item))
        .route("/lists", get(lists::lists))
        .route("/lists/{kind}", get(published::list))
        .route("/figures", get(figures::figures))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_link_keeps_what_was_typed_and_leaves_the_page_last() {
        let q = SearchQuery { q: "a b&c".into(), department: "fgw".into(), category: String::new(), page: Some(2) };
        assert_eq!(q.page_link("/items"), "/items?q=a+b%26c&department=fgw&category=&page=");
    }
}
