/** Every text the screens show, in English and Chinese (the Chinese catalog must be complete:
 * the type below refuses a missing key). */
import { useText } from "@ipgov/workspace-sdk";

const en = {
  // common
  loadMore: "Load more", save: "Save", cancel: "Cancel", edit: "Edit", delete: "Delete",
  actions: "Actions", all: "All", none: "None", saved: "Saved", deleted: "Deleted",
  confirmDelete: "Delete this asset and its deadlines?", yes: "Yes", no: "No",
  shown: "{{count}} shown", more: "more available",
  // asset register
  assetsTitle: "IP asset register", registerAsset: "Register asset", importAssets: "Import",
  exportCsv: "Export CSV", filterKind: "Kind", filterStatus: "Status", filterJurisdiction: "Jurisdiction",
  viewList: "List", viewFamilies: "Families", view: "View", noFamily: "Without family",
  familyOf: "Family {{id}}", assetsInFamily: "{{count}} assets",
  title: "Title", kind: "Kind", jurisdiction: "Jurisdiction", familyId: "Family", numbers: "Numbers",
  applicationNumber: "Application number", publicationNumber: "Publication number",
  registrationNumber: "Registration number", kindCode: "Kind code", status: "Status",
  assignee: "Assignee", owner: "Owner", inventors: "Inventors", cpcCodes: "CPC codes",
  valueTier: "Value tier", priorityDate: "Priority date", filingDate: "Filing date",
  publicationDate: "Publication date", grantDate: "Grant date", expiryDate: "Expiry date",
  source: "Source", listHint: "Separate several with commas",
  inventorsHint: "Press Enter after each name (a name may hold a comma: Lovelace, Ada)",
  newAsset: "Register an asset", editAsset: "Edit {{title}}", editAssetNamed: "Edit {{title}}",
  deleteAssetNamed: "Delete {{title}}", created: "Registered {{title}}",
  // import
  importTitle: "Import assets from CSV or XLSX", importFile: "CSV or XLSX file",
  importHelp: "Columns of the register (kind, title, jurisdiction, application_number, status, owner, …) or a Google Patents export. Excel files are read in the browser: the first sheet becomes CSV.",
  chooseFile: "Choose a file", atomic: "All or nothing (store no row if any row is bad)",
  runImport: "Import", importDone: "{{created}} created, {{updated}} updated",
  importRowErrors: "Rows not imported: {{count}}. Nothing was stored from them; correct them and import the file again (rows already imported are updated, not duplicated).",
  importAtomicErrors: "Nothing was imported: all or nothing was asked, and rows with problems: {{count}}.",
  row: "Row", column: "Column", message: "Problem", rowValues: "Rows as read from the file",
  onlyBad: "Only rows with problems", notStored: "Not stored", stored: "Stored",
  preview: "{{rows}} rows read from {{file}}", xlsxFailed: "The Excel file could not be read: {{reason}}",
  // deadlines
  deadlinesTitle: "Deadlines", dueOn: "Due", description: "Description", asset: "Asset",
  overdue: "Overdue", inDays: "in {{days}} days", today: "today", daysAgo: "{{days}} days ago",
  calendar: "Calendar", list: "List", statusFilter: "Status", addDeadline: "Add deadline",
  markDone: "Done", markWaived: "Waive", markMissed: "Missed", reopen: "Reopen",
  markNamed: "{{action}}: {{what}}", noDeadlines: "No deadlines in the next 90 days",
  rule: "Rule", computed: "Computed", manual: "Manual", graceUntil: "grace until {{date}}",
  forecast: "Cost forecast", forecastTitle: "Official fees per year and subsidiary ({{currency}})",
  reportingCurrency: "Reporting currency", years: "Years", year: "Year", subsidiary: "Entity",
  reportingAmount: "In {{currency}}", missingRates: "No exchange rate recorded for {{currencies}}: those fees are left out of the chart.",
  feesUnchecked: "Some amounts come from the sources the rules cite and were not yet checked against the offices' current fee lists: confirm them before budgeting (docs/docketing.md).",
  downloadCsv: "Download CSV", forecastChart: "Bar chart of official fees per year, one bar per entity",
  widgetMore: "All deadlines", previousMonth: "Previous month", nextMonth: "Next month", deadlineKind: "Kind", chooseAsset: "Asset",
  // risks
  risksTitle: "IP risk register", likelihood: "Likelihood", impact: "Impact", score: "Score",
  category: "Category", treatment: "Treatment", treatmentPlan: "Treatment plan",
  matrix: "Likelihood × impact", matrixCell: "Likelihood {{l}}, impact {{i}}: {{count}} risks",
  appetite: "Risk appetite", tolerance: "Tolerance", toleranceOf: "Highest acceptable score",
  aboveTolerance: "Above tolerance", withinTolerance: "Within tolerance", newRisk: "Add risk",
  editRisk: "Edit risk", acceptRisk: "Accept", approver: "Approver", expiresOn: "Acceptance expires",
  acceptedBy: "Accepted by {{who}} until {{until}}", noStatement: "No appetite statement set",
  selectCell: "Risks in the chosen cell", clearCell: "Show all", inheritedFrom: "set by the group",
  ownSetting: "own setting", defaultSetting: "platform default",
  // profile
  profileTitle: "Framework profile", currentProfile: "Current", targetProfile: "Target",
  radar: "Current and target tier per function", gaps: "Gaps by priority", outcome: "Outcome",
  domain: "Domain", current: "Current", target: "Target", gap: "Gap", weight: "Weight",
  priority: "Priority", assessedAt: "Assessed {{when}}", neverAssessed: "never assessed",
  averageTier: "Average tier of assessed outcomes", function: "Function",
  // licences
  licencesTitle: "Licences and royalties", direction: "Direction", counterparty: "Counterparty",
  scope: "Scope", territory: "Territory", exclusive: "Exclusive", royaltyTerms: "Royalty terms",
  term: "Term", payments: "Royalty payments", paidOn: "Paid on", amount: "Amount", currency: "Currency",
  reference: "Reference", recordPayment: "Record payment", recordPaymentFor: "Record a payment: {{who}}",
  noPayments: "No payment recorded", assetsCount: "{{count}} assets", royaltyFree: "Royalty-free",
  licenceIn: "In-licence", licenceOut: "Out-licence", total: "Total {{amount}} {{currency}}",
  // incidents
  incidentsTitle: "Incidents, responses and recovery", reportIncident: "Report incident",
  detectedOn: "Detected", severity: "Severity", responses: "Responses", recovery: "Recovery plan",
  noResponses: "No response yet", noRecovery: "No recovery plan yet", recordResponse: "Record response",
  recordResponseFor: "Record a response: {{title}}", responseAction: "Action", responder: "Responder",
  takenOn: "Taken on", closeIncident: "Close", closeIncidentNamed: "Close {{title}}",
  confirmClose: "Close this incident?", steps: "Steps",
  // strategy and management systems
  strategyTitle: "IP strategy", objectives: "Objectives and KPIs", kpiChart: "KPI {{kpi}}: measurements against the target",
  targetValue: "Target {{value}} {{unit}}", swot: "SWOT", strength: "Strengths", weakness: "Weaknesses",
  opportunity: "Opportunities", threat: "Threats", noMeasurements: "No measurement yet", measured: "Measured",
  reassessEvery: "Reassessed every {{days}} days", approvedAt: "Approved {{when}}", noStrategy: "No strategy yet",
  pdcaTitle: "Management systems: PDCA", plan: "Plan", do: "Do", check: "Check", act: "Act", completeCycle: "Complete",
  nextPhase: "Next: {{phase}}", cadence: "A cycle at least every {{days}} days", lastCycle: "Last complete cycle {{when}}",
  noCycle: "No complete cycle yet", startedAt: "Started {{when}}", pdcaBoard: "Cycles by their next phase",
  // certification
  certTitle: "GB/T 29490 certification checklist", clause: "Clause", evidence: "Evidence",
  present: "Present", stale: "Stale", missing: "Missing", records: "{{count}} records",
  newest: "newest {{when}}", generatedAt: "Generated {{when}}", reason: "Why",
  // controlled documents
  docsTitle: "Controlled documents", docCode: "Code", docKind: "Kind", inherited: "Imposed by the group",
  supplement: "Local supplement", versions: "Versions", version: "Version", author: "Author",
  approvers: "Approvers", approvalMode: "Approval", effectiveOn: "Effective", reviewDueOn: "Review by",
  acknowledgements: "Acknowledged", approve: "Approve", reject: "Reject", acknowledge: "Acknowledge",
  decided: "Decision recorded", acknowledged: "Acknowledged", sequence: "In sequence", quorum: "Quorum {{count}}",
  in_approval: "In approval", approved: "Approved", rejected: "Rejected", superseded: "Superseded",
  noVersions: "No version yet",
};

