"""The canonical directory of the units named in 琼商服〔2020〕150号.

Pure Python on purpose: the plan parser, data migrations and tests use it without
Django being set up.

Naming rules:
- The canonical name is the most formal spelling the responsibility column (责任分工)
  of the appendix uses, because that table is what assigns the work: 省发展改革委 over
  省发改委, 省市场监督管理局 over 省市场监管局, 省自然资源规划厅 over 省资规厅 (the
  document never writes the official 省自然资源和规划厅, so that spelling is not used).
- Spellings from the body text and from measure cells (海南省商务厅, 中国人行海口中心支行,
  海南省服务贸易创新发展联席会议办公室 ...) are aliases only.
- 水务 and 环保 appear only as abbreviations in task 3; their canonical names
  (省水务厅, 省生态环境厅) are the bodies' official short names and the only canonical
  names that do not occur in the document.
- Central bodies that the document prefixes with 省 (省银保监局, 省证监局, 省民航局) are
  the same offices as 海南银保监局, 海南证监局 and 民航海南安全监督管理局: Hainan has no
  provincial banking, securities or civil-aviation regulator of its own.
- Collectives are folded by the kind of body they name, not by which subset is meant:
  every unnamed set of departments or units (各有关部门, 相关单位, 有关行业主管部门) is
  有关部门, and every set of city or county governments (市县, 有关市县, 各园区所属地政府)
  is 各市县. Collectives of other kinds of body stay distinct (各市县教育局,
  各市县商务主管部门, the member units of the two different joint meetings).
"""

from dataclasses import dataclass

PROVINCIAL = "provincial"
PARTY = "party"
CENTRAL = "central"
CITY = "city"
PARK = "park"
COLLECTIVE = "collective"
OTHER = "other"

KINDS = (PROVINCIAL, PARTY, CENTRAL, CITY, PARK, COLLECTIVE, OTHER)


@dataclass(frozen=True)
class DepartmentEntry:
    name: str
    short_name: str
    kind: str
    aliases: tuple[str, ...]


def _entry(name: str, kind: str, *aliases: str, short_name: str = "") -> DepartmentEntry:
    """Build an entry whose aliases include the canonical name, longest first."""
    spellings = dict.fromkeys((name, *aliases))
    ordered = tuple(sorted(spellings, key=len, reverse=True))
    return DepartmentEntry(name=name, short_name=short_name or name, kind=kind, aliases=ordered)


