//! The demo's published lists: 权责清单, 职责清单, 财政专项资金管理清单 and 便民服务事项,
//! built from the department table and the catalog, and published through the same check
//! as an imported file (`app::lists::load_lists`).
//!
//! **Generated demo data, not published lists.** The laws named are real statutes, but which
//! department holds which power, every duty, every fund and its amount, the opening hours and
//! the service texts are invented for demonstrations; codes follow common patterns (XK- for
//! licensing, CF- for penalties, …) without copying any real list. The hotlines named for a
//! few services are the public service numbers of their fields; the other phones are the
//! demo sites' placeholders.

use anyhow::Context as _;
use jiff::Timestamp;
use tongban_core::item::{ItemKind, ServiceItem};
use tongban_core::lists::{ListKind, PowerKind};
use tongban_server::app::lists::ListDraft;
use tongban_server::app::tables::Sheet;

use super::org::{Org, site_of};
use super::spec::DeptSpec;

/// The label of the current version of every list.
pub(super) const LABEL: &str = "2026 年版";

/// The label of the powers list published a year earlier.
const EARLIER_LABEL: &str = "2025 年版";

/// A company, not an administrative body: it publishes services only.
const NOT_ADMINISTRATIVE: [&str; 1] = ["gdgs"];

/// Bodies that hold no penalty or inspection powers (an association, an archive, a
/// registration center).
const NOT_ENFORCING: [&str; 4] = ["gdgs", "cl", "dag", "bdc"];

/// Powers beyond the catalog's items and the penalties and inspections every enforcing
/// department holds: (department, kind, name, legal basis).
#[rustfmt::skip]
const SPECIAL_POWERS: &[(&str, PowerKind, &str, &str)] = &[
    ("scjg", PowerKind::Coercion, "查封、扣押不符合食品安全标准的食品", "《中华人民共和国食品安全法》"),
    ("scjg", PowerKind::Reward, "对举报食品安全违法行为的奖励", "《中华人民共和国食品安全法》"),
    ("sw", PowerKind::Levy, "税款征收", "《中华人民共和国税收征收管理法》"),
    ("sw", PowerKind::Coercion, "税收强制执行", "《中华人民共和国税收征收管理法》"),
    ("rsj", PowerKind::Payment, "失业保险金给付", "《失业保险条例》"),
    ("rsj", PowerKind::Payment, "工伤保险待遇给付", "《工伤保险条例》"),
    ("mzj", PowerKind::Payment, "最低生活保障金给付", "《社会救助暂行办法》"),
    ("mzj", PowerKind::Payment, "特困人员救助供养", "《社会救助暂行办法》"),
    ("tyjr", PowerKind::Payment, "伤残抚恤金给付", "《军人抚恤优待条例》"),
    ("tyjr", PowerKind::Reward, "对退役军人的表彰奖励", "《中华人民共和国退役军人保障法》"),
    ("ybj", PowerKind::Payment, "医疗保障待遇给付", "《中华人民共和国社会保险法》"),
    ("zrzy", PowerKind::Ruling, "土地权属争议调处", "《中华人民共和国土地管理法》"),
    ("zrzy", PowerKind::Levy, "土地复垦费征收", "《土地复垦条例》"),
    ("shuiwu", PowerKind::Levy, "水资源费征收", "《取水许可和水资源费征收管理条例》"),
    ("shuiwu", PowerKind::Ruling, "水事纠纷裁决", "《中华人民共和国水法》"),
    ("lcj", PowerKind::Ruling, "林木、林地权属争议裁决", "《中华人民共和国森林法》"),
    ("lcj", PowerKind::Levy, "森林植被恢复费征收", "《中华人民共和国森林法》"),
    ("csgl", PowerKind::Coercion, "强制拆除违法建筑物、构筑物", "《中华人民共和国城乡规划法》"),
    ("csgl", PowerKind::Levy, "城市道路占用费征收", "《城市道路管理条例》"),
    ("yjgl", PowerKind::Coercion, "查封、扣押不符合安全生产标准的设施、设备、器材", "《中华人民共和国安全生产法》"),
    ("xf", PowerKind::Coercion, "临时查封危险部位或者场所", "《中华人民共和国消防法》"),
    ("wsjk", PowerKind::Reward, "对在传染病防治工作中作出显著成绩和贡献的单位和个人的奖励", "《中华人民共和国传染病防治法》"),
    ("sthj", PowerKind::Coercion, "查封、扣押造成污染物排放的设施、设备", "《中华人民共和国环境保护法》"),
    ("jtys", PowerKind::Coercion, "暂扣未取得道路运输证从事道路运输的车辆", "《中华人民共和国道路运输条例》"),
    ("jyj", PowerKind::Reward, "对在教育工作中做出突出贡献的教师的奖励", "《中华人民共和国教师法》"),
    ("wlj", PowerKind::Reward, "对在文物保护工作中做出突出贡献的单位和个人的奖励", "《中华人民共和国文物保护法》"),
    ("nync", PowerKind::Coercion, "封存、扣押违法生产经营的农药", "《农药管理条例》"),
    ("nync", PowerKind::Payment, "耕地地力保护补贴发放", "《中华人民共和国农业法》"),
    ("sfj", PowerKind::Payment, "法律援助", "《中华人民共和国法律援助法》"),
    ("tyj", PowerKind::Reward, "对在体育事业中做出贡献的组织和个人的奖励", "《中华人民共和国体育法》"),
    ("yc", PowerKind::Coercion, "扣押涉嫌违法的烟草专卖品", "《中华人民共和国烟草专卖法实施条例》"),
    ("rfb", PowerKind::Levy, "防空地下室易地建设费征收", "《中华人民共和国人民防空法》"),
    ("gjj", PowerKind::Coercion, "申请人民法院强制缴存住房公积金", "《住房公积金管理条例》"),
];

