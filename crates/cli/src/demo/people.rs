//! Invented people and enterprises for the demo: Chinese names with their pinyin (for staff
//! ids such as `fgw.wangfang`), and applicants with made-up ID numbers, credit codes and
//! phone numbers. Any likeness to a real person or company is a coincidence.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use tongban_core::case::{Applicant, ApplicantKind};

/// Common surnames, most common first, with their pinyin.
#[rustfmt::skip]
const SURNAMES: [(&str, &str); 60] = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"), ("吴", "wu"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("胡", "hu"), ("朱", "zhu"), ("郭", "guo"), ("何", "he"), ("罗", "luo"),
    ("高", "gao"), ("林", "lin"), ("魏", "wei"), ("牛", "niu"), ("郑", "zheng"), ("梁", "liang"),
    ("谢", "xie"), ("宋", "song"), ("唐", "tang"), ("许", "xu"), ("韩", "han"), ("冯", "feng"),
    ("邓", "deng"), ("曹", "cao"), ("彭", "peng"), ("曾", "zeng"), ("田", "tian"), ("萧", "xiao"),
    ("董", "dong"), ("潘", "pan"), ("袁", "yuan"), ("蔡", "cai"), ("蒋", "jiang"), ("余", "yu"),
    ("杜", "du"), ("叶", "ye"), ("程", "cheng"), ("苏", "su"), ("雷", "lei"), ("吕", "lv"),
    ("丁", "ding"), ("任", "ren"), ("沈", "shen"), ("姚", "yao"), ("卢", "lu"), ("姜", "jiang"),
    ("崔", "cui"), ("钟", "zhong"), ("谭", "tan"), ("陆", "lu"), ("汪", "wang"), ("范", "fan"),
];

/// Characters common in given names, with their pinyin.
#[rustfmt::skip]
const GIVEN: [(&str, &str); 64] = [
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
    ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
    ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀", "xiu"),
    ("霞", "xia"), ("平", "ping"), ("刚", "gang"), ("桂", "gui"), ("英", "ying"), ("华", "hua"),
    ("玉", "yu"), ("建", "jian"), ("文", "wen"), ("辉", "hui"), ("鹏", "peng"), ("红", "hong"),
    ("斌", "bin"), ("宇", "yu"), ("浩", "hao"), ("凯", "kai"), ("欣", "xin"), ("婷", "ting"),
    ("雪", "xue"), ("琳", "lin"), ("晨", "chen"), ("阳", "yang"), ("佳", "jia"), ("子", "zi"),
    ("涵", "han"), ("萱", "xuan"), ("博", "bo"), ("瑞", "rui"), ("嘉", "jia"), ("怡", "yi"),
    ("倩", "qian"), ("海", "hai"), ("峰", "feng"), ("国", "guo"), ("庆", "qing"), ("永", "yong"),
    ("龙", "long"), ("兰", "lan"), ("燕", "yan"), ("亮", "liang"), ("晓", "xiao"), ("东", "dong"),
    ("春", "chun"), ("梅", "mei"), ("小", "xiao"), ("慧", "hui"),
];

/// First parts of invented enterprise names.
#[rustfmt::skip]
const FIRM_WORDS: [&str; 24] = [
    "金城", "陇原", "黄河", "皋兰", "兴陇", "丝路", "华隆", "瑞丰", "恒通", "西部", "鑫源", "天庆",
    "宏达", "安泰", "中川", "白塔", "五泉", "飞天", "昌盛", "博远", "德润", "汇丰", "新区", "永安",
];

/// Lines of business of invented enterprises.
#[rustfmt::skip]
const FIRM_TRADES: [&str; 14] = [
    "商贸", "建筑工程", "餐饮管理", "科技", "物流", "房地产开发", "医药", "文化传媒", "农业开发",
    "环保科技", "机动车维修", "物业管理", "教育咨询", "能源",
];

/// County-level division codes of Lanzhou, for ID numbers and credit codes.
const COUNTY_CODES: [&str; 8] = ["620102", "620103", "620104", "620105", "620111", "620121", "620122", "620123"];

/// A person's name and the pinyin of it (surname then given name, no spaces).
pub(super) fn person(rng: &mut ChaCha8Rng) -> (String, String) {
    // Squaring favours the common surnames at the head of the list.
    let s = (rng.random::<f64>().powi(2) * SURNAMES.len() as f64) as usize;
    let (surname, pinyin) = SURNAMES[s.min(SURNAMES.len() - 1)];
    let (mut name, mut pinyin) = (surname.to_owned(), pinyin.to_owned());
    let given = if rng.random_bool(0.35) { 1 } else { 2 };
    for _ in 0..given {
        let (c, p) = GIVEN[rng.random_range(0..GIVEN.len())];
        name.push_str(c);
        pinyin.push_str(p);
    }
    (name, pinyin)
}

/// An applicant: an individual with a resident ID number, or an enterprise with a unified
/// social credit code (统一社会信用代码). The numbers have valid check characters but are
/// random.
pub(super) fn applicant(rng: &mut ChaCha8Rng, individual: bool) -> Applicant {
    let phone = Some(format!(
        "1{}{:08}",
        ["38", "39", "51", "58", "87", "89", "77"][rng.random_range(0..7)],
        rng.random_range(0..100_000_000u32)
    ));
    if individual {
        let (name, _) = person(rng);
        Applicant { kind: ApplicantKind::Individual, name, id_number: resident_id(rng), phone }
    } else {
        let name = format!(
            "兰州{}{}有限公司",
            FIRM_WORDS[rng.random_range(0..FIRM_WORDS.len())],
            FIRM_TRADES[rng.random_range(0..FIRM_TRADES.len())]
        );
        Applicant { kind: ApplicantKind::Enterprise, name, id_number: credit_code(rng), phone }
    }
}

/// An 18-character resident ID number (公民身份号码) with a valid ISO 7064 MOD 11-2 check.
fn resident_id(rng: &mut ChaCha8Rng) -> String {
    let area = COUNTY_CODES[rng.random_range(0..COUNTY_CODES.len())];
    let body = format!(
        "{area}{:04}{:02}{:02}{:03}",
        rng.random_range(1950..=2005),
        rng.random_range(1..=12),
        rng.random_range(1..=28),
        rng.random_range(0..1000)
    );
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// An 18-character unified social credit code (GB 32100) with a valid last check character.
fn credit_code(rng: &mut ChaCha8Rng) -> String {
    const CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let area = COUNTY_CODES[rng.random_range(0..COUNTY_CODES.len())];
    let mut code = format!("91{area}");
    for _ in 0..9 {
        code.push(CHARS[rng.random_range(0..CHARS.len())] as char);
    }
    let sum: usize = code.bytes().zip(WEIGHTS).map(|(b, w)| CHARS.iter().position(|&c| c == b).unwrap_or(0) * w).sum();
    code.push(CHARS[(31 - sum % 31) % 31] as char);
    code
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn invented_numbers_have_18_characters() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for individual in [true, false] {
            let a = applicant(&mut rng, individual);
            assert_eq!(a.id_number.len(), 18, "{a:?}");
            assert_eq!(a.phone.as_deref().map(str::len), Some(11), "{a:?}");
        }
    }

    #[test]
    fn a_name_comes_with_ascii_pinyin() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let (name, pinyin) = person(&mut rng);
        assert!((2..=3).contains(&name.chars().count()));
        assert!(pinyin.bytes().all(|b| b.is_ascii_lowercase()));
    }
}