DIRECTORY: tuple[DepartmentEntry, ...] = (
    # The office is "other", not "provincial": it sits inside 省商务厅 but is the
    # joint meeting's coordinating office, which supervises the plan and receives every
    # lead's progress reports, so it must not be counted as one more department.
    _entry(
        "省服务贸易创新发展试点联席会议办公室",
        OTHER,
        "海南省服务贸易创新发展联席会议办公室",
        "联席会议办公室",
        short_name="联席会议办公室",
    ),
    # Provincial government departments, in the usual order of the provincial government.
    _entry(
        "省发展改革委", PROVINCIAL, "省发改委", "发改", "海南省发展改革部门", short_name="省发改委"
    ),
    _entry("省教育厅", PROVINCIAL),
    _entry("省科技厅", PROVINCIAL),
    _entry("省工信厅", PROVINCIAL),
    _entry("省公安厅", PROVINCIAL),
    _entry("省司法厅", PROVINCIAL),
    _entry("省财政厅", PROVINCIAL),
    _entry("省人社厅", PROVINCIAL),
    _entry("省自然资源规划厅", PROVINCIAL, "省资规厅", "资规", short_name="省资规厅"),
    _entry("省生态环境厅", PROVINCIAL, "环保"),
    _entry("省住建厅", PROVINCIAL),
    _entry("省交通厅", PROVINCIAL, "交通"),
    _entry("省水务厅", PROVINCIAL, "水务"),
    _entry("省商务厅", PROVINCIAL, "海南省商务厅", "商务厅"),
    _entry("省旅文厅", PROVINCIAL),
    _entry("省卫健委", PROVINCIAL),
    _entry("省国资委", PROVINCIAL),
    _entry("省市场监督管理局", PROVINCIAL, "省市场监管局", short_name="省市场监管局"),
    _entry("省医保局", PROVINCIAL),
    _entry("省药品监管局", PROVINCIAL),
    # 省知识产权 (task 91) is the same cell cut short.
    _entry("省知识产权局", PROVINCIAL, "省知识产权"),
    _entry("省金融局", PROVINCIAL),
    # Statutory bodies and institutions directly under the provincial government take
    # tasks exactly like departments, so they share the "provincial" kind.
    _entry("省大数据管理局", PROVINCIAL),
    _entry("海南经发局", PROVINCIAL),
    _entry("省社会保险服务中心", PROVINCIAL),
    _entry("省贸促会", PROVINCIAL),
    # Party committee departments.
    _entry("省委组织部", PARTY),
    _entry("省委宣传部", PARTY),
    _entry("省委统战部", PARTY),
    _entry("省委网信办", PARTY),
    _entry("省委外办", PARTY),
    _entry("省委人才局", PARTY),
    # Central bodies stationed in Hainan (vertical management, not the province's own).
    _entry("海口海关", CENTRAL),
    _entry("人行海口中心支行", CENTRAL, "中国人行海口中心支行"),
    _entry("国家外汇管理局海南省分局", CENTRAL),
    _entry("海南银保监局", CENTRAL, "省银保监局"),
    _entry("海南证监局", CENTRAL, "省证监局"),
    _entry("海南省税务局", CENTRAL),
    _entry(
        "民航海南安全监督管理局",
        CENTRAL,
        "民航海南安全监管局",
        "省民航局",
        short_name="民航海南安全监管局",
    ),
    # Both report to ministries in Beijing (MIIT, State Post Bureau), despite the 省.
    _entry("省通信管理局", CENTRAL),
    _entry("省邮政管理局", CENTRAL),
    # City and county governments.
    _entry("海口市政府", CITY),
    _entry("三亚市政府", CITY),
    _entry("琼海市政府", CITY),
    _entry("澄迈县政府", CITY),
    _entry("陵水县", CITY),
    # Park management bodies.
    _entry("博鳌乐城管理局", PARK),
    _entry("海南生态软件园管理局", PARK),
    # Collectives: sets of units, never one body.
    _entry(
        "各成员单位",
        COLLECTIVE,
        "省服务贸易创新发展联席会议成员单位",
    ),
    _entry("“双随机、一公开”监管联席会议成员单位", COLLECTIVE, short_name="双随机联席会议成员单位"),
    _entry("有关部门", COLLECTIVE, "各有关部门", "相关单位", "有关行业主管部门"),
    _entry(
        "各市县",
        COLLECTIVE,
        "市县",
        "有关市县",
        "各园区所属地政府",
        "各市、县、自治县人民政府",
    ),
    _entry("各市县教育局", COLLECTIVE, "各市县教育主管部门"),
    _entry("各市县商务主管部门", COLLECTIVE, "市县商务主管部门"),
    _entry("各园区管理机构", COLLECTIVE, "园区"),
    # The provincial high court is a judicial organ, outside government and party.
    _entry("省高院", OTHER),
)


def _build_index(entries: tuple[DepartmentEntry, ...]) -> dict[str, DepartmentEntry]:
    """Map every spelling to its entry, refusing a spelling claimed twice."""
    index: dict[str, DepartmentEntry] = {}
    for entry in entries:
        if entry.kind not in KINDS:
            raise ValueError(f"{entry.name}: unknown kind {entry.kind!r}")
        for alias in entry.aliases:
            if alias in index:
                raise ValueError(f"{alias!r} is claimed by {index[alias].name} and {entry.name}")
            index[alias] = entry
    return index


_BY_SPELLING = _build_index(DIRECTORY)

# Longest first, so that a scanner tries 省知识产权局 before 省知识产权, 市县商务主管部门
# before 市县.
SPELLINGS: tuple[str, ...] = tuple(sorted(_BY_SPELLING, key=len, reverse=True))


def resolve(name: str) -> DepartmentEntry:
    """Return the entry for any spelling the document uses."""
    try:
        return _BY_SPELLING[name.strip()]
    except KeyError:
        raise KeyError(
            f"unknown department spelling {name!r}; add it as an alias in "
            "departments/directory.py if it names a real body"
        ) from None