/// Each department's characteristic duty and its matters.
#[rustfmt::skip]
const MAIN_DUTIES: &[(&str, &str, &str)] = &[
    ("fgw", "拟订并组织实施全市国民经济和社会发展规划和年度计划", "组织编制国民经济和社会发展五年规划纲要和年度计划；统筹协调重大建设项目；管理政府投资项目"),
    ("zrzy", "履行全民所有自然资源资产所有者职责和国土空间用途管制职责", "组织编制国土空间规划；负责建设用地审批和建设工程规划许可；管理测绘地理信息"),
    ("zjj", "承担规范建筑市场秩序和监督管理建设工程质量安全的责任", "监督管理施工许可、工程质量和施工安全；管理房地产开发和商品房预售；管理城镇燃气"),
    ("scjg", "负责市场综合监督管理和市场主体统一登记注册", "办理各类市场主体登记；监督管理食品安全、特种设备安全和工业产品质量"),
    ("sthj", "负责建立健全生态环境基本制度，监督管理环境污染防治", "审批建设项目环境影响评价文件；核发排污许可证；组织生态环境监测"),
    ("jtys", "负责道路运输市场监管和交通运输行业管理", "管理道路客货运输经营许可；规范巡游出租汽车和网约车经营"),
    ("wsjk", "负责医疗卫生服务体系建设和医疗机构、医务人员执业管理", "审批设置医疗机构；注册医师、护士执业；监督管理公共场所卫生"),
    ("crj", "负责公民因私出入境证件的受理、审批和签发", "办理普通护照、往来港澳通行证、往来台湾通行证及签注；管理外国人居留"),
    ("rsj", "统筹建立覆盖城乡的社会保障体系，促进就业创业", "管理养老、失业、工伤保险；组织职业技能培训；管理人力资源市场"),
    ("sw", "负责税收征收管理和纳税服务", "办理税务登记、纳税申报和发票管理；落实减税降费政策；开展纳税信用管理"),
    ("gjj", "负责住房公积金的归集、提取、贷款和管理", "办理住房公积金缴存登记、提取和个人住房贷款；管理住房公积金资金安全"),
    ("bdc", "负责不动产统一登记和登记资料的查询利用", "办理首次登记、转移登记、变更登记、抵押登记；提供不动产登记资料查询"),
    ("shuiwu", "负责保障水资源的合理开发利用，监督管理水利工程", "实施取水许可；审批水土保持方案；管理城镇供水和排水"),
    ("lcj", "负责林业和草原及其生态保护修复的监督管理", "审批林木采伐和使用林地；管理野生动植物保护和林草种苗"),
    ("mzj", "负责社会救助、社会组织登记、养老服务和婚姻殡葬管理", "管理最低生活保障和特困人员供养；登记社会团体和民办非企业单位；指导婚姻登记"),
    ("jyj", "负责统筹管理全市各级各类教育", "审批民办学校；认定教师资格；管理义务教育招生入学"),
    ("wlj", "负责文化和旅游市场管理、文物保护", "审批娱乐场所、营业性演出和旅行社；监督管理文物保护单位"),
    ("shangwu", "负责推进流通产业发展和商贸行业管理", "管理拍卖、报废机动车回收和成品油零售；规范单用途商业预付卡"),
    ("nync", "负责农业农村经济发展和农业投入品监管", "管理农药、兽药经营许可；组织动物防疫和农业机械安全监管"),
    ("yjgl", "负责应急管理和安全生产综合监督管理", "审批危险化学品经营和烟花爆竹经营许可；组织应急预案管理和应急救援"),
    ("csgl", "负责城市市容环境卫生、城市道路和园林绿化管理", "审批占用挖掘城市道路、砍伐移植城市树木和户外广告设置"),
    ("rfb", "负责人民防空建设和管理", "审查防空地下室建设；管理人防工程平时开发利用"),
    ("xf", "负责消防监督管理和火灾预防", "实施公众聚集场所投入使用、营业前消防安全检查；开展消防监督检查"),
    ("qxj", "负责气象监测预报和气象灾害防御", "审批雷电防护装置设计和竣工验收；管理施放气球活动"),
    ("dag", "负责档案的收集、保管和提供利用", "接收、征集和保管档案；提供档案查阅利用和档案证明出具"),
    ("yc", "负责烟草专卖管理", "核发烟草专卖零售许可证；查处涉烟违法行为"),
    ("cl", "负责残疾人权益维护和残疾人事业发展", "办理残疾人证；组织残疾人康复、就业和托养服务"),
    ("tyjr", "负责退役军人安置、就业创业和优抚褒扬", "办理退役士兵安置和优抚对象抚恤补助；管理烈士褒扬"),
    ("ybj", "负责医疗保障制度建设和医疗保障基金监督管理", "办理医保参保登记、异地就医备案和待遇核定；监督管理定点医药机构"),
    ("sfj", "负责公共法律服务体系建设和法律服务行业管理", "组织法律援助和人民调解；管理律师、公证和司法鉴定"),
    ("tyj", "负责全民健身和体育产业发展", "审批高危险性体育项目经营；组织全民健身活动"),
    ("dzj", "负责防震减灾工作的监督管理", "监督管理地震安全性评价和建设工程抗震设防要求；管理地震监测设施保护"),
];

