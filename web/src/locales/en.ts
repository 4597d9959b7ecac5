/** The workspace's English texts; zh-CN.ts must have the same keys (the type says so). */
const en = {
  app: { name: "ipgov", tagline: "Enterprise IP governance" },
  common: {
    loading: "Loading…", save: "Save", cancel: "Cancel", apply: "Apply", preview: "Preview",
    refresh: "Refresh", more: "Load more", none: "Nothing here yet.", error: "Something went wrong",
    notAllowed: "Your role does not allow this here.", close: "Close", actions: "Actions",
    status: "Status", created: "Created", search: "Search", download: "Download", export: "Export CSV",
    unknown: "not known", yes: "yes", no: "no", retry: "Retry",
    previous: "Previous page", next: "Next page", page: "Page {{page}}",
  },
  signin: {
    title: "Sign in", email: "E-mail", password: "Password", submit: "Sign in",
    failed: "Sign-in failed", forgot: "Forgot your password?", invitation: "Have an invitation link?",
  },
  shell: {
    jump: { screen: "screen", tenant: "tenant" },
    tenant: "Tenant", menu: "Menu", language: "Language", signOut: "Sign out", search: "Jump to a page or tenant",
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
    done: "Done", all: "All", escalated: "escalated", escalatedHelp: "Escalated to the group: the group decides it.",
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
    absorb: "Absorb a tenant", parallel: "Join as parallel reporting", mergers: "Mergers",
    absorbHelp: "Every row of the chosen tenant moves into this one; it stays as history with its own audit trail.",
    parallelHelp: "The chosen tenant (with its subtree and IP department) joins under this one and follows its mode.",
    otherTenant: "The other tenant", merged: "Merger done",
  },
  members: {
    title: "Members & access", members: "Members", invitations: "Invitations", policies: "Policies",
    invite: "Invite", email: "E-mail", role: "Role", displayName: "Name", invited: "Invitation sent",
    link: "Invitation link (e-mail could not be sent)", revoke: "Revoke", state: "State",
    expires: "Expires", inherited: "inherited", subject: "Subject", object: "Object",
    action: "Action", effect: "Effect", origin: "Origin", addRule: "Add a rule", ruleAdded: "Rule added",
    removeRule: "Remove",
  },
  supervision: {
    title: "Supervision", heatmap: "Scores by tenant and function", tenant: "Tenant",
    overall: "Overall", overdue: "Overdue directives", risks: "Risks above tolerance",
    escalations: "Escalations awaiting", auditTrail: "Audit trail", intact: "intact",
    broken: "broken", unknown: "not verified", lastReview: "Last review", noReview: "never reviewed",
    downloads: "Downloads", detail: "Tenant detail", openFindings: "Open findings",
    trend: "Overall score over the last reviews",
    coverageNote: "A cell without a score was not assessed: no check could judge it.",
  },
  plugins: {
    title: "Plugins", name: "Plugin", subtree: "Also for every subsidiary below", changed: "Plugins changed",
    changes: "What changed where", inEffect: "in effect", off: "not in effect", imposed: "imposed by the group",
    ownChoice: "chosen here", forSubtree: "for the subtree", enable: "Enable", disable: "Disable",
    imposedHelp: "The group imposes this plugin here: only the group can take it out of effect.",
  },
  jobs: { title: "Jobs", kind: "Kind", errors: "Records at fault", cancel: "Cancel" },
  audit: {
    title: "Audit trail", action: "Action", actor: "Actor", at: "When", object: "Object",
    verify: "Verify the chain", verified: "The chain is intact ({{count}} events)",
    brokenAt: "The chain breaks at event {{id}}", filterAction: "Action contains",
  },
};

export default en;
export type Catalog = typeof en;
