/** 工作台的中文文本：键与 en.ts 相同（类型检查保证）。 */
import type { Catalog } from "./en";

const zh: Catalog = {
  app: { name: "ipgov", tagline: "企业知识产权治理" },
  common: {
    loading: "加载中…", save: "保存", cancel: "取消", apply: "应用", preview: "预览",
    refresh: "刷新", more: "加载更多", none: "暂无内容。", error: "出错了",
    notAllowed: "您的角色在此处不允许此操作。", close: "关闭", actions: "操作",
    status: "状态", created: "创建时间", search: "搜索", download: "下载", export: "导出 CSV",
    unknown: "未知", yes: "是", no: "否", retry: "重试",
    previous: "上一页", next: "下一页", page: "第 {{page}} 页",
  },
  signin: {
    title: "登录", email: "电子邮箱", password: "密码", submit: "登录",
    failed: "登录失败", forgot: "忘记密码？", invitation: "有邀请链接？",
    sso: { or: "或", with: "使用 {{name}} 登录" },
  },
  shell: {
    jump: { screen: "页面", tenant: "租户" },
    tenant: "租户", menu: "菜单", language: "语言", signOut: "退出登录", search: "跳转到页面或租户",
    nav: {
      home: "首页", reviews: "评审", directives: "整改指令", escalations: "上报事项",
      governance: "治理", members: "成员与权限", supervision: "监督",
      audit: "审计记录", jobs: "作业", plugins: "插件", sso: "单点登录", sections: {
        work: "工作", govern: "治理", oversee: "监督", plugins: "插件",
      },
    },
    notFound: "没有这个页面。", noTenants: "您还没有可工作的租户。",
    extensionUnavailable: "此插件的页面不可用：{{reason}}",
    extensionFailed: "此插件的页面加载失败：{{reason}}",
  },
  home: {
    title: "待我处理", directives: "我的未完成指令", escalations: "待我决定的上报事项",
    reviews: "进行中的评审", noDirectives: "没有属于您的未完成指令。",
    noEscalations: "没有等待您决定的事项。", noReviews: "没有进行中的评审。",
    due: "{{date}} 到期", overdue: "自 {{date}} 起逾期",
  },
  reviews: {
    title: "评审", request: "发起评审", requestGroup: "评审整个集团",
    requested: "已发起评审", progress: "已完成 {{done}} / {{total}} 项检查",
    children: "已完成 {{done}} / {{total}} 家子公司", scores: "各职能得分",
    findings: "发现", overall: "总体", coverage: "覆盖率 {{value}}%",
    notAssessed: "未评估", requestedBy: "发起人", started: "开始", finished: "结束",
    noRuns: "尚无评审：请发起一次。", run: "评审", kind: "类型", check: "检查项",
    severity: "严重程度", result: "结果", detail: "详情",
  },
  directives: {
    title: "整改指令", action: "措施", owner: "负责角色", due: "期限", severity: "严重程度",
    function: "职能", close: "标记为完成", closed: "指令已关闭", open: "未完成",
    done: "已完成", all: "全部", escalated: "已上报", escalatedHelp: "已上报集团：由集团决定。",
  },
  governance: {
    title: "治理", mode: "治理模式", modes: {
      centralized: "集中式", decentralized: "分散式", hybrid: "混合式",
    },
    modeHelp: {
      centralized: "集团角色在每家子公司生效；集团的策略和插件适用于子公司。",
      hybrid: "集团角色在子公司生效且其基线为强制；子公司可增加自己的授权。",
      decentralized: "各子公司自行治理；集团仅保留监督。",
    },
    previewTitle: "改为{{mode}}将产生的影响", change: "更改模式",
    changed: "治理模式已更改", rulesCopied: "条规则复制", rulesRemoved: "条规则移除",
    supervisionKept: "保留监督", gained: "获得", lost: "失去", pluginsOn: "启用插件",
    pluginsOff: "停用插件", noChange: "权限无变化",
    noneBelow: "此租户以下没有人获得或失去权限，也没有插件生效或失效。",
    tree: "集团结构", onboard: "接入子公司", slug: "简称（slug）", name: "名称",
    parent: "上级", onboarded: "子公司已接入", status: "状态",
    absorb: "吸收合并租户", parallel: "以平行汇报方式加入", mergers: "并购",
    absorbHelp: "所选租户的全部数据并入本租户；其本身作为历史保留，审计记录独立。",
    parallelHelp: "所选租户（连同其下属租户和知识产权部门）加入本租户之下，并遵循本租户的治理模式。",
    otherTenant: "另一租户", merged: "并购已完成",
  },
  members: {
    title: "成员与权限", members: "成员", invitations: "邀请", policies: "策略",
    invite: "邀请", email: "电子邮箱", role: "角色", displayName: "姓名", invited: "邀请已发送",
    link: "邀请链接（邮件未能发送）", revoke: "撤销", state: "状态",
    expires: "到期", inherited: "继承", subject: "主体", object: "对象",
    action: "操作", effect: "效果", origin: "来源", addRule: "添加规则", ruleAdded: "规则已添加",
    removeRule: "移除",
  },
  sso: {
    title: "单点登录", add: "添加身份提供方", edit: "编辑", remove: "删除",
    removeConfirm: "确定删除该身份提供方？其用户的账号和角色将保留。",
    saved: "身份提供方已保存", removed: "身份提供方已删除", name: "名称",
    issuer: "签发方（Issuer）URL", discoveryUrl: "发现文档 URL（可选）", clientId: "客户端 ID",
    clientSecret: "客户端密钥", secretKept: "留空则保留已存储的密钥",
    scopes: "授权范围", emailClaim: "邮箱声明", nameClaim: "姓名声明", groupsClaim: "用户组声明",
    jit: "未知用户", jitCreate: "自动创建账号", jitRefuse: "拒绝登录",
    domains: "允许的邮箱域名", direct: "接受用户组声明中 ipgov:<租户>:<角色> 形式的值",
    enabled: "启用", redirectUri: "回调地址（请在身份提供方处登记）",
    mappings: "角色映射", mappingValue: "用户组声明值", mappingTenant: "租户",
    mappingRole: "角色", addMapping: "添加映射", inherited: "该租户由集团集中管理：适用集团的身份提供方。",
  },
  supervision: {
    title: "监督", heatmap: "按租户和职能的得分", tenant: "租户",
    overall: "总体", overdue: "逾期指令", risks: "超出容忍度的风险",
    escalations: "待决上报", auditTrail: "审计记录", intact: "完整",
    broken: "已损坏", unknown: "未验证", lastReview: "最近评审", noReview: "从未评审",
    downloads: "下载", detail: "租户详情", openFindings: "未关闭的发现",
    trend: "最近几次评审的总体得分",
    coverageNote: "没有得分的单元格表示未评估：没有检查项能够判断。",
  },
  plugins: {
    title: "插件", name: "插件", subtree: "同时用于下属所有子公司", changed: "插件已更改",
    changes: "各租户的变化", inEffect: "生效中", off: "未生效", imposed: "由集团强制",
    ownChoice: "本租户选择", forSubtree: "适用于下属租户", enable: "启用", disable: "停用",
    imposedHelp: "集团在此强制使用该插件：只有集团可以使其失效。",
  },
  jobs: { title: "作业", kind: "类型", errors: "出错的记录", cancel: "取消" },
  audit: {
    title: "审计记录", action: "操作", actor: "操作人", at: "时间", object: "对象",
    verify: "校验哈希链", verified: "哈希链完整（{{count}} 条事件）",
    brokenAt: "哈希链在事件 {{id}} 处断开", filterAction: "操作包含",
  },
};

export default zh;