/// Special funds: (department, name, amount in yuan, purpose, basis).
#[rustfmt::skip]
const FUNDS: &[(&str, &str, &str, &str, &str)] = &[
    ("fgw", "市级预算内基本建设投资", "300000000.00", "支持市级重大基础设施和社会事业项目建设", "《政府投资条例》"),
    ("fgw", "服务业发展引导资金", "20000000.00", "支持现代服务业集聚区和重点服务业项目", "《兰州市服务业发展引导资金管理办法》"),
    ("scjg", "食品安全监管专项资金", "8500000.00", "食品安全抽检监测、快检和风险监测", "《中华人民共和国食品安全法》"),
    ("scjg", "质量强市专项资金", "5000000.00", "支持标准化建设、品牌培育和质量提升", "《兰州市质量强市专项资金管理办法》"),
    ("shangwu", "外经贸发展专项资金", "15000000.00", "支持外贸企业开拓国际市场和跨境电子商务发展", "《外经贸发展专项资金管理办法》"),
    ("shangwu", "电子商务进农村专项资金", "10000000.00", "建设县乡村三级电子商务服务和物流配送体系", "《兰州市电子商务发展专项资金管理办法》"),
    ("nync", "高标准农田建设补助资金", "120000000.00", "田块整治、灌溉排水、田间道路等高标准农田建设", "《农田建设补助资金管理办法》"),
    ("nync", "农业产业化发展资金", "30000000.00", "支持农业产业化龙头企业和农民专业合作社发展", "《兰州市农业产业化发展资金管理办法》"),
    ("jyj", "学前教育发展资金", "45000000.00", "扩大普惠性学前教育资源，改善办园条件", "《支持学前教育发展资金管理办法》"),
    ("jyj", "学生资助补助资金", "38000000.00", "家庭经济困难学生助学金和生活补助", "《学生资助资金管理办法》"),
    ("wsjk", "基本公共卫生服务补助资金", "96000000.00", "居民健康档案、预防接种、慢性病患者健康管理等服务", "《基本公共卫生服务补助资金管理办法》"),
    ("rsj", "就业补助资金", "86000000.00", "职业培训补贴、社会保险补贴、公益性岗位补贴和创业补贴", "《就业补助资金管理办法》"),
    ("rsj", "创业担保贷款贴息资金", "12000000.00", "对符合条件的创业担保贷款给予贴息", "《普惠金融发展专项资金管理办法》"),
    ("mzj", "城乡居民最低生活保障资金", "210000000.00", "城乡居民最低生活保障金发放", "《社会救助暂行办法》"),
    ("mzj", "养老服务体系建设资金", "25000000.00", "社区居家养老服务设施建设和运营补贴", "《兰州市养老服务体系建设资金管理办法》"),
    ("wlj", "文化旅游产业发展专项资金", "18000000.00", "支持文旅融合项目、旅游宣传推广和公共文化服务", "《兰州市文化旅游产业发展专项资金管理办法》"),
    ("sthj", "大气污染防治专项资金", "40000000.00", "燃煤锅炉治理、扬尘治理和大气环境监测能力建设", "《大气污染防治资金管理办法》"),
    ("jtys", "城市公共交通运营补贴资金", "150000000.00", "城市公交线路运营亏损补贴和老年人、残疾人免费乘车补贴", "《兰州市城市公共交通运营补贴资金管理办法》"),
    ("tyjr", "优抚对象补助资金", "32000000.00", "重点优抚对象定期抚恤补助和医疗补助", "《优抚对象补助经费管理办法》"),
    ("cl", "残疾人事业发展补助资金", "14000000.00", "残疾人康复、教育、就业和托养服务补助", "《残疾人事业发展补助资金管理办法》"),
    ("tyj", "全民健身专项资金", "9000000.00", "全民健身场地设施建设和群众体育赛事活动", "《兰州市体育彩票公益金使用管理办法》"),
    ("lcj", "林业草原生态保护恢复资金", "27000000.00", "天然林保护、退耕还林还草和草原生态修复", "《林业草原生态保护恢复资金管理办法》"),
    ("yjgl", "安全生产专项资金", "6000000.00", "安全生产监管执法装备、应急演练和隐患排查治理", "《安全生产预防及应急专项资金管理办法》"),
    ("zjj", "城镇老旧小区改造补助资金", "180000000.00", "老旧小区水电气暖管网改造、加装电梯和环境整治", "《中央财政城镇保障性安居工程补助资金管理办法》"),
];

