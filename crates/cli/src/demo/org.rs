//! The demo hall's organisation: the divisions of Lanzhou (from the national code list),
//! the departments of `departments.txt`, their windows and invented staff.

use std::collections::HashSet;

use anyhow::Context as _;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use tongban_core::division::{Division, DivisionCode, DivisionLevel};
use tongban_core::org::{Department, DepartmentCode, Position, Site, SiteCode, Staff, StaffId, Window, WindowCode};

use super::people;
use super::spec::DeptSpec;

/// The division every demo department and item belongs to: 兰州市.
pub(super) const CITY: &str = "620100";

/// Gansu province, Lanzhou and its county-level divisions, copied from the GB/T 2260 list
/// (`shared/data/divisions/gansu.csv`): code, name, parent, level.
#[rustfmt::skip]
const DIVISIONS: [(&str, &str, Option<&str>, DivisionLevel); 11] = [
    ("620000", "甘肃省", None, DivisionLevel::Province),
    ("620100", "兰州市", Some("620000"), DivisionLevel::City),
    ("620102", "城关区", Some("620100"), DivisionLevel::County),
    ("620103", "七里河区", Some("620100"), DivisionLevel::County),
    ("620104", "西固区", Some("620100"), DivisionLevel::County),
    ("620105", "安宁区", Some("620100"), DivisionLevel::County),
    ("620111", "红古区", Some("620100"), DivisionLevel::County),
    ("620121", "永登县", Some("620100"), DivisionLevel::County),
    ("620122", "皋兰县", Some("620100"), DivisionLevel::County),
    ("620123", "榆中县", Some("620100"), DivisionLevel::County),
    ("620171", "兰州新区", Some("620100"), DivisionLevel::County),
];

/// Comprehensive windows (综合窗口) that serve every department.
const COMPREHENSIVE_WINDOWS: usize = 4;

/// Chinese numerals for window names.
const NUMERALS: [&str; 4] = ["一", "二", "三", "四"];

/// The demo's sites: the main hall, and the real-estate registration branch (分中心) where
/// the department of that code works. Addresses and phones are invented.
#[rustfmt::skip]
const SITES: [(&str, &str, &str, &str, &str); 2] = [
    ("main", "兰州市政务服务中心", "兰州市城关区（演示地址）", "周一至周五 9:00-12:00, 14:30-17:30", "0931-0000000"),
    ("bdc", "不动产登记分中心", "兰州市七里河区（演示地址）", "周一至周六 9:00-17:00", "0931-0000001"),
];

/// The main hall's site code.
pub(super) const MAIN_SITE: &str = SITES[0].0;

/// The site a department works at and that site's phone: a department whose code names a
/// branch works there, every other in the main hall.
pub(super) fn site_of(department: &str) -> (&'static str, &'static str) {
    let (code, .., phone) = SITES.iter().find(|s| s.0 == department).copied().unwrap_or(SITES[0]);
    (code, phone)
}

/// The hall: divisions, sites, departments, windows, staff.
#[derive(Debug, Clone, Default)]
pub(super) struct Org {
    /// Province, city, counties: parents first.
    pub divisions: Vec<Division>,
    /// The main hall and its branches.
    pub sites: Vec<Site>,
    /// Departments, in table order.
    pub departments: Vec<Department>,
    /// Department windows, then the comprehensive windows.
    pub windows: Vec<Window>,
    /// Every member of staff.
    pub staff: Vec<Staff>,
    /// Per department (in table order): who handles its cases.
    pub teams: Vec<Team>,
}

/// Who handles one department's cases.
#[derive(Debug, Clone, Default)]
pub(super) struct Team {
    /// 主要领导.
    pub head: String,
    /// 分管领导.
    pub deputy: String,
    /// 处室负责人.
    pub chief: String,
    /// Window clerks: they receive, accept and deliver (首接).
    pub clerks: Vec<String>,
}

/// The divisions the demo needs.
pub(super) fn divisions() -> anyhow::Result<Vec<Division>> {
    DIVISIONS
        .iter()
        .map(|&(code, name, parent, level)| {
            let parent = parent.map(DivisionCode::parse).transpose()?;
            Ok(Division::new(DivisionCode::parse(code)?, name, parent, level)?)
        })
        .collect()
}