type Key = keyof typeof en;

const zh: Record<Key, string> = {
  loadMore: "加载更多", save: "保存", cancel: "取消", edit: "编辑", delete: "删除",
  actions: "操作", all: "全部", none: "无", saved: "已保存", deleted: "已删除",
  confirmDelete: "删除该资产及其期限？", yes: "是", no: "否",
  shown: "已显示 {{count}} 条", more: "还有更多",
  assetsTitle: "知识产权资产台账", registerAsset: "登记资产", importAssets: "导入",
  exportCsv: "导出 CSV", filterKind: "类型", filterStatus: "状态", filterJurisdiction: "法域",
  viewList: "列表", viewFamilies: "同族", view: "视图", noFamily: "无同族",
  familyOf: "同族 {{id}}", assetsInFamily: "{{count}} 项资产",
  title: "名称", kind: "类型", jurisdiction: "法域", familyId: "同族", numbers: "号码",
  applicationNumber: "申请号", publicationNumber: "公开号",
  registrationNumber: "注册号/授权号", kindCode: "文献类型代码", status: "状态",
  assignee: "权利人", owner: "负责人", inventors: "发明人", cpcCodes: "CPC 分类号",
  valueTier: "价值等级", priorityDate: "优先权日", filingDate: "申请日",
  publicationDate: "公开日", grantDate: "授权日", expiryDate: "届满日",
  source: "来源", listHint: "多个请用逗号分隔",
  inventorsHint: "每输入一个姓名后按回车（姓名中可含逗号，如 Lovelace, Ada）",
  newAsset: "登记资产", editAsset: "编辑 {{title}}", editAssetNamed: "编辑 {{title}}",
  deleteAssetNamed: "删除 {{title}}", created: "已登记 {{title}}",
  importTitle: "从 CSV 或 XLSX 导入资产", importFile: "CSV 或 XLSX 文件",
  importHelp: "台账列（kind、title、jurisdiction、application_number、status、owner 等）或 Google Patents 导出文件。Excel 文件在浏览器中读取：第一个工作表转为 CSV。",
  chooseFile: "选择文件", atomic: "全部或全不（任一行有误则不保存任何行）",
  runImport: "导入", importDone: "新建 {{created}} 项，更新 {{updated}} 项",
  importRowErrors: "{{count}} 行未导入：这些行的内容均未保存。请更正后重新导入该文件（已导入的行会被更新，不会重复）。",
  importAtomicErrors: "未导入任何内容：已要求全部或全不，且有 {{count}} 行有误。",
  row: "行", column: "列", message: "问题", rowValues: "从文件读取的行",
  onlyBad: "只看有问题的行", notStored: "未保存", stored: "已保存",
  preview: "从 {{file}} 读取了 {{rows}} 行", xlsxFailed: "无法读取该 Excel 文件：{{reason}}",
  deadlinesTitle: "期限", dueOn: "到期日", description: "说明", asset: "资产",
  overdue: "已逾期", inDays: "{{days}} 天后", today: "今天", daysAgo: "{{days}} 天前",
  calendar: "日历", list: "列表", statusFilter: "状态", addDeadline: "添加期限",
  markDone: "完成", markWaived: "放弃", markMissed: "错过", reopen: "重新打开",
  markNamed: "{{action}}：{{what}}", noDeadlines: "未来 90 天内没有期限",
  rule: "规则", computed: "自动计算", manual: "手工录入", graceUntil: "宽限期至 {{date}}",
  forecast: "费用预测", forecastTitle: "各年度各主体的官费（{{currency}}）",
  reportingCurrency: "报告币种", years: "年数", year: "年度", subsidiary: "主体",
  reportingAmount: "折合 {{currency}}", missingRates: "未登记 {{currencies}} 的汇率：图中未计入这些费用。",
  feesUnchecked: "部分金额取自规则所引来源，尚未与各局现行收费表核对：编制预算前请先确认（见 docs/docketing.md）。",
  downloadCsv: "下载 CSV", forecastChart: "各年度官费柱状图，每个主体一根柱",
  widgetMore: "全部期限", previousMonth: "上个月", nextMonth: "下个月", deadlineKind: "类型", chooseAsset: "资产",
  risksTitle: "知识产权风险登记册", likelihood: "可能性", impact: "影响", score: "分值",
  category: "类别", treatment: "处置方式", treatmentPlan: "处置计划",
  matrix: "可能性 × 影响", matrixCell: "可能性 {{l}}，影响 {{i}}：{{count}} 项风险",
  appetite: "风险偏好", tolerance: "容忍度", toleranceOf: "可接受的最高分值",
  aboveTolerance: "超出容忍度", withinTolerance: "在容忍度内", newRisk: "添加风险",
  editRisk: "编辑风险", acceptRisk: "接受", approver: "批准人", expiresOn: "接受到期日",
  acceptedBy: "由 {{who}} 接受，至 {{until}}", noStatement: "尚未设定风险偏好声明",
  selectCell: "所选格中的风险", clearCell: "显示全部", inheritedFrom: "由集团设定",
  ownSetting: "本租户设定", defaultSetting: "平台默认",
  profileTitle: "框架画像", currentProfile: "现状", targetProfile: "目标",
  radar: "各职能的现状与目标层级", gaps: "按优先级排列的差距", outcome: "成果",
  domain: "领域", current: "现状", target: "目标", gap: "差距", weight: "权重",
  priority: "优先级", assessedAt: "评估于 {{when}}", neverAssessed: "从未评估",
  averageTier: "已评估成果的平均层级", function: "职能",
  licencesTitle: "许可与许可费", direction: "方向", counterparty: "相对方",
  scope: "范围", territory: "地域", exclusive: "独占", royaltyTerms: "许可费条款",
  term: "期限", payments: "许可费支付", paidOn: "支付日", amount: "金额", currency: "币种",
  reference: "参考号", recordPayment: "登记支付", recordPaymentFor: "登记支付：{{who}}",
  noPayments: "尚无支付记录", assetsCount: "{{count}} 项资产", royaltyFree: "免许可费",
  licenceIn: "许可引进", licenceOut: "许可输出", total: "合计 {{amount}} {{currency}}",
  incidentsTitle: "事件、响应与恢复", reportIncident: "报告事件",
  detectedOn: "发现日", severity: "严重程度", responses: "响应", recovery: "恢复计划",
  noResponses: "尚无响应", noRecovery: "尚无恢复计划", recordResponse: "登记响应",
  recordResponseFor: "登记响应：{{title}}", responseAction: "措施", responder: "响应人",
  takenOn: "采取日", closeIncident: "关闭", closeIncidentNamed: "关闭 {{title}}",
  confirmClose: "关闭该事件？", steps: "步骤",
  strategyTitle: "知识产权战略", objectives: "目标与关键指标", kpiChart: "指标 {{kpi}}：测量值与目标",
  targetValue: "目标 {{value}} {{unit}}", swot: "SWOT 分析", strength: "优势", weakness: "劣势",
  opportunity: "机会", threat: "威胁", noMeasurements: "尚无测量值", measured: "测量值",
  reassessEvery: "每 {{days}} 天重新评估", approvedAt: "批准于 {{when}}", noStrategy: "尚无战略",
  pdcaTitle: "管理体系：PDCA", plan: "策划", do: "实施", check: "检查", act: "改进", completeCycle: "已完成",
  nextPhase: "下一步：{{phase}}", cadence: "至少每 {{days}} 天完成一轮", lastCycle: "最近完成一轮于 {{when}}",
  noCycle: "尚无完整的一轮", startedAt: "开始于 {{when}}", pdcaBoard: "按下一阶段排列的循环",
  certTitle: "GB/T 29490 认证检查表", clause: "条款", evidence: "证据",
  present: "齐备", stale: "过期", missing: "缺失", records: "{{count}} 条记录",
  newest: "最新 {{when}}", generatedAt: "生成于 {{when}}", reason: "原因",
  docsTitle: "受控文件", docCode: "编号", docKind: "类别", inherited: "集团下发",
  supplement: "本地补充", versions: "版本", version: "版本", author: "编写人",
  approvers: "审批人", approvalMode: "审批方式", effectiveOn: "生效日", reviewDueOn: "评审期限",
  acknowledgements: "已确认阅读", approve: "批准", reject: "驳回", acknowledge: "确认阅读",
  decided: "审批决定已记录", acknowledged: "已确认阅读", sequence: "依次审批", quorum: "法定人数 {{count}}",
  in_approval: "审批中", approved: "已批准", rejected: "已驳回", superseded: "已替代",
  noVersions: "尚无版本",
};