/// Convenience services: (department, name, whether at a window, hotline (none: the
/// site's phone), guide).
#[rustfmt::skip]
const SERVICES: &[(&str, &str, bool, Option<&str>, &str)] = &[
    ("rsj", "社保参保信息查询", false, Some("12333"), "登录网上办事大厅或在自助终端凭居民身份证查询个人参保和缴费记录，可打印参保证明。"),
    ("rsj", "社会保障卡申领和补换", true, Some("12333"), "携带居民身份证到人社局窗口申领；遗失的先办理挂失，再申请补换，即时制卡。"),
    ("rsj", "就业创业政策咨询", true, Some("12333"), "到人社局窗口咨询就业登记、创业补贴和职业培训补贴政策，可现场登记求职意向。"),
    ("gjj", "住房公积金提取咨询", true, Some("12329"), "到公积金中心窗口咨询购房、租房、退休等提取条件和所需材料，符合条件的可当场办理。"),
    ("gjj", "住房公积金缴存证明打印", true, Some("12329"), "凭居民身份证在公积金中心窗口或自助终端打印个人缴存证明。"),
    ("bdc", "不动产登记信息查询", true, None, "权利人凭居民身份证、利害关系人凭证明材料到不动产登记分中心窗口查询，可打印查询结果。"),
    ("sw", "个人所得税纳税记录开具", true, Some("12366"), "凭居民身份证到税务局窗口或通过自助终端开具个人所得税纳税记录。"),
    ("sw", "代开增值税发票", true, Some("12366"), "携带居民身份证和合同等材料到税务局窗口申请代开，缴纳税款后当场出具发票。"),
    ("crj", "出入境证件办理预约", false, Some("12367"), "在网上办事大厅预约办理时间，按预约时间携带居民身份证到出入境窗口办理。"),
    ("ybj", "医保参保缴费查询", false, Some("12393"), "登录网上办事大厅或在自助终端查询医保参保状态和缴费记录。"),
    ("ybj", "异地就医备案咨询", true, Some("12393"), "到医保局窗口咨询异地长期居住、临时外出就医的备案条件，可当场备案。"),
    ("mzj", "婚姻登记预约", false, None, "在网上办事大厅选择登记日期和时段，按预约时间双方携带居民身份证和户口簿办理。"),
    ("dag", "档案查询利用", true, None, "凭居民身份证到档案馆窗口查阅婚姻、知青、招工等档案，可出具档案证明。"),
    ("scjg", "营业执照自助打印", true, Some("12315"), "登记完成后，法定代表人凭居民身份证在市场监管局窗口旁的自助终端打印营业执照。"),
    ("sfj", "法律援助咨询", true, Some("12348"), "到司法局窗口或拨打热线咨询法律问题；经济困难的可当场申请法律援助。"),
    ("cl", "残疾人证办理咨询", true, None, "到残联窗口咨询残疾评定和残疾人证申领、换领流程。"),
    ("tyjr", "退役军人优待证申领咨询", true, None, "到退役军人事务局窗口咨询优待证申领条件，现场采集信息。"),
    ("jyj", "学籍证明开具咨询", true, None, "到教育局窗口咨询中小学学籍证明的开具条件和所需材料。"),
    ("wsjk", "出生医学证明办理咨询", true, Some("12320"), "到卫健委窗口咨询出生医学证明首次签发、补发和换发的办理流程。"),
    ("jtys", "出租汽车服务投诉", false, Some("12328"), "拨打交通运输服务监督电话或在网上办事大厅提交投诉，5 个工作日内答复。"),
    ("qxj", "气象证明开具", true, None, "到气象局窗口申请出具指定日期、地点的天气情况证明。"),
    ("gdgs", "用电报装咨询", true, Some("95598"), "到供电公司窗口咨询居民和企业新装、增容用电的办理流程，可当场受理。"),
    ("gdgs", "电费缴纳", false, Some("95598"), "通过网上办事大厅或自助终端缴纳电费，也可到供电公司窗口缴纳。"),
];

