# -*- coding: utf-8 -*-
"""The 6 decoy groups of stream 11, every message written by hand.

A group holds separate small matters that look alike (and often look like a
burst). Each matter: (n, place, what, [(time, source, text), ...]).
Times are local (+08:00), day 2027-03-DD. Matters of one group are at least
6 h apart and no decoy message lies within 3 h of any burst.
"""

DECOYS = [
    dict(
        group="small_fire",
        what="separate small fires and smoke (e-bike, bin, kitchen hood, field burning, cable stripping, car, switch box, gas bottle)",
        matters=[
            (1, "沈家门", "e-bike caught fire while charging in a stairwell", [
                ("01 21:40", "wechat", "沈家门新街边上一栋老楼，楼道里有人给电瓶车充电起火了，邻居拿灭火器扑灭的，满楼道黑烟"),
                ("01 22:05", "12345", "来电人反映：沈家门某老旧小区楼道内电瓶车充电起火，虽已扑灭，但楼道内仍有多辆电瓶车违规充电，要求社区和消防部门整治。"),
            ]),
            (2, "临城", "a rubbish bin on fire at an estate gate", [
                ("02 08:20", "weibo", "临城小区门口的垃圾桶着火了，估计谁扔了烟头，保洁阿姨拎水浇灭了 #新城#"),
            ]),
            (3, "长峙岛", "a restaurant's range hood caught fire at noon (hours before the cable fire)", [
                ("02 14:40", "12345", "来电人反映：长峙岛一家餐馆中午油烟机起火，已被店员扑灭，但该店油烟管道长期未清洗，存在隐患，要求相关部门检查。"),
            ]),
            (4, "东沙", "field burning at the foot of a hill", [
                ("03 08:10", "wechat", "东沙那边山脚有人烧荒，烟飘到古镇里，游客都在捂鼻子"),
                ("03 08:50", "12345", "来电人反映：岱山东沙镇一处山脚有村民焚烧杂草，浓烟影响周边，要求镇里劝阻并加强春季防火宣传。"),
            ]),
            (5, "虾峙", "someone burns rubbish on the beach at night", [
                ("03 21:30", "weibo", "虾峙岛上有人晚上在海边烧垃圾，塑料味很重，一到晚上就烧 #普陀#"),
            ]),
            (6, "白泉", "a scrap yard burns cable insulation at night", [
                ("04 22:10", "wechat", "白泉镇上那个废品收购站又冒烟了，晚上偷偷烧电线皮"),
                ("04 23:00", "12345", "来电人反映：白泉某废品收购站夜间焚烧电线外皮提取铜线，黑烟刺鼻，已多次发生，要求环保执法部门夜查。"),
            ]),
            (7, "桃花岛", "straw burning in a vegetable plot, the morning of the hill fire", [
                ("05 07:20", "12345", "来电人反映：桃花岛某村有村民清晨在自家菜地焚烧稻草，烟雾飘进附近民宿，要求村里劝导。"),
            ]),
            (8, "岱西", "a car caught fire by the road", [
                ("05 21:30", "weibo", "岱西路边一辆小轿车突然自燃，车主跑得快，人没事，车烧成了架子"),
                ("05 21:50", "telegram", "岱西那辆车烧完了 消防刚到"),
            ]),
            (9, "勾山", "sparks from an estate's switch box", [
                ("06 17:20", "wechat", "勾山我们小区配电箱刚刚冒火花，啪啪响，物业已经拉闸了"),
            ]),
            (10, "金塘", "a leaking gas bottle caught fire at a barbecue stall", [
                ("07 19:30", "wechat", "金塘一家烧烤店门口煤气罐漏气着火，老板用湿棉被盖灭了，吓一跳"),
            ]),
        ],
    ),
    dict(
        group="phone_signal",
        what="separate signal and broadband problems (weak village signal, one building's broadband, a garage, slow 4G, a cut line)",
        matters=[
            (1, "干览", "weak signal in a village, long-standing", [
                ("01 22:00", "12345", "来电人反映：干览镇某村手机信号长期只有一格，老人打电话经常断线，要求运营商增设基站。"),
            ]),
            (2, "沈家门", "one building's broadband down since last night", [
                ("02 07:40", "wechat", "沈家门我们这栋楼宽带从昨晚断到现在，报修说要排队"),
                ("02 08:30", "12345", "来电人反映：沈家门某小区一栋楼宽带自昨晚起中断，报修后运营商迟迟未上门，影响孩子上网课，要求督促处理。"),
            ]),
            (3, "衢山", "telecom signal keeps dropping on the island", [
                ("02 14:45", "weibo", "衢山岛上电信信号最近老是断，打个电话要跑到山坡上 #岱山#"),
            ]),
            (4, "长峙岛", "an estate's underground garage has never had signal (the morning after the cable fire)", [
                ("03 09:00", "wechat", "长峙岛我们小区地下车库一直一点信号都没有，扫码出不去，车排到坡道上"),
                ("03 09:20", "12345", "来电人反映：长峙岛某小区地下车库长期无手机信号，出口扫码缴费无法完成，车辆拥堵，要求物业和运营商解决。"),
            ]),
            (5, "临城", "slow 4G in the evenings", [
                ("03 21:40", "telegram", "临城这边移动4G晚上慢得要死 视频都刷不动"),
            ]),
            (6, "朱家尖", "poor network around guesthouses", [
                ("04 22:30", "web", "您好：朱家尖某民宿集中区域手机信号和网络很差，游客投诉多，影响我们经营，希望运营商在旺季前扩容。盼复。"),
            ]),
            (7, "秀山", "a village's phone line and broadband cut by road works", [
                ("05 08:00", "12345", "来电人反映：秀山岛某村今晨起固定电话和宽带中断，疑似线路被施工挖断，要求尽快修复。"),
                ("05 08:40", "wechat", "秀山这边宽带断了，说是修路挖到线了"),
            ]),
            (8, "东极", "no signal in the evening for tourists", [
                ("06 18:00", "weibo", "东极岛上信号一到晚上就不行，游客想发个朋友圈都发不出去 #东极#"),
            ]),
            (9, "昌国", "one operator's signal gone in one building", [
                ("07 19:00", "wechat", "昌国这边我们楼里联通信号突然没了，别的运营商正常"),
                ("07 19:40", "12345", "来电人反映：昌国街道某小区联通手机信号今晚突然中断，其他运营商正常，要求联通公司排查。"),
            ]),
        ],
    ),
    dict(
        group="bus_service",
        what="separate bus complaints (skipped stops, an early last bus, old buses, a moved stop, late buses, rough driving)",
        matters=[
            (1, "白泉", "evening buses do not stop", [
                ("01 21:10", "12345", "来电人反映：白泉开往定海城区的公交晚上经常不进站直接开走，其多次在站台招手未停，要求公交公司加强管理。"),
                ("01 21:30", "wechat", "白泉这边晚班公交老是不停站，招手都没用"),
            ]),
            (2, "衢山", "the last bus left ten minutes early (the evening after the stoppage)", [
                ("02 07:10", "weibo", "衢山到凉峙码头的末班车昨天晚上提前十分钟就开走了，赶船的人只能打车 #衢山#"),
            ]),
            (3, "六横", "run-down buses", [
                ("02 13:30", "12345", "来电人反映：六横岛公交车车况较差，座椅破损、车窗关不上，要求公交公司更换车辆。"),
            ]),
            (4, "千岛", "a stop moved without notice", [
                ("03 07:30", "wechat", "千岛路那个站牌换了位置也不说一声，在老地方等了二十分钟"),
                ("03 07:50", "12345", "来电人反映：千岛路一处公交站台迁移后未设置提示，乘客在原站点等候误车，要求增设告示。"),
            ]),
            (5, "高亭", "last bus too early", [
                ("03 22:00", "telegram", "高亭 最后一班车九点就没了 太早"),
            ]),
            (6, "解放路", "crowded buses at rush hour", [
                ("04 22:15", "web", "您好：解放路一带晚高峰公交车太挤，经常要等两三趟才上得去，建议加密班次。盼复。"),
            ]),
            (7, "东港", "morning bus half an hour late", [
                ("05 07:50", "12345", "来电人反映：东港某公交线路早班车今晨晚点近半小时，学生上学迟到，要求公交公司说明原因。"),
                ("05 08:10", "wechat", "东港早班车又晚点，孩子第一节课迟到了"),
            ]),
            (8, "菜园", "weekend timetable changed, old sign", [
                ("06 17:40", "weibo", "嵊泗菜园镇上公交周末改时刻表了，站牌上还是老的 #嵊泗#"),
            ]),
            (9, "勾山", "rough driving", [
                ("07 18:30", "wechat", "勾山这边有个公交司机开车太猛了，老人站不稳差点摔倒"),
                ("07 18:50", "12345", "来电人反映：勾山街道某线路公交司机驾驶过猛，急刹急转，车上老人险些摔倒，要求公交公司加强教育。"),
            ]),
        ],
    ),
    dict(
        group="hospital_wait",
        what="separate hospital / clinic complaints (booking, blood-test queue, night paediatrics, missing drugs, CT wait, parking, no night doctor, no weekend specialists, Sunday closing)",
        matters=[
            (1, "沈家门", "online booking slots gone at once", [
                ("01 21:20", "web", "您好：沈家门某社区卫生服务中心网上预约号总是一放出来就没有，老人不会抢，建议保留部分现场号。盼复。"),
            ]),
            (2, "高亭", "long blood-test queue, one window open", [
                ("02 09:10", "wechat", "高亭这边医院早上抽血的队排到门口，两个窗口只开了一个"),
                ("02 09:40", "12345", "来电人反映：高亭镇某医院检验科早晨抽血排队时间过长，仅开一个窗口，要求增加人手。"),
            ]),
            (3, "临城", "one doctor at night paediatrics", [
                ("03 08:40", "12345", "来电人反映：临城某医院儿科夜间急诊只有一名医生，昨晚候诊超过三小时，要求增加夜间力量。"),
            ]),
            (4, "昌国", "blood-pressure drugs out of stock at a community clinic (the evening before the system failure, same street)", [
                ("03 21:20", "wechat", "昌国那边社区医院配药的药总是缺，降压药跑了两趟都没有"),
                ("03 21:45", "12345", "来电人反映：昌国街道社区卫生服务中心常用降压药长期缺货，老人需往返多次，要求卫健部门协调。"),
            ]),
            (5, "嵊泗", "CT wait until next week", [
                ("04 22:00", "weibo", "嵊泗县医院做个CT要排到下礼拜，小毛病都拖成大毛病了"),
            ]),
            (6, "东港", "queue into the car park", [
                ("05 08:30", "12345", "来电人反映：东港某医院停车场车位紧张，就诊车辆排队进场至路面，造成拥堵，要求增设停车位或加强引导。"),
                ("05 08:55", "weibo", "东港医院门口进停车场排了半小时，看病先看车 #普陀#"),
            ]),
            (7, "岱西", "no doctor on night duty", [
                ("05 21:00", "wechat", "岱西卫生院晚上没有医生值班，孩子发烧只能跑到高亭去"),
            ]),
            (8, "金塘", "no specialists at weekends", [
                ("06 17:00", "12345", "来电人反映：金塘岛上医院周末不开专家门诊，岛上老人需坐船到定海看病，要求安排专家定期坐诊。"),
            ]),
            (9, "盐仓", "community clinic closed on Sunday afternoon", [
                ("07 17:30", "wechat", "盐仓这边社区医院周日下午就关门了，打个疫苗还要请假"),
                ("07 17:50", "12345", "来电人反映：盐仓街道社区卫生服务中心周日下午不开放，上班族接种疫苗不便，建议实行错时服务。"),
            ]),
        ],
    ),
    dict(
        group="prepaid_closure",
        what="separate shops closing with prepaid balances (barber, English school, car wash, beauty salon, swimming pool, cake shop, playground, laundry)",
        matters=[
            (1, "东港", "a barber shop shut with card balances", [
                ("01 22:30", "wechat", "东港那家理发店突然关门了，我卡里还有八百块"),
                ("01 22:50", "12345", "来电人反映：东港某理发店突然停业，其会员卡余额约800元无法使用，店主电话不接，要求市场监管部门处理。"),
            ]),
            (2, "临城", "a children's English school stops classes", [
                ("02 10:00", "web", "尊敬的领导：临城某少儿英语培训机构上周起停课，家长预交的一年学费无法退还，负责人一直推脱。请教育和市场监管部门介入。盼复。"),
            ]),
            (3, "沈家门", "a car wash closed", [
                ("03 09:30", "telegram", "沈家门 洗车店关门了 卡里还有十次"),
            ]),
            (4, "勾山", "a beauty salon closed (same street as the gym, four days earlier)", [
                ("03 21:50", "12345", "来电人反映：勾山街道某美容院已关门多日，其充值的3000元尚未消费，要求帮助追讨。"),
                ("03 22:10", "weibo", "勾山那家美容院人去楼空了，群里有三十几个姐妹 #预付卡#"),
            ]),
            (5, "解放路", "a swimming pool closes for three months, no extension", [
                ("04 21:50", "wechat", "解放路那家游泳馆说要装修三个月，年卡也不给延期，过分了"),
            ]),
            (6, "高亭", "a cake shop closed", [
                ("05 09:00", "12345", "来电人反映：高亭镇一家蛋糕店停业，其预存的蛋糕卡无法使用，店铺已转租，要求处理。"),
                ("05 09:20", "wechat", "高亭那家蛋糕店关门了，卡里还有五百多，找谁去"),
            ]),
            (7, "千岛路", "a children's playground closed", [
                ("06 16:30", "weibo", "千岛路那家儿童乐园停业了，上个月刚办的次卡 #新城#"),
            ]),
            (8, "朱家尖", "a laundry closed with clothes inside", [
                ("07 17:40", "12345", "来电人反映：朱家尖某洗衣店停业，其送洗的衣物和储值卡余额均无着落，要求协调取回衣物。"),
            ]),
        ],
    ),
    dict(
        group="wind_damage",
        what="separate wind damage (greenhouse film, swaying billboard, loose awning, tin shed, leaning tree, loose roof, fishing nets, roof tiles, site hoarding) - no hail",
        matters=[
            (1, "马岙", "greenhouse film torn by wind, the day before the hail", [
                ("02 11:00", "wechat", "马岙这两天风大，我家大棚的膜被吹开了一半，谁来帮帮忙"),
                ("02 11:30", "12345", "来电人反映：马岙街道某村近日风大，其家蔬菜大棚薄膜被刮破，询问是否有相关补贴。"),
            ]),
            (2, "沈家门", "a billboard swaying", [
                ("01 22:40", "weibo", "沈家门滨港路一块广告牌晃得厉害，风一吹哐哐响，路过心慌 #普陀#"),
            ]),
            (3, "干览", "a shop awning loose after a windy night (the morning of the hail)", [
                ("03 08:00", "12345", "来电人反映：干览镇某沿街商铺雨棚松动，昨夜风大险些掉落，要求城管督促店主加固。"),
            ]),
            (4, "衢山", "a tin shed blown over at the pier", [
                ("03 22:30", "telegram", "衢山码头边铁皮棚被风掀了 没人管"),
            ]),
            (5, "新城", "a leaning street tree", [
                ("04 22:20", "wechat", "新城海天大道边上一棵行道树歪了，感觉随时要倒"),
                ("04 22:45", "12345", "来电人反映：新城海天大道一棵行道树倾斜严重，根部松动，存在倒伏风险，要求园林部门处理。"),
            ]),
            (6, "白泉", "a factory's loose roof sheets, loose since last month (two days after the hail)", [
                ("05 07:30", "wechat", "白泉我们村那个厂房屋顶的铁皮上个月就松了，风一大就噼啪响，一直没人修"),
            ]),
            (7, "岱东", "fishing nets blown onto the road", [
                ("05 21:10", "12345", "来电人反映：岱东镇某渔港堆放的渔网被大风吹到路上，影响通行，要求清理。"),
                ("05 21:30", "weibo", "岱东这边风太大了，渔网吹了一路 #岱山#"),
            ]),
            (8, "嵊山", "roof tiles fell from an old house", [
                ("06 16:40", "web", "您好：嵊山镇一处老房子屋顶瓦片被风吹落，砸在路边，所幸无人经过，请镇里排查危房。盼复。"),
            ]),
            (9, "六横", "site hoarding blown down onto the pavement", [
                ("07 17:20", "wechat", "六横码头附近工地围挡被风刮倒了，横在人行道上"),
            ]),
        ],
    ),
]
