//! The demo's department table (`departments.txt`, embedded in the binary): which
//! departments sit in the hall, the laws they cite, their typical materials and the kinds of
//! items they handle. Parsed once per seed; a bad line is an error naming the line.

use anyhow::{Context as _, anyhow, bail};
use tongban_core::item::ItemKind;

/// The embedded table.
const DEPARTMENTS: &str = include_str!("departments.txt");

/// One department of the demo hall and what it handles.
#[derive(Debug, Clone)]
pub(super) struct DeptSpec {
    /// ASCII code, e.g. `fgw`.
    pub code: &'static str,
    /// Full name, e.g. 兰州市发展和改革委员会.
    pub name: &'static str,
    /// Short name for windows, e.g. 发改委.
    pub short: &'static str,
    /// Own windows in the hall (1 or 2).
    pub windows: u8,
    /// Relative share of the hall's cases.
    pub volume: f64,
    /// Share of applicants who are individuals rather than enterprises, 0–1.
    pub individuals: f64,
    /// Takes part in construction-project approval (candidates for 代办服务).
    pub construction: bool,
    /// Laws cited as legal basis.
    pub laws: Vec<&'static str>,
    /// Materials typical of the department.
    pub materials: Vec<&'static str>,
    /// Base items.
    pub items: Vec<ItemSpec>,
}

/// A base item; variants (变更, 注销 …) are derived from it.
#[derive(Debug, Clone)]
pub(super) struct ItemSpec {
    /// Name, e.g. 企业投资项目核准.
    pub name: &'static str,
    /// Kind of power.
    pub kind: ItemKind,
    /// Legal limit in working days; 0 when the law sets none.
    pub legal_days: u32,
    /// Which variants the item has.
    pub variants: Variants,
    /// A fee: name and amount in fen.
    pub fee: Option<(&'static str, u64)>,
}

/// The variants an item can be derived into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Variants {
    /// None.
    None,
    /// A licence or registration: 变更, 延续, 注销.
    Licence,
    /// A certificate: 换发, 补发.
    Certificate,
}

impl ItemSpec {
    /// The variant names of this item, in order.
    pub fn variant_names(&self) -> &'static [&'static str] {
        match self.variants {
            Variants::None => &[],
            Variants::Certificate => &["换发", "补发"],
            // A registration or filing is changed or cancelled, not renewed.
            Variants::Licence if self.name.ends_with("登记") || self.name.ends_with("备案") => &["变更", "注销"],
            Variants::Licence => &["变更", "延续", "注销"],
        }
    }
}

/// Parses the embedded table.
pub(super) fn departments() -> anyhow::Result<Vec<DeptSpec>> {
    parse(DEPARTMENTS)
}

fn parse(text: &'static str) -> anyhow::Result<Vec<DeptSpec>> {
    let mut depts: Vec<DeptSpec> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        parse_line(&mut depts, line).with_context(|| format!("departments.txt line {}: {line}", n + 1))?;
    }
    if depts.is_empty() {
        bail!("departments.txt lists no department");
    }
    Ok(depts)
}

fn parse_line(depts: &mut Vec<DeptSpec>, line: &'static str) -> anyhow::Result<()> {
    let (key, rest) = line.split_once(char::is_whitespace).ok_or_else(|| anyhow!("expected a keyword and fields"))?;
    let fields: Vec<&'static str> = rest.split('|').map(str::trim).collect();
    if key == "dept" {
        let [code, name, short, windows, volume, individuals, tag] = fields[..] else {
            bail!("a dept line has 7 fields");
        };
        depts.push(DeptSpec {
            code,
            name,
            short,
            windows: windows.parse().context("windows")?,
            volume: volume.parse().context("volume")?,
            individuals: (individuals.parse::<f64>().context("individuals")? / 100.0).clamp(0.0, 1.0),
            construction: tag == "construction",
            laws: Vec::new(),
            materials: Vec::new(),
            items: Vec::new(),
        });
        return Ok(());
    }
    let dept = depts.last_mut().ok_or_else(|| anyhow!("{key} before the first dept"))?;
    let list = || rest.split(';').map(str::trim).filter(|s| !s.is_empty());
    match key {
        "laws" => dept.laws.extend(list()),
        "mats" => dept.materials.extend(list()),
        "item" => dept.items.push(parse_item(&fields)?),
        other => bail!("unknown keyword {other:?}"),
    }
    Ok(())
}

fn parse_item(fields: &[&'static str]) -> anyhow::Result<ItemSpec> {
    let (name, kind, legal, variants, fee) = match *fields {
        [name, kind, legal, variants] => (name, kind, legal, variants, None),
        [name, kind, legal, variants, fee] => (name, kind, legal, variants, Some(fee)),
        _ => bail!("an item line has 4 or 5 fields"),
    };
    let variants = match variants {
        "none" => Variants::None,
        "licence" => Variants::Licence,
        "certificate" => Variants::Certificate,
        other => bail!("unknown variants {other:?}"),
    };
    let fee = fee
        .map(|f| -> anyhow::Result<_> {
            let (name, yuan) = f.rsplit_once(' ').ok_or_else(|| anyhow!("a fee is `name yuan`"))?;
            Ok((name.trim(), yuan.parse::<u64>().context("fee in whole yuan")? * 100))
        })
        .transpose()?;
    Ok(ItemSpec {
        name,
        kind: ItemKind::parse(kind)?,
        legal_days: legal.parse().context("legal limit in days")?,
        variants,
        fee,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_lists_33_departments_with_laws_materials_and_items() {
        let depts = departments().expect("embedded table parses");
        assert_eq!(depts.len(), 33);
        for d in &depts {
            assert!(!d.laws.is_empty() && d.materials.len() >= 2 && !d.items.is_empty(), "{}", d.code);
            assert!((1..=2).contains(&d.windows), "{}", d.code);
        }
    }

    #[test]
    fn a_bad_line_names_its_number() {
        let err = parse("dept a | b | c | 1 | 1 | 1 | -\nitem x | nonsense | 1 | none\n").unwrap_err();
        assert!(format!("{err:#}").contains("line 2"), "{err:#}");
    }
}