/// Every list, as drafts to load: the powers list twice (the earlier version without the
/// special powers), the other three once.
pub(super) fn build(
    specs: &[DeptSpec],
    org: &Org,
    items: &[ServiceItem],
    now: Timestamp,
) -> anyhow::Result<Vec<ListDraft>> {
    let earlier = now.checked_sub(jiff::SignedDuration::from_hours(24 * 365))?;
    let draft = |kind: ListKind, label: &str, published_at, rows| ListDraft {
        label: label.to_owned(),
        published_at,
        sheet: Sheet::new(kind.as_str(), kind.columns(), rows),
    };
    Ok(vec![
        draft(ListKind::Powers, EARLIER_LABEL, earlier, powers(specs, items, false)),
        draft(ListKind::Powers, LABEL, now, powers(specs, items, true)),
        draft(ListKind::Duties, LABEL, now, duties(specs)?),
        draft(ListKind::Funds, LABEL, now, funds()),
        draft(ListKind::Services, LABEL, now, services(specs, org)?),
    ])
}

/// 权责清单: a power per licensing, confirmation, filing or other item of the catalog (its
/// base items, not their variants), a penalty per law and an inspection per two of its laws
/// for each enforcing department, and (with `special`) the powers of [`SPECIAL_POWERS`].
fn powers(specs: &[DeptSpec], items: &[ServiceItem], special: bool) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for spec in specs.iter().filter(|s| !NOT_ADMINISTRATIVE.contains(&s.code)) {
        let mut numbers = [0u32; 10];
        let mut push = |kind: PowerKind, name: &str, basis: &str| {
            let k = PowerKind::ALL.iter().position(|p| *p == kind).unwrap_or(9);
            numbers[k] += 1;
            let code = format!("{}-{}-{:03}", prefix(kind), spec.code.to_ascii_uppercase(), numbers[k]);
            let cells = [code.as_str(), name, kind.zh(), spec.code, basis, responsibility(kind)];
            rows.push(cells.map(str::to_owned).to_vec());
        };
        for base in &spec.items {
            let kind = match base.kind {
                ItemKind::Licensing => PowerKind::Licensing,
                ItemKind::Confirmation => PowerKind::Confirmation,
                ItemKind::Filing | ItemKind::Other => PowerKind::Other,
                // Public services are not powers: they are listed as services.
                ItemKind::PublicService => continue,
            };
            let item = items.iter().find(|i| i.department.as_str() == spec.code && i.name == base.name);
            let basis = item.map_or_else(|| spec.laws.first().copied().unwrap_or_default(), |i| i.legal_basis.as_str());
            push(kind, base.name, basis);
        }
        if !NOT_ENFORCING.contains(&spec.code) {
            for law in spec.laws.iter().take(3) {
                push(PowerKind::Penalty, &format!("对违反{law}行为的行政处罚"), law);
            }
            for law in spec.laws.iter().take(2) {
                push(PowerKind::Inspection, &format!("对执行{law}情况的监督检查"), law);
            }
        }
        if special {
            for (_, kind, name, basis) in SPECIAL_POWERS.iter().filter(|p| p.0 == spec.code) {
                push(*kind, name, basis);
            }
        }
    }
    rows
}

