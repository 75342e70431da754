//! Where, when and who (办事指南的办理地点、时间和咨询方式): the sites that handle an item,
//! with their address and hours, the windows there that take it, and whom to ask.
//!
//! One rule for the portal, the kiosk and anything else that shows a guide: the item's
//! own sites, else its department's; at each site the department's windows, then the
//! comprehensive windows (综合窗口) that serve every department; the item's contact, else
//! the phone of the first site that has one.

use serde::Serialize;

use crate::item::ServiceItem;
use crate::org::{Department, Site, Window};

/// A site that handles an item, and the windows there that take it (办理地点).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    /// The site: name, address, hours (办公时间) and phone.
    pub site: Site,
    /// The windows at the site that take the item: its department's, then the
    /// comprehensive windows, each group by code.
    pub windows: Vec<Window>,
}

/// The where, when and who of an item's guide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Guide {
    /// Where it is handled, in the order the catalog names the sites.
    pub places: Vec<Place>,
    /// 咨询电话 — whom to ask: the item's contact, else the first place's phone; none when
    /// neither says.
    pub contact: Option<String>,
}

/// The guide's places and contact for `item`, given its `department` and the `sites` and
/// `windows` in service. Sites the item names that are not in service are left out (a
/// guide shows no closed hall); an item that names none is handled at its department's
/// site.
pub fn guide(item: &ServiceItem, department: Option<&Department>, sites: &[Site], windows: &[Window]) -> Guide {
    let named: Vec<_> = if item.sites.is_empty() {
        department.and_then(|d| d.site.clone()).into_iter().collect()
    } else {
        item.sites.clone()
    };
    let places: Vec<Place> = named
        .iter()
        .filter_map(|code| sites.iter().find(|s| &s.code == code))
        .map(|site| {
            let at_site = |w: &&Window| w.site.as_ref() == Some(&site.code);
            let mut own: Vec<Window> = windows
                .iter()
                .filter(at_site)
                .filter(|w| w.department.as_ref() == Some(&item.department))
                .cloned()
                .collect();
            let mut comprehensive: Vec<Window> =
                windows.iter().filter(at_site).filter(|w| w.department.is_none()).cloned().collect();
            own.sort_by(|a, b| a.code.cmp(&b.code));
            comprehensive.sort_by(|a, b| a.code.cmp(&b.code));
            own.append(&mut comprehensive);
            Place { site: site.clone(), windows: own }
        })
        .collect();
    let contact = if item.contact.trim().is_empty() {
        places.iter().map(|p| p.site.phone.trim()).find(|p| !p.is_empty()).map(str::to_owned)
    } else {
        Some(item.contact.trim().to_owned())
    };
    Guide { places, contact }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::division::DivisionCode;
    use crate::item::tests::sample_item;
    use crate::org::{DepartmentCode, SiteCode, WindowCode};

    fn site(code: &str, phone: &str) -> Site {
        Site {
            code: SiteCode::parse(code).expect("valid"),
            name: format!("{code} hall"),
            division: DivisionCode::parse("620100").expect("valid"),
            address: format!("{code} street"),
            hours: "9:00-17:00".into(),
            phone: phone.into(),
        }
    }

    fn window(code: &str, department: Option<&str>, site: &str) -> Window {
        Window {
            code: WindowCode::parse(code).expect("valid"),
            name: code.into(),
            department: department.map(|d| DepartmentCode::parse(d).expect("valid")),
            site: Some(SiteCode::parse(site).expect("valid")),
        }
    }

    fn fgw(site: &str) -> Department {
        Department {
            code: DepartmentCode::parse("fgw").expect("valid"),
            name: "发改委".into(),
            division: DivisionCode::parse("620100").expect("valid"),
            site: Some(SiteCode::parse(site).expect("valid")),
        }
    }

    fn codes(place: &Place) -> Vec<&str> {
        place.windows.iter().map(|w| w.code.as_str()).collect()
    }

    #[test]
    fn a_site_shows_the_departments_windows_then_the_comprehensive_ones() {
        let sites = [site("main", "0931-1"), site("bdc", "0931-2")];
        let windows = [
            window("ZH-01", None, "main"),
            window("W-02", Some("fgw"), "main"),
            window("W-01", Some("fgw"), "main"),
            window("W-03", Some("scj"), "main"),
            window("W-04", Some("fgw"), "bdc"),
        ];
        let mut item = sample_item();
        item.sites = vec![SiteCode::parse("bdc").expect("valid"), SiteCode::parse("main").expect("valid")];
        let g = guide(&item, Some(&fgw("main")), &sites, &windows);
        let shown: Vec<&str> = g.places.iter().map(|p| p.site.code.as_str()).collect();
        assert_eq!(shown, ["bdc", "main"], "in the catalog's order");
        assert_eq!(codes(&g.places[0]), ["W-04"]);
        assert_eq!(codes(&g.places[1]), ["W-01", "W-02", "ZH-01"]);
        assert_eq!(g.contact.as_deref(), Some("0931-0000000"), "the item's own contact");
    }

    #[test]
    fn an_item_naming_no_site_is_handled_at_its_departments_and_asks_the_sites_phone() {
        let sites = [site("main", "0931-1"), site("bdc", "")];
        let mut item = sample_item();
        item.sites.clear();
        item.contact.clear();
        let g = guide(&item, Some(&fgw("main")), &sites, &[]);
        assert_eq!(g.places.len(), 1);
        assert_eq!(g.places[0].site.address, "main street");
        assert_eq!(g.contact.as_deref(), Some("0931-1"));
        let g = guide(&item, Some(&fgw("bdc")), &sites, &[]);
        assert_eq!(g.contact, None, "no phone anywhere");
        assert!(guide(&item, None, &sites, &[]).places.is_empty(), "no department, no site");
    }

    #[test]
    fn a_site_out_of_service_is_left_out() {
        let mut item = sample_item();
        item.sites = vec![SiteCode::parse("gone").expect("valid"), SiteCode::parse("main").expect("valid")];
        let g = guide(&item, None, &[site("main", "")], &[]);
        assert_eq!(g.places.iter().map(|p| p.site.code.as_str()).collect::<Vec<_>>(), ["main"]);
    }
}