/// Builds the organisation from the department table.
pub(super) fn build(rng: &mut ChaCha8Rng, specs: &[DeptSpec]) -> anyhow::Result<Org> {
    let city = DivisionCode::parse(CITY)?;
    let mut org = Org { divisions: divisions()?, ..Org::default() };
    for (code, name, address, hours, phone) in SITES {
        let (name, address, hours, phone) = (name.to_owned(), address.to_owned(), hours.to_owned(), phone.to_owned());
        org.sites.push(Site { code: SiteCode::parse(code)?, name, division: city.clone(), address, hours, phone });
    }
    let mut taken = HashSet::new();
    let mut window_no = 0;
    for spec in specs {
        let code = DepartmentCode::parse(spec.code).with_context(|| format!("department code {:?}", spec.code))?;
        let site = SiteCode::parse(site_of(spec.code).0)?;
        org.departments.push(Department {
            code: code.clone(),
            name: spec.name.to_owned(),
            division: city.clone(),
            site: Some(site.clone()),
        });
        let mut windows = Vec::new();
        for i in 0..usize::from(spec.windows) {
            window_no += 1;
            let name = if spec.windows > 1 {
                format!("{}窗口（{}）", spec.short, NUMERALS[i % 4])
            } else {
                format!("{}窗口", spec.short)
            };
            let code = Some(code.clone());
            let w = Window {
                code: WindowCode::parse(&format!("W-{window_no:02}"))?,
                name,
                department: code,
                site: Some(site.clone()),
            };
            windows.push(w.code.clone());
            org.windows.push(w);
        }
        // 3–6 clerks, at least two per window.
        let clerks = rng.random_range(3..=6).max(2 * usize::from(spec.windows));
        let mut team = Team::default();
        let mut hire = |position: Position, window: Option<WindowCode>| -> anyhow::Result<String> {
            let (name, pinyin) = people::person(rng);
            let id = unique_id(&mut taken, spec.code, &pinyin)?;
            org.staff.push(Staff { id: id.clone(), name, department: code.clone(), window, position });
            Ok(id.to_string())
        };
        team.head = hire(Position::Head, None)?;
        team.deputy = hire(Position::Deputy, None)?;
        team.chief = hire(Position::Chief, None)?;
        for i in 0..clerks {
            team.clerks.push(hire(Position::Staff, windows.get(i % windows.len()).cloned())?);
        }
        org.teams.push(team);
    }
    add_comprehensive_windows(&mut org)?;
    Ok(org)
}

/// Adds the comprehensive windows and seats one clerk of every few departments there, so
/// each comprehensive window is staffed by people of several departments.
fn add_comprehensive_windows(org: &mut Org) -> anyhow::Result<()> {
    let mut codes = Vec::new();
    for (i, numeral) in NUMERALS.iter().enumerate().take(COMPREHENSIVE_WINDOWS) {
        let code = WindowCode::parse(&format!("ZH-{:02}", i + 1))?;
        let name = format!("综合窗口（{numeral}）");
        let site = Some(SiteCode::parse(SITES[0].0)?);
        org.windows.push(Window { code: code.clone(), name, department: None, site });
        codes.push(code);
    }
    // The last clerk of every third department moves to a comprehensive window.
    for (n, team) in org.teams.iter().enumerate().filter(|(n, _)| n % 3 == 0) {
        let Some(last) = team.clerks.last() else {
            continue;
        };
        if let Some(s) = org.staff.iter_mut().find(|s| s.id.as_str() == last) {
            s.window = Some(codes[(n / 3) % codes.len()].clone());
        }
    }
    Ok(())
}

/// `dept.pinyin`, or `dept.pinyin2`, `dept.pinyin3` … when taken.
fn unique_id(taken: &mut HashSet<String>, dept: &str, pinyin: &str) -> anyhow::Result<StaffId> {
    let base = format!("{dept}.{pinyin}");
    let mut id = base.clone();
    let mut n = 1;
    while !taken.insert(id.clone()) {
        n += 1;
        id = format!("{base}{n}");
    }
    StaffId::parse(&id).with_context(|| format!("staff id {id:?}"))
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn every_department_has_a_full_chain_and_window_clerks() {
        let specs = super::super::spec::departments().expect("table parses");
        let org = build(&mut ChaCha8Rng::seed_from_u64(3), &specs).expect("org builds");
        assert_eq!(org.departments.len(), 33);
        assert_eq!(org.divisions.len(), 11);
        let ids: HashSet<_> = org.staff.iter().map(|s| s.id.clone()).collect();
        assert_eq!(ids.len(), org.staff.len(), "staff ids are unique");
        for team in &org.teams {
            assert!((3..=6).contains(&team.clerks.len()));
        }
        assert_eq!(org.windows.iter().filter(|w| w.department.is_none()).count(), COMPREHENSIVE_WINDOWS);
    }
}