/// The code prefix of a kind of power.
fn prefix(kind: PowerKind) -> &'static str {
    match kind {
        PowerKind::Licensing => "XK",
        PowerKind::Penalty => "CF",
        PowerKind::Coercion => "QZ",
        PowerKind::Levy => "ZS",
        PowerKind::Payment => "GF",
        PowerKind::Inspection => "JC",
        PowerKind::Confirmation => "QR",
        PowerKind::Reward => "JL",
        PowerKind::Ruling => "CJ",
        PowerKind::Other => "QT",
    }
}

/// The responsibilities that come with a kind of power, as lists usually phrase them.
fn responsibility(kind: PowerKind) -> &'static str {
    match kind {
        PowerKind::Licensing => {
            "1.受理责任：公示应当提交的材料，一次性告知补正材料，依法受理或不予受理（不予受理的告知理由）。\
             2.审查责任：对申请材料进行审查，提出审查意见。3.决定责任：作出准予或者不予许可的决定，不予许可的告知理由。\
             4.送达责任：准予许可的制发证照并送达。5.事后监管责任：对被许可人开展监督检查。6.其他法律法规规章规定应履行的责任。"
        }
        PowerKind::Penalty => {
            "1.立案责任：对发现的涉嫌违法行为予以审查，决定是否立案。2.调查责任：全面、客观、公正地调查收集证据。\
             3.审查责任：审查案件事实、证据、程序和处罚意见。4.告知责任：告知当事人拟作出的处罚及其陈述、申辩和听证权利。\
             5.决定责任：依法作出处罚决定。6.送达责任：按法定期限送达处罚决定书。7.执行责任：监督当事人履行处罚决定。\
             8.其他法律法规规章规定应履行的责任。"
        }
        PowerKind::Coercion => {
            "1.催告责任：实施前告知当事人采取强制措施的理由、依据和权利。2.决定责任：依法作出强制决定，制作现场笔录。\
             3.执行责任：依照法定程序实施强制措施。4.事后监管责任：及时解除不再需要的强制措施。5.其他法律法规规章规定应履行的责任。"
        }
        PowerKind::Levy => {
            "1.受理责任：核实征收对象和征收依据。2.审核责任：审核应征数额。3.决定责任：依法作出征收决定并告知。\
             4.征收责任：按规定标准和程序征收，开具票据。5.事后监管责任：对征收情况进行监督检查。6.其他法律法规规章规定应履行的责任。"
        }
        PowerKind::Payment => {
            "1.受理责任：公示给付条件和所需材料，依法受理申请。2.审核责任：审核申请人资格和给付标准。\
             3.决定责任：作出给付或者不予给付的决定并公示。4.给付责任：按时足额发放。5.事后监管责任：开展动态管理和监督检查。\
             6.其他法律法规规章规定应履行的责任。"
        }
        PowerKind::Inspection => {
            "1.检查责任：依法制定检查计划，按规定程序实施检查。2.处置责任：对检查发现的问题依法作出处理。\
             3.移送责任：对不属于本部门职责的违法行为移送有关部门。4.事后管理责任：对整改情况进行跟踪。\
             5.其他法律法规规章规定应履行的责任。"
        }
        PowerKind::Reward => {
            "1.制定方案责任：制定奖励方案，明确条件和程序。2.组织推荐责任：组织推荐和评审。3.审核公示责任：审核并公示拟奖励名单。\
             4.表彰责任：作出奖励决定并颁发证书或者奖金。5.其他法律法规规章规定应履行的责任。"
        }
        PowerKind::Ruling => {
            "1.受理责任：审查裁决申请，依法受理或者不予受理。2.审理责任：调查取证，组织调解。3.裁决责任：依法作出裁决。\
             4.送达责任：送达裁决书。5.执行责任：监督裁决的执行。6.其他法律法规规章规定应履行的责任。"
        }
        PowerKind::Confirmation | PowerKind::Other => {
            "1.受理责任：公示应当提交的材料，一次性告知补正材料，依法受理或不予受理。2.审查责任：对申请材料进行审查。\
             3.决定责任：依法作出决定。4.送达责任：送达决定或者证明文件。5.事后监管责任：依法开展监督检查。\
             6.其他法律法规规章规定应履行的责任。"
        }
    }
}