const VOCABULARY = {
  en: {
    patent: "Patent", utility_model: "Utility model", design: "Design", trademark: "Trademark",
    copyright: "Copyright", software: "Software", trade_secret: "Trade secret", domain_name: "Domain name",
    draft: "Draft", pending: "Pending", published: "Published", granted: "Granted", registered: "Registered",
    lapsed: "Lapsed", abandoned: "Abandoned", expired: "Expired", revoked: "Revoked",
    renewal: "Renewal", annuity: "Annuity", office_action: "Office action", opposition: "Opposition",
    priority: "Priority", national_phase: "National phase", validation: "Validation",
    other: "Other", open: "Open", done: "Done", waived: "Waived", missed: "Missed",
    infringement: "Infringement", validity: "Validity", ownership: "Ownership",
    freedom_to_operate: "Freedom to operate", licensing: "Licensing", portfolio_cost: "Portfolio cost",
    treating: "Treating", accepted: "Accepted", closed: "Closed",
    avoid: "Avoid", mitigate: "Mitigate", transfer: "Transfer", accept: "Accept",
    top_level_design: "Top-level design", management_systems: "Management systems", resources: "Resources",
    in: "In", out: "Out", active: "Active", terminated: "Terminated", responding: "Responding", contained: "Contained",
    low: "Low", medium: "Medium", high: "High", critical: "Critical",
    infringement_detected: "Infringement detected", opposition_filed: "Opposition filed",
    invalidation_request: "Invalidation request", leakage: "Leakage", counterfeit: "Counterfeit",
    domain_squatting: "Domain squatting", ownership_dispute: "Ownership dispute",
    monitor: "Monitor", cease_and_desist: "Cease and desist", takedown: "Takedown", litigation: "Litigation",
    opposition_defence: "Opposition defence", internal_investigation: "Internal investigation",
    negotiation: "Negotiation", in_progress: "In progress", completed: "Completed",
    pending_approval: "Pending approval", approved: "Approved", rejected: "Rejected", retired: "Retired",
  },
  zh: {
    patent: "专利", utility_model: "实用新型", design: "外观设计", trademark: "商标",
    copyright: "著作权", software: "软件", trade_secret: "商业秘密", domain_name: "域名",
    draft: "草稿", pending: "审查中", published: "已公开", granted: "已授权", registered: "已注册",
    lapsed: "已失效", abandoned: "已放弃", expired: "已届满", revoked: "已撤销",
    renewal: "续展", annuity: "年费", office_action: "审查意见", opposition: "异议",
    priority: "优先权", national_phase: "国家阶段", validation: "生效",
    other: "其他", open: "未完成", done: "已完成", waived: "已放弃", missed: "已错过",
    infringement: "侵权", validity: "有效性", ownership: "权属",
    freedom_to_operate: "自由实施", licensing: "许可", portfolio_cost: "组合成本",
    treating: "处置中", accepted: "已接受", closed: "已关闭",
    avoid: "规避", mitigate: "缓解", transfer: "转移", accept: "接受",
    top_level_design: "顶层设计", management_systems: "管理体系", resources: "资源",
    in: "引进", out: "输出", active: "有效", terminated: "已终止", responding: "响应中", contained: "已控制",
    low: "低", medium: "中", high: "高", critical: "严重",
    infringement_detected: "发现侵权", opposition_filed: "被提异议",
    invalidation_request: "无效宣告请求", leakage: "泄密", counterfeit: "假冒",
    domain_squatting: "域名抢注", ownership_dispute: "权属纠纷",
    monitor: "监控", cease_and_desist: "警告函", takedown: "下架", litigation: "诉讼",
    opposition_defence: "异议答辩", internal_investigation: "内部调查",
    negotiation: "谈判", in_progress: "进行中", completed: "已完成",
    pending_approval: "待批准", approved: "已批准", rejected: "已驳回", retired: "已停用",
  },
} satisfies { en: Record<string, string>; zh: Record<string, string> };

