"""Word lists of the demo world: regions, cities, hospital names, people, departments."""

from __future__ import annotations

REGIONS: dict[str, tuple[str, ...]] = {
    "East": ("Shanghai", "Hangzhou", "Nanjing", "Suzhou", "Ningbo", "Hefei", "Jinan", "Qingdao",
             "Fuzhou", "Xiamen", "Wuxi"),
    "North": ("Beijing", "Tianjin", "Shijiazhuang", "Taiyuan", "Hohhot", "Shenyang", "Dalian",
              "Changchun", "Harbin"),
    "South": ("Guangzhou", "Shenzhen", "Dongguan", "Foshan", "Nanning", "Haikou", "Zhuhai"),
    "Central": ("Wuhan", "Changsha", "Zhengzhou", "Nanchang", "Luoyang", "Yichang"),
    "West": ("Chengdu", "Chongqing", "Xi'an", "Kunming", "Guiyang", "Lanzhou", "Urumqi",
             "Yinchuan", "Xining"),
}
CITY_REGION: dict[str, str] = {city: region for region, cities in REGIONS.items() for city in cities}

# Well-known teaching hospitals, kept as they are; the rest are built from patterns.
NAMED_HOSPITALS: tuple[tuple[str, str], ...] = (
    ("Shanghai", "Ruijin Hospital"), ("Shanghai", "Huashan Hospital"),
    ("Shanghai", "Zhongshan Hospital"), ("Shanghai", "Renji Hospital"),
    ("Shanghai", "Xinhua Hospital"), ("Beijing", "Peking Union Medical College Hospital"),
    ("Beijing", "Xuanwu Hospital"), ("Beijing", "Chaoyang Hospital"),
    ("Beijing", "Anzhen Hospital"), ("Beijing", "Tiantan Hospital"),
    ("Changsha", "Xiangya Hospital"), ("Wuhan", "Tongji Hospital"), ("Wuhan", "Union Hospital"),
    ("Chengdu", "West China Hospital"), ("Guangzhou", "Sun Yat-sen Memorial Hospital"),
    ("Guangzhou", "Nanfang Hospital"), ("Hangzhou", "Sir Run Run Shaw Hospital"),
    ("Xi'an", "Xijing Hospital"), ("Nanjing", "Drum Tower Hospital"),
    ("Tianjin", "Tianjin Medical University General Hospital"),
)
ORDINALS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth",
            "Ninth", "Tenth")
# (pattern, hospital_type, bed range)
HOSPITAL_PATTERNS: tuple[tuple[str, str, tuple[int, int]], ...] = (
    ("{city} {ordinal} People's Hospital", "general", (500, 2200)),
    ("The {ordinal} Affiliated Hospital of {city} Medical University", "university", (1200, 3800)),
    ("{city} Central Hospital", "general", (800, 2500)),
    ("{city} Municipal Hospital", "general", (400, 1400)),
    ("{city} Hospital of Traditional Chinese Medicine", "tcm", (300, 1200)),
    ("{city} Maternal and Child Health Hospital", "maternal_child", (200, 900)),
    ("{city} Children's Hospital", "children", (300, 1500)),
    ("{city} Cancer Hospital", "oncology", (400, 1800)),
    ("{city} Chest Hospital", "chest", (200, 900)),
    ("{city} Cardiovascular Hospital", "cardiovascular", (200, 1000)),
    ("{city} Orthopaedic Hospital", "orthopaedic", (150, 700)),
)
CLINIC_PATTERNS: tuple[tuple[str, str], ...] = (
    ("{city} {district} Community Health Service Center", "community_health"),
    ("{city} {district} Outpatient Clinic", "outpatient"),
    ("{city} {district} Dialysis Center", "dialysis_center"),
    ("{city} {district} Health Check Center", "health_check"),
)
LAB_PATTERNS: tuple[tuple[str, str], ...] = (
    ("{city} Clinical Laboratory Center", "independent_lab"),
    ("{city} Regional Pathology Laboratory", "pathology"),
    ("{city} Center for Disease Control Laboratory", "cdc_lab"),
    ("{city} Blood Center Laboratory", "blood_center"),
    ("{city} Genomics Testing Laboratory", "genomics"),
)
DISTRICTS = ("East", "West", "North", "South", "Riverside", "Lakeside", "Hi-Tech Zone",
             "Development Zone", "Old Town", "New Town")