/// 职责清单: six duties of each administrative department, its characteristic one second.
fn duties(specs: &[DeptSpec]) -> anyhow::Result<Vec<Vec<String>>> {
    let mut rows = Vec::new();
    for spec in specs.iter().filter(|s| !NOT_ADMINISTRATIVE.contains(&s.code)) {
        let (_, main, main_matters) = MAIN_DUTIES
            .iter()
            .find(|d| d.0 == spec.code)
            .with_context(|| format!("the demo names no main duty of department {}", spec.code))?;
        let basis = format!("《{}职能配置、内设机构和人员编制规定》", spec.name);
        let law = spec.laws.first().copied().unwrap_or("有关法律法规");
        let examples: Vec<&str> = spec.items.iter().take(3).map(|i| i.name).collect();
        let mut duties = vec![
            (
                format!("贯彻执行{law}等法律法规和方针政策"),
                "起草本领域地方性法规、规章草案和政策措施并组织实施；开展法治宣传教育".to_owned(),
            ),
            ((*main).to_owned(), (*main_matters).to_owned()),
            (
                "负责本部门政务服务事项的受理和办理".to_owned(),
                format!(
                    "办理{}等{}项政务服务事项；落实首问负责、一次性告知和限时办结制度",
                    examples.join("、"),
                    spec.items.len()
                ),
            ),
        ];
        if !NOT_ENFORCING.contains(&spec.code) {
            let law = spec.laws.get(1).copied().unwrap_or(law);
            duties.push((
                format!("负责{}职责范围内的监督管理和行政执法", spec.short),
                format!("依法查处违反{law}等法律法规的行为；组织开展日常监督检查和专项执法行动"),
            ));
        }
        duties.push((
            "负责本部门政务公开和政务服务“好差评”工作".to_owned(),
            "公开权责清单和办事指南；对差评事项进行整改和回访".to_owned(),
        ));
        duties.push(("完成市委、市政府交办的其他任务".to_owned(), "按照市委、市政府的部署完成其他工作".to_owned()));
        for (n, (duty, matters)) in (1..).zip(duties) {
            let code = format!("ZZ-{}-{n:02}", spec.code.to_ascii_uppercase());
            rows.push(vec![code, spec.code.to_owned(), duty, matters, basis.clone()]);
        }
    }
    Ok(rows)
}

/// 财政专项资金管理清单.
fn funds() -> Vec<Vec<String>> {
    let mut numbers: Vec<(&str, u32)> = Vec::new();
    FUNDS
        .iter()
        .map(|&(department, name, amount, purpose, basis)| {
            let n = match numbers.iter_mut().find(|(d, _)| *d == department) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    numbers.push((department, 1));
                    1
                }
            };
            let code = format!("ZJ-{}-{n:02}", department.to_ascii_uppercase());
            [code.as_str(), name, department, amount, purpose, basis].map(str::to_owned).to_vec()
        })
        .collect()
}