export type Word = keyof typeof VOCABULARY.en;

export const ASSET_KINDS = ["patent", "utility_model", "design", "trademark", "copyright", "software",
  "trade_secret", "domain_name"] as const;
export const ASSET_STATUSES = ["draft", "pending", "published", "granted", "registered", "lapsed",
  "abandoned", "expired", "revoked"] as const;
export const VALUE_TIERS = ["A", "B", "C"] as const;
export const DEADLINE_KINDS = ["renewal", "annuity", "office_action", "opposition", "priority",
  "national_phase", "validation", "other"] as const;
export const DEADLINE_STATUSES = ["open", "done", "waived", "missed"] as const;
export const RISK_CATEGORIES = ["infringement", "validity", "ownership", "trade_secret",
  "freedom_to_operate", "licensing", "portfolio_cost"] as const;
export const TREATMENTS = ["avoid", "mitigate", "transfer", "accept"] as const;
export const RISK_STATUSES = ["open", "treating", "accepted", "closed"] as const;
export const INCIDENT_KINDS = ["infringement_detected", "opposition_filed", "invalidation_request", "leakage",
  "counterfeit", "domain_squatting", "ownership_dispute", "other"] as const;
export const INCIDENT_STATUSES = ["open", "responding", "contained", "closed"] as const;
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export const RESPONSE_ACTIONS = ["monitor", "cease_and_desist", "takedown", "litigation", "opposition_defence",
  "internal_investigation", "negotiation", "other"] as const;

/** `t(key)` for the screens' texts, `word(value)` for a controlled vocabulary's value. */
export function useTexts() {
  const t = useText<Key>({ en, "zh-CN": zh });
  const name = useText<Word>({ en: VOCABULARY.en, "zh-CN": VOCABULARY.zh });
  const word = (value: string | null | undefined) => (value ? name(value as Word) : "");
  return { t, word };
}

/** Options of a Select over a vocabulary, labelled in the person's language. */
export function optionsOf(values: readonly string[], word: (v: string) => string) {
  return values.map((value) => ({ value, label: word(value) }));
}
