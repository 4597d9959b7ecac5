/** The workspace's English texts; zh-CN.ts must have the same keys (the type says so). */
const en = {
  app: { name: "ipgov", tagline: "Enterprise IP governance" },
  common: {
    loading: "Loading…", save: "Save", cancel: "Cancel", apply: "Apply", preview: "Preview",
    refresh: "Refresh", more: "Load more", none: "Nothing here yet.", error: "Something went wrong",
    notAllowed: "Your role does not allow this here.", close: "Close", actions: "Actions",
    status: "Status", created: "Created", search: "Search", download: "Download", export: "Export CSV",
    unknown: "not known", yes: "yes", no: "no", retry: "Retry",
  },
  signin: {
    title: "Sign in", email: "E-mail", password: "Password", submit: "Sign in",
    failed: "Sign-in failed", forgot: "Forgot your password?", invitation: "Have an invitation link?",
  },
  shell: {
    tenant: "Tenant", language: "Language", signOut: "Sign out", search: "Jump to a page or tenant",
    nav: {
      home: "Home", reviews: "Reviews", directives: "Directives", escalations: "Escalations",
      governance: "Governance", members: "Members & access", supervision: "Supervision",
      audit: "Audit trail", jobs: "Jobs", plugins: "Plugins", sections: {
        work: "Work", govern: "Govern", oversee: "Oversee", plugins: "Plugins",
      },
    },
    notFound: "There is no such page.", noTenants: "You have no tenant to work in yet.",
    extensionUnavailable: "This plugin's screen is not available: {{reason}}",
    extensionFailed: "This plugin's screen failed to load: {{reason}}",
  },
  home: {
    title: "What needs me", directives: "My open directives", escalations: "Escalations to decide",
    reviews: "Reviews running", noDirectives: "No open directive is yours.",
    noEscalations: "Nothing awaits your decision.", noReviews: "No review is running.",
    due: "due {{date}}", overdue: "overdue since {{date}}",
  },
  reviews: {
    title: "Reviews", request: "Request a review", requestGroup: "Review the group",
    requested: "Review requested", progress: "{{done}} of {{total}} checks",
    children: "{{done}} of {{total}} subsidiaries", scores: "Scores by function",
    findings: "Findings", overall: "Overall", coverage: "coverage {{value}}%",
    notAssessed: "not assessed", requestedBy: "Requested by", started: "Started", finished: "Finished",
    noRuns: "No review yet: request one.", run: "Run", kind: "Kind", check: "Check",
    severity: "Severity", result: "Result", detail: "Detail",
  },
  directives: {
    title: "Directives", action: "Action", owner: "Owner role", due: "Due", severity: "Severity",
    function: "Function", close: "Mark done", closed: "Directive closed", open: "Open",
    done: "Done", all: "All", escalated: "escalated",
  },
  governance: {
    title: "Governance", mode: "Governance mode", modes: {
      centralized: "Centralized", decentralized: "Decentralized", hybrid: "Hybrid",
    },
    modeHelp: {
      centralized: "The group's roles act in every subsidiary; its policies and plugins apply there.",
      hybrid: "The group's roles act in subsidiaries and its baseline is mandatory; subsidiaries add their own.",
      decentralized: "Each subsidiary governs itself; the group keeps only supervision.",
    },
    previewTitle: "What changing to {{mode}} would do", change: "Change the mode",
    changed: "Governance mode changed", rulesCopied: "rules copied", rulesRemoved: "rules removed",
    supervisionKept: "supervision kept", gained: "gains", lost: "loses", pluginsOn: "plugins on",
    pluginsOff: "plugins off", noChange: "no change of rights",
    noneBelow: "Below this tenant nobody gains or loses a right and no plugin comes into or goes out of effect.",
    tree: "Group tree", onboard: "Onboard a subsidiary", slug: "Short name (slug)", name: "Name",
    parent: "Parent", onboarded: "Subsidiary onboarded", status: "Status",
    absorb: "Absorb a tenant", parallel: "Join as parallel reporting",
  },
  members: {
    title: "Members & access", members: "Members", invitations: "Invitations", policies: "Policies",
    invite: "Invite", email: "E-mail", role: "Role", displayName: "Name", invited: "Invitation sent",
    link: "Invitation link (e-mail could not be sent)", revoke: "Revoke", state: "State",
    expires: "Expires", inherited: "inherited", subject: "Subject", object: "Object",
    action: "Action", effect: "Effect",
  },
  supervision: {
    title: "Supervision", heatmap: "Scores by tenant and function", tenant: "Tenant",
    overall: "Overall", overdue: "Overdue directives", risks: "Risks above tolerance",
    escalations: "Escalations awaiting", auditTrail: "Audit trail", intact: "intact",
    broken: "broken", unknown: "not verified", lastReview: "Last review", noReview: "never reviewed",
    downloads: "Downloads", detail: "Tenant detail", openFindings: "Open findings",
    coverageNote: "A cell without a score was not assessed: no check could judge it.",
  },
  audit: {
    title: "Audit trail", action: "Action", actor: "Actor", at: "When", object: "Object",
    verify: "Verify the chain", verified: "The chain is intact ({{count}} events)",
    brokenAt: "The chain breaks at event {{id}}", filterAction: "Action contains",
  },
};

export default en;
export type Catalog = typeof en;
