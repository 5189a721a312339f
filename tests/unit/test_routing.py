"""Routing 12345 complaints: 属地 jurisdiction, city-wide matters, co-handlers, emergencies,
excluded matters, urgency and texts that are not complaints at all."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.tickets.evaluation import (
    PROJECT,
    cross_validate,
    cross_validate_by_source,
    evaluate,
    load_cases,
)
from bot.tickets.routing import Router

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
TZ = ZoneInfo("Asia/Shanghai")
MAY = datetime(2026, 5, 12, 10, 0, tzinfo=TZ)
JULY = datetime(2026, 7, 14, 10, 0, tzinfo=TZ)


@pytest.fixture(scope="module")
def router() -> Router:
    return Router.load(KNOWLEDGE)


@pytest.mark.parametrize(
    ("text", "department", "jurisdiction", "location"),
    [
        ("定海环南街道有家饭店油烟直接排到我们楼里", "定海区综合行政执法局", "dinghai", "环南街道"),
        (
            "普陀朱家尖有家海鲜排档宰客，一盘虾要了八百",
            "普陀区市场监督管理局",
            "putuo",
            "朱家尖街道",
        ),
        ("岱山高亭镇有人在卖过期食品", "岱山县市场监督管理局", "daishan", "高亭镇"),
        ("嵊泗枸杞岛上又停电了", "国网舟山供电公司", "shengsi", "枸杞乡"),
        ("嵊泗菜园镇的饭店用地沟油", "嵊泗县市场监督管理局", "shengsi", "菜园镇"),
        (
            "临城那个工地半夜还在施工，吵得睡不着",
            "舟山市综合行政执法局新城分局",
            "xincheng",
            "临城街道",
        ),
        ("千岛街道有家工厂偷排废水", "舟山市生态环境局定海分局", "xincheng", "千岛街道"),
        ("六横岛上有家化工厂废气刺鼻", "舟山市生态环境局普陀分局", "putuo", "六横镇"),
        ("沈家门有人偷倒危险废物", "舟山市生态环境局普陀分局", "putuo", "沈家门街道"),
        ("普陀东港有家药店卖假药", "普陀区市场监督管理局", "putuo", "东港街道"),
    ],
)
def test_a_matter_goes_to_the_body_of_the_place_named(
    router: Router, text: str, department: str, jurisdiction: str, location: str
) -> None:
    result = router.route(text, now=MAY)
    assert (result.department, result.jurisdiction, result.location) == (
        department,
        jurisdiction,
        location,
    )


def test_xincheng_falls_back_to_dinghai_where_it_has_no_body_of_its_own(router: Router) -> None:
    result = router.route("临城有个养老院护工打老人", now=MAY)
    assert result.jurisdiction == "xincheng"
    assert result.department == "定海区民政局"


def test_without_a_place_the_city_handles_it(router: Router) -> None:
    result = router.route("超市卖过期的牛奶，我买回家才发现", now=MAY)
    assert result.location is None
    assert (result.jurisdiction, result.department) == ("city", "舟山市市场监督管理局")


def test_a_citywide_matter_goes_to_the_city_even_when_a_district_is_named(router: Router) -> None:
    result = router.route("建议全市推广垃圾分类积分兑换，定海已经有试点了", now=MAY)
    assert result.jurisdiction == "city"
    assert result.department == "舟山市综合行政执法局"
    assert result.type == "建议"


@pytest.mark.parametrize(
    ("text", "department"),
    [
        ("去岱山衢山的轮渡船票太难买了", "舟山市港航和口岸管理局"),
        ("我在嵊泗交的公积金怎么提取", "舟山市住房公积金管理中心"),
    ],
)
def test_city_only_functions_stay_municipal_wherever_the_matter_is(
    router: Router, text: str, department: str
) -> None:
    result = router.route(text, now=MAY)
    assert result.jurisdiction in {"daishan", "shengsi"}
    assert result.department == department


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("码头边上的垃圾一个礼拜没人清了", "city_management"),
        ("办结婚登记要带户口本伐", "civil_affairs"),
        ("有人自称统计局的，上门要拍我的身份证", "statistics"),
        ("科技局的科技项目今年什么时候申报", "science_tech"),
        ("来电称小区里的路灯坏了好几天了", "housing_construction"),
        ("私家车天天违停在公交站台前面，公交车进不了站", "public_security"),
        ("劳务中介收了求职者押金，说岗位满了也不退", "human_resources"),
        ("公司工资一半发现金，就是为了少交个税、逃税", "tax"),
        ("医院开的财政票据不知道真假，去哪里查", "finance"),
    ],
)
def test_the_matter_decides_the_category_not_a_word_of_its_setting(
    router: Router, text: str, category: str
) -> None:
    assert router.route(text, now=MAY).category == category


def test_a_municipal_hospital_is_supervised_by_the_city(router: Router) -> None:
    result = router.route("舟山医院挂号太难了，排了三个小时", now=MAY)
    assert result.department == "舟山市卫生健康委员会"


def test_several_functions_named_give_a_lead_and_co_handlers(router: Router) -> None:
    result = router.route("楼下饭店晚上音响开到半夜，后厨的油烟和泔水味也很大，沈家门", now=MAY)
    assert result.department == "普陀区综合行政执法局"
    assert result.co_departments == ["普陀区市场监督管理局"]
    assert result.co_department_ids == ["putuo.market_regulation"]


def test_a_joint_rule_names_its_lead_and_co_handlers(router: Router) -> None:
    result = router.route("群租房里住了二十几个人，电线乱拉，定海城东", now=MAY)
    assert result.department == "定海区住房和城乡建设局"
    assert result.co_departments == ["舟山市公安局定海区分局", "定海区消防救援大队"]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("着火了！阿拉楼下一家店着火了，烟很大", "119"),
        ("有人拿着刀在抢劫，就在凯虹广场门口", "110"),
        ("我家老人突然晕倒了，叫不醒", "120"),
        ("千岛路上两辆车撞了，有人受伤", "122"),
        ("刚刚在跨海大桥上追尾，三辆车撞在一起", "122"),
        ("有人站在楼顶说要跳楼", "110"),
        ("我外公刚才一边嘴巴歪了，左手也抬不起来", "120"),
        ("小孩在商场里不见了，一转身就找不到了", "110"),
        ("台风把一棵树吹倒压在车上，司机被困在里面出不来", "119"),
        ("小囡在公园门口一眨眼人没了，到处寻不着", "110"),
        ("一个男的在菜场里追着他老婆打", "110"),
        ("my dad fell down the stairs and is bleeding a lot", "120"),
        ("help, our kitchen is on fire", "119"),
        ("a man with a knife is attacking people outside the mall", "110"),
        ("工人在码头上干活热晕了", "120"),
        ("电瓶车和小轿车刮了，骑车的人躺在路上", "122"),
        ("前面出事故了，一辆车翻在路边，还在冒烟", "122"),
        ("学校门口一个陌生男的要把小姑娘拽上车，小姑娘在哭", "110"),
        ("大巴上有个乘客发酒疯在抢司机的方向盘", "110"),
    ],
)
def test_emergencies_tell_the_citizen_to_call_the_number_at_once(
    router: Router, text: str, number: str
) -> None:
    result = router.route(text, now=MAY)
    assert result.emergency == number
    assert number in result.emergency_message and "立即" in result.emergency_message
    assert result.department is None and result.due_at is None
    assert result.type == "求助"


@pytest.mark.parametrize(
    "text",
    [
        "这个路口经常发生车祸，建议装个红绿灯",
        "上个月小区里着过一次火，到现在消防通道还是堵着",
        "楼道电线乱拉，有火灾隐患",
        "车祸后保险公司一直拖着不理赔",
        "天然气一直打不着火，是不是管道的问题",
        "工厂晚上排放黑烟，呛得人喘不过气",
        "我还以为对面楼着火了，原来是他们家在烧烤",
        "上礼拜在菜场被人抢了手机，派出所到现在还没消息",
        "楼道里堆满纸箱，哪天烧起来就麻烦了",
        "人行道上井盖被偷了，晚上肯定有人掉下去",
        "我爸中风以后一直瘫在床上，想问问家庭医生能不能上门",
        "我的车停在路边被人刮了，想查一下监控",
        "我跟物业说了好多次车被刮了",
        "地下车库的卷帘门坏了，车卡在里面出不来",
    ],
)
def test_past_feared_or_merely_possible_events_are_not_emergencies(
    router: Router, text: str
) -> None:
    result = router.route(text, now=MAY)
    assert result.emergency is None
    assert result.department is not None


@pytest.mark.parametrize(
    "text",
    [
        "Last week there was a car accident, the insurance has not paid",
        "my website crashed and the hotline is missing information",
    ],
)
def test_english_about_the_past_or_not_about_people_is_no_emergency(
    router: Router, text: str
) -> None:
    assert router.route(text, now=MAY).emergency is None


@pytest.mark.parametrize(
    ("text", "excluded", "channel_word"),
    [
        ("我已经向法院起诉了开发商，法院判了他们不执行怎么办", "litigation", "人民法院"),
        ("公司欠我工资，我已经申请了劳动仲裁，一直不开庭", "arbitration", "仲裁委员会"),
        ("我的信访件在信访局处理了三个月了", "petition", "信访"),
        ("举报村书记贪污扶贫款", "discipline", "12388"),
        ("村里的干部收红包帮人批宅基地", "discipline", "12388"),
        ("对行政处罚决定不服，想申请行政复议", "reconsideration", "行政复议"),
    ],
)
def test_matters_the_hotline_does_not_take_name_the_right_channel(
    router: Router, text: str, excluded: str, channel_word: str
) -> None:
    result = router.route(text, now=MAY)
    assert result.excluded == excluded
    assert channel_word in result.excluded_message
    assert result.department is None and result.due_at is None


def test_asking_for_an_audit_is_not_a_lawsuit(router: Router) -> None:
    result = router.route("村里修路的钱花得不明不白，请审计局来审一审账目", now=MAY)
    assert result.excluded is None
    assert result.category == "audit"


def test_legal_aid_is_hotline_work_although_it_mentions_a_lawsuit(router: Router) -> None:
    result = router.route("请问法律援助能帮我打官司吗", now=MAY)
    assert result.excluded is None
    assert result.department == "舟山市司法局"


@pytest.mark.parametrize(
    "text",
    [
        "楼下一股好重的煤气味，是不是漏气了",
        "电梯困人了，我妈一个人被关在电梯里出不来",
        "马路中间塌了一个大坑，车子差点掉进去",
    ],
)
def test_urgent_matters_are_due_in_hours(router: Router, text: str) -> None:
    result = router.route(text, now=MAY)
    assert result.urgent
    assert result.due_at == datetime(2026, 5, 13, 10, 0, tzinfo=TZ)
    assert result.sign_by == datetime(2026, 5, 12, 10, 30, tzinfo=TZ)


def test_a_whole_building_without_water_is_urgent_in_summer_only(router: Router) -> None:
    text = "整栋楼停水一天了，老人小孩都没水用"
    assert router.route(text, now=JULY).urgent
    assert not router.route(text, now=MAY).urgent


def test_a_normal_complaint_is_due_in_working_days(router: Router) -> None:
    result = router.route("小区门口天天有车违停", now=MAY)
    assert result.type == "投诉" and not result.urgent
    assert result.due_at == datetime(2026, 5, 19, 17, 30, tzinfo=TZ)
    assert result.sign_by == datetime(2026, 5, 12, 12, 0, tzinfo=TZ)


@pytest.mark.parametrize("text", ["", "   ", "😀😡👍", "<p></p>", "？？？"])
def test_texts_without_content_route_nowhere(router: Router, text: str) -> None:
    result = router.route(text, now=MAY)
    assert result.type is None and result.department is None and result.due_at is None
    assert not result.needs_operator


def test_html_is_stripped_before_routing(router: Router) -> None:
    result = router.route(
        "<div><b>定海昌国街道</b>停水两天了&nbsp;</div><script>x</script>", now=MAY
    )
    assert "<" not in result.text
    assert result.department == "舟山市自来水有限公司"
    assert result.location == "昌国街道"


def test_a_5000_character_text_is_cut_to_2000_and_routed(router: Router) -> None:
    text = ("楼下饭店油烟扰民，" * 600)[:5000]
    result = router.route(text, now=MAY)
    assert len(result.text) == 2000
    assert result.category == "city_management"


def test_english_is_left_to_an_operator_without_failing(router: Router) -> None:
    result = router.route("Hello, my water has been cut off for two days", now=MAY)
    assert result.type == "投诉", "a default type, never a crash"
    assert result.emergency is None and result.excluded is None
    assert result.confidence < 0.2, "too unsure to be trusted without an operator"


def test_every_result_is_json_ready_with_offset_times(router: Router) -> None:
    data = router.route("沈家门夜排档那边有人占道摆摊", now=MAY).to_dict()
    text = json.dumps(data, ensure_ascii=False)
    assert data["due_at"].endswith("+08:00")
    assert "沈家门" in text


def test_naive_now_is_taken_as_local_time(router: Router) -> None:
    aware = router.route("路灯坏了", now=MAY)
    naive = router.route("路灯坏了", now=MAY.replace(tzinfo=None))
    assert aware.due_at == naive.due_at and naive.due_at.tzinfo is not None


def test_the_labelled_set_meets_the_targets(router: Router) -> None:
    report = evaluate(router, load_cases(KNOWLEDGE / "eval" / "routing.yml"))
    rates = {name: score.rate for name, score in report.scores.items()}
    assert report.cases >= 260
    assert rates["department"] >= 0.95
    assert rates["jurisdiction"] >= 0.95
    assert rates["type"] >= 0.90
    assert rates["emergency"] == 1.0
    assert rates["excluded"] == 1.0


def test_cross_validation_routes_every_training_example_with_models_that_never_saw_it() -> None:
    examples = load_cases(KNOWLEDGE / "routing_training.yml")
    report = cross_validate(KNOWLEDGE, folds=5)
    rates = {name: score.rate for name, score in report.scores.items()}
    assert report.cases == len(examples)
    assert rates["category"] >= 0.95
    assert rates["type"] >= 0.88
    assert rates["emergency"] >= 0.98


def test_each_fresh_batch_is_routed_by_models_trained_without_it() -> None:
    """A batch from a writer the models never read is how new complaints arrive: the figures
    random folds give are an upper bound for it."""
    examples = load_cases(KNOWLEDGE / "routing_training.yml")
    sources = {str(e.get("source") or PROJECT) for e in examples}
    assert {"A", "B", "C", "D", "E", PROJECT} <= sources
    reports = cross_validate_by_source(KNOWLEDGE, sources=("A", "B", "C", "D", "E"))
    for name, report in reports.items():
        rates = {metric: score.rate for metric, score in report.scores.items()}
        assert report.cases == sum(1 for e in examples if e.get("source") == name)
        assert rates["category"] >= 0.93, name
        assert rates["type"] >= 0.87, name
        assert rates["emergency"] >= 0.99, name


def test_a_question_about_a_failing_is_a_complaint_and_asking_someone_to_act_is_for_help(
    router: Router,
) -> None:
    assert router.route("自来水烧开以后有一层白色的沉淀，这个水还能喝吗", now=MAY).type == "投诉"
    assert (
        router.route("公园长椅下面睡了个老人，晚上要降温了，有没有人管一下", now=MAY).type == "求助"
    )
