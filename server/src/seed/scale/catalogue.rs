//! What the generated branches hold: one rules catalogue, the deeds members report under it,
//! places, names and the committee's reasons, all in the words village branches use.

use jifen_shared::domain::RuleCategory;

/// A catalogue item: (category, name, description, points, cap per quarter, cap per year).
pub type Item = (
    RuleCategory,
    &'static str,
    &'static str,
    i32,
    Option<i32>,
    Option<i32>,
);

/// Index of the attendance item in [`ITEMS`] (meetings award it).
pub const MEETING: usize = 0;
/// Index of the absence item (meetings take it from those absent without leave).
pub const ABSENCE: usize = 8;
/// Index of the item the committee's deductions use.
pub const VILLAGE_RULES: usize = 9;

pub const ITEMS: &[Item] = &[
    (
        RuleCategory::Base,
        "按时参加组织生活",
        "每次按时参加支部党员大会、党小组会或党课",
        2,
        None,
        Some(24),
    ),
    (
        RuleCategory::Base,
        "按时足额交纳党费",
        "按月足额交纳党费",
        5,
        None,
        Some(20),
    ),
    (
        RuleCategory::Bonus,
        "卫生责任区全季度保持整洁",
        "认领的卫生责任区一个季度保持干净整洁",
        10,
        Some(10),
        None,
    ),
    (
        RuleCategory::Bonus,
        "参加扫雪清路义务劳动",
        "参加清扫积雪、疏通道路等义务劳动，每次每人",
        1,
        Some(10),
        None,
    ),
    (
        RuleCategory::Bonus,
        "为群众义务理发",
        "每月为村民义务理发一次",
        5,
        Some(20),
        None,
    ),
    (
        RuleCategory::Bonus,
        "帮扶困难群众",
        "为孤寡老人、困难家庭办实事，每次",
        3,
        Some(15),
        None,
    ),
    (
        RuleCategory::Bonus,
        "调解邻里纠纷",
        "协助村委会调解邻里矛盾纠纷，每起",
        3,
        None,
        Some(30),
    ),
    (
        RuleCategory::Bonus,
        "认领公益岗位",
        "认领并履行设岗定责的公益岗位，每季度",
        5,
        Some(5),
        None,
    ),
    (
        RuleCategory::Deduction,
        "无故缺席组织生活",
        "无正当理由不参加组织生活，每次",
        -5,
        None,
        None,
    ),
    (
        RuleCategory::Deduction,
        "违反村规民约",
        "经支委会核实的违反村规民约行为",
        -10,
        None,
        None,
    ),
];

/// The items members report deeds under, with how often (out of the sum of weights).
pub const REPORTED: &[(usize, u32)] = &[(1, 2), (2, 2), (3, 4), (4, 2), (5, 4), (6, 2), (7, 1)];

/// What members write: (item, title, account).
pub const DEEDS: &[(usize, &str, &str)] = &[
    (1, "按时交纳本月党费", "通过手机按时足额交纳了本月党费。"),
    (
        2,
        "责任区本季度保持整洁",
        "认领的文化广场东侧卫生责任区，每周清扫两次，本季度保持干净。",
    ),
    (
        3,
        "清扫村口道路积雪",
        "早上六点和村里几位党员一起清扫村口到乡道约两百米的积雪，保证学生上学通行。",
    ),
    (
        3,
        "疏通排水沟",
        "雨后和邻居一起疏通村东头排水沟，清出淤泥三车。",
    ),
    (4, "为村里老人义务理发", "在村委会为八位老人免费理发。"),
    (
        5,
        "帮孤寡老人收玉米",
        "帮村西头独居的张大爷收了两亩玉米，并拉回家晾晒。",
    ),
    (
        5,
        "陪困难户就医",
        "开车送困难户李大娘去县医院复查，帮忙挂号取药。",
    ),
    (
        6,
        "调解宅基地纠纷",
        "协助村委会调解两户村民因宅基地边界引起的纠纷，双方签字和解。",
    ),
    (
        7,
        "公益岗位：护路员",
        "本季度每周两次巡查村道，清理路障并报告损坏路段。",
    ),
];

/// The committee's reasons.
pub const REJECT: &[&str] = &[
    "本季度同一事项已申报，不重复计分",
    "所述事项不属于本支部积分细则范围",
];
pub const CAPPED: &str = "该项积分已达本期上限，不再计分";
pub const RETURN: &[&str] = &["请补充具体日期和参与人数", "请补充现场照片或证明人"];
pub const REVOKE: &[&str] = &[
    "经群众反映核实，当天未开展该项服务",
    "经核实系重复申报，撤销此前审核",
];
pub const DEDUCT: &[&str] = &[
    "支委会决定：家门口长期堆放柴草占用村道，经劝不改",
    "支委会决定：酒后在村委会吵闹，影响办公",
];
pub const FEEDBACK: &[&str] = &[
    "建议公示时把每项加分的具体事由写得再细一些，群众看得更明白。",
    "村东头的路灯坏了半个月，希望党员带头反映一下。",
    "这个季度党员扫雪很积极，点赞。",
];
pub const DISMISS: &str = "建议已转村委会处理；不涉及个人积分";

pub const PLACES: &[&str] = &[
    "村委会",
    "村东头到乡道的路段",
    "村文化广场",
    "村卫生室门口",
    "村小学门口",
    "村西头农田",
];

pub const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗",
];
pub const GIVEN: &[&str] = &[
    "建国", "秀英", "志强", "桂兰", "海涛", "玉梅", "德胜", "凤霞", "永福", "春燕", "国庆", "丽娟",
    "振华", "淑芬", "宏伟", "红梅", "建军", "秀兰", "文明", "翠花",
];

/// Syllables for place names: counties, towns and villages.
pub const PLACE_A: &[&str] = &[
    "东", "西", "南", "北", "前", "后", "大", "小", "上", "下", "新", "老", "高", "石", "柳", "杨",
    "李", "王", "张", "马",
];
pub const PLACE_B: &[&str] = &[
    "关", "营", "庄", "屯", "桥", "河", "湖", "坡", "岗", "集", "寨", "店", "园", "沟", "铺", "楼",
    "湾", "洼", "台", "堡",
];

/// A place name for the `n`th unit: two syllables, then a number when they run out.
pub fn place(n: usize) -> String {
    let a = PLACE_A[n % PLACE_A.len()];
    let b = PLACE_B[(n / PLACE_A.len()) % PLACE_B.len()];
    let round = n / (PLACE_A.len() * PLACE_B.len());
    match round {
        0 => format!("{a}{b}"),
        r => format!("{a}{b}{r}"),
    }
}

pub fn person(n: usize) -> String {
    format!(
        "{}{}",
        SURNAMES[n % SURNAMES.len()],
        GIVEN[(n * 7 + n / SURNAMES.len()) % GIVEN.len()]
    )
}