/// 便民服务事项: where (the department's window at its site, or nowhere for a service
/// online or by phone), when (the site's hours, or all day online), whom to call.
fn services(specs: &[DeptSpec], org: &Org) -> anyhow::Result<Vec<Vec<String>>> {
    let mut rows = Vec::new();
    for spec in specs {
        for (n, &(_, name, at_window, hotline, guide)) in (1..).zip(SERVICES.iter().filter(|s| s.0 == spec.code)) {
            let (site_code, site_phone) = site_of(spec.code);
            let site = org
                .sites
                .iter()
                .find(|s| s.code.as_str() == site_code)
                .with_context(|| format!("the demo has no site {site_code}"))?;
            let (place, hours) = if at_window {
                (format!("{}{}窗口", site.name, spec.short), site.hours.clone())
            } else {
                (String::new(), "全天（网上办理）".to_owned())
            };
            let code = format!("BM-{}-{n:02}", spec.code.to_ascii_uppercase());
            let phone = hotline.unwrap_or(site_phone);
            rows.push(vec![
                code,
                name.to_owned(),
                spec.code.to_owned(),
                place,
                hours,
                phone.to_owned(),
                guide.to_owned(),
            ]);
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_built_with_unique_codes_and_every_special_entry_has_its_department() {
        let specs = super::super::spec::departments().expect("the table");
        for table in [&SPECIAL_POWERS.iter().map(|p| p.0).collect::<Vec<_>>(), &FUNDS.iter().map(|f| f.0).collect()] {
            for code in table {
                assert!(specs.iter().any(|s| s.code == *code), "{code} is a demo department");
            }
        }
        for spec in specs.iter().filter(|s| !NOT_ADMINISTRATIVE.contains(&s.code)) {
            assert!(MAIN_DUTIES.iter().any(|d| d.0 == spec.code), "{} has a main duty", spec.code);
        }
        let powers = powers(&specs, &[], true);
        let earlier = powers_count(&specs);
        assert!(powers.len() > earlier && earlier > 250, "{} powers, {earlier} before", powers.len());
        let mut codes: Vec<&String> = powers.iter().map(|r| &r[0]).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), powers.len(), "codes are unique");
        for kind in PowerKind::ALL {
            assert!(powers.iter().any(|r| r[2] == kind.zh()), "some power is {}", kind.zh());
        }
    }

    fn powers_count(specs: &[DeptSpec]) -> usize {
        powers(specs, &[], false).len()
    }

    /// The demo's lists pass the check every imported file passes, and read back.
    #[tokio::test(flavor = "multi_thread")]
    async fn the_demo_lists_pass_the_import_check_and_are_published() {
        use rand::SeedableRng;
        use tongban_server::app::bulk;
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = tongban_store::Store::open(&url).await.expect("store opens");
        let app = crate::app_over(&store).await.expect("app");
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let specs = super::super::spec::departments().expect("the table");
        let org = super::super::org::build(&mut rng, &specs).expect("org");
        let items = super::super::catalog::build(&mut rng, &specs).expect("catalog");
        let console = tongban_server::auth::Principal::console();
        let organisation = bulk::Organisation {
            divisions: org.divisions.clone(),
            sites: org.sites.clone(),
            departments: org.departments.clone(),
            windows: org.windows.clone(),
            staff: org.staff.clone(),
        };
        let catalog = bulk::CatalogDraft { label: "x".into(), published_at: now(), items: items.clone() };
        bulk::load_organisation(&app, &console, organisation, vec![catalog]).await.expect("organisation");
        let drafts = build(&specs, &org, &items, now()).expect("drafts");
        let done = tongban_server::app::lists::load_lists(&app, &console, drafts).await.expect("the lists pass");
        let versions: Vec<(ListKind, Option<u32>)> = done.iter().map(|d| (d.kind, d.version)).collect();
        assert_eq!(
            versions,
            [
                (ListKind::Powers, Some(1)),
                (ListKind::Powers, Some(2)),
                (ListKind::Duties, Some(1)),
                (ListKind::Funds, Some(1)),
                (ListKind::Services, Some(1))
            ]
        );
        let (v, services) = tongban_server::app::lists::export(&app, ListKind::Services, None).await.expect("export");
        assert_eq!((v.label.as_str(), services.rows.len()), (LABEL, SERVICES.len()));
        let query = tongban_server::app::lists::ListQuery {
            q: Some("公积金 提取".into()),
            page: 1,
            per_page: 10,
            ..Default::default()
        };
        let found = tongban_server::app::lists::list(&app, ListKind::Services, &query).await.expect("search");
        assert_eq!(found.entries.first().map(|e| e.entry.name()), Some("住房公积金提取咨询"));
        store.close().await;
    }

    fn now() -> Timestamp {
        "2026-11-20T10:00:00+08:00".parse().expect("valid timestamp")
    }
}