SURNAMES = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu",
            "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Gao", "Lin", "Luo", "Zheng", "Liang", "Xie",
            "Song", "Tang", "Han", "Feng", "Deng", "Cao", "Peng", "Zeng", "Xiao", "Tian", "Dong",
            "Pan", "Yuan", "Cai", "Jiang", "Yu", "Du", "Ye", "Cheng", "Wei", "Su", "Lu", "Ding")
GIVEN_SYLLABLES = ("Wei", "Fang", "Min", "Jing", "Li", "Qiang", "Lei", "Jun", "Yang", "Yong",
                   "Yan", "Jie", "Juan", "Tao", "Ming", "Chao", "Hui", "Xia", "Ping", "Gang",
                   "Hua", "Xin", "Bo", "Peng", "Yu", "Hong", "Mei", "Lin", "Hao", "Ran", "Zhi",
                   "Jian", "Guo", "Ting", "Qian", "Rui", "Kai", "Shu", "Wen", "Xue", "Yi", "Lan")

ADMIN = "Administration"
EQUIPMENT = "Medical Equipment"
PROCUREMENT = "Procurement"
FINANCE = "Finance"
CLINICAL_DEPARTMENTS = ("Cardiology", "Radiology", "Intensive Care Unit", "Anesthesiology",
                        "General Surgery", "Clinical Laboratory", "Emergency", "Oncology",
                        "Nephrology", "Obstetrics", "Pediatrics", "Orthopaedics", "Neurology")
# Which clinical department uses a product, told by words in its category or name.
DEPARTMENT_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("ultrasound", "Radiology"), ("imaging", "Radiology"), ("x-ray", "Radiology"),
    ("radiograph", "Radiology"), ("ct", "Radiology"), ("mri", "Radiology"),
    ("monitor", "Intensive Care Unit"), ("ventilat", "Intensive Care Unit"),
    ("respirat", "Intensive Care Unit"), ("critical", "Intensive Care Unit"),
    ("anesth", "Anesthesiology"), ("anaesth", "Anesthesiology"),
    ("surg", "General Surgery"), ("endoscop", "General Surgery"), ("laparo", "General Surgery"),
    ("cardi", "Cardiology"), ("ecg", "Cardiology"), ("defib", "Cardiology"),
    ("laborator", "Clinical Laboratory"), ("diagnost", "Clinical Laboratory"),
    ("analy", "Clinical Laboratory"), ("hematol", "Clinical Laboratory"),
    ("ivd", "Clinical Laboratory"), ("dialys", "Nephrology"), ("renal", "Nephrology"),
    ("infusion", "Emergency"), ("emergenc", "Emergency"), ("oncolog", "Oncology"),
    ("neonat", "Pediatrics"), ("infant", "Pediatrics"), ("fetal", "Obstetrics"),
    ("obstet", "Obstetrics"), ("orthop", "Orthopaedics"), ("neuro", "Neurology"),
)
HOSPITAL_TYPE_DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "maternal_child": ("Obstetrics", "Pediatrics", "Intensive Care Unit"),
    "children": ("Pediatrics", "Intensive Care Unit", "Radiology"),
    "oncology": ("Oncology", "Radiology", "General Surgery"),
    "chest": ("Cardiology", "Intensive Care Unit", "Radiology"),
    "cardiovascular": ("Cardiology", "Intensive Care Unit", "Anesthesiology"),
    "orthopaedic": ("Orthopaedics", "Radiology", "Anesthesiology"),
    "dialysis_center": ("Nephrology",),
}
COMPETITORS = ("Mindray", "United Imaging", "GE Healthcare", "Siemens Healthineers", "Philips",
               "Neusoft Medical", "Yuwell", "Edan Instruments")
SITE = "https://www.meddist.example"
GENERIC_PAGES = (("/", "home"), ("/about", "about"), ("/news", "news"), ("/careers", "careers"),
                 ("/blog/hospital-procurement-trends", "blog"), ("/blog/smart-ward", "blog"),
                 ("/events/cmef", "events"), ("/contact", "contact"), ("/service", "service"))
REFERRERS = ("search", "direct", "email", "wechat", "linkedin", "partner")
