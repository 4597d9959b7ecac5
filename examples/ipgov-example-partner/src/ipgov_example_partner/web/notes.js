// The example partner's workspace screens: a hand-written ES module, no build step.
//
// The workspace imports this file from the moduleUrl GraphQL `workspaceExtensions` gives and
// calls mount(element, context, target) (context version 1, docs/plugins.md). It imports
// nothing: React, ReactDOM and Ant Design come from context.libs, so the screens render in the
// workspace's own style, and every piece of data comes through context.graphql, which the
// server authorizes field by field (hiding the form for a caller without the permission is a
// courtesy, not the protection).

const NOTES = `query ExamplePartnerNotes($t: ID!, $first: Int!, $after: String) {
  examplePartnerNotes(tenantId: $t, first: $first, after: $after) {
    edges { node { id title body dueOn done } }
    pageInfo { hasNextPage endCursor } } }`;

const CREATE = `mutation CreateExamplePartnerNote($t: ID!, $input: ExampleNoteInput!) {
  createExamplePartnerNote(tenantId: $t, input: $input) {
    note { id title } errors { code field message } } }`;

const NOTE = "example_partner:note";
const PAGE = 20;

const TEXTS = {
  en: {
    title: "Notes", intro: "Notes kept by the example partner plugin for this tenant.",
    noteTitle: "Title", body: "Text", dueOn: "Due on", done: "Done", yes: "Yes", no: "No",
    add: "Add a note", save: "Save", more: "Show more", empty: "No notes yet.",
    saved: "Note saved.", failed: "The request failed", readOnly:
      "You may read notes here but not add them.", open: "Open the notes",
  },
  "zh-CN": {
    title: "备注", intro: "示例合作伙伴插件为本租户保存的备注。",
    noteTitle: "标题", body: "内容", dueOn: "到期日", done: "已完成", yes: "是", no: "否",
    add: "添加备注", save: "保存", more: "显示更多", empty: "尚无备注。",
    saved: "备注已保存。", failed: "请求失败", readOnly: "您可以在此查看备注，但不能添加。",
    open: "打开备注",
  },
};

function texts(context) {
  return TEXTS[context.language] || TEXTS.en;
}

function firstError(result) {
  const errors = (result && result.errors) || [];
  return errors.length ? errors[0].message : null;
}

// The form that adds a note; shown only to callers who may create notes.
function NoteForm({ context, onSaved }) {
  const { React, antd } = context.libs;
  const h = React.createElement;
  const t = texts(context);
  const [form] = antd.Form.useForm();
  const [busy, setBusy] = React.useState(false);
  const [problems, setProblems] = React.useState([]);

  async function submit(values) {
    setBusy(true);
    setProblems([]);
    const input = { title: values.title || "", body: values.body || "",
                    dueOn: values.dueOn || null };
    try {
      const result = await context.graphql(CREATE, { t: context.tenant.id, input });
      const payload = result.data && result.data.createExamplePartnerNote;
      const refused = firstError(result);
      if (refused) {
        setProblems([{ field: null, message: refused }]);
      } else if (payload.errors.length) {
        setProblems(payload.errors);
      } else {
        form.resetFields();
        antd.message.success(t.saved);
        if (onSaved) onSaved(payload.note);
      }
    } catch (error) {
      setProblems([{ field: null, message: `${t.failed}: ${error.message || error}` }]);
    } finally {
      setBusy(false);
    }
  }

  return h(antd.Form, { form, layout: "vertical", onFinish: submit, disabled: busy },
    problems.map((p, i) => h(antd.Alert, { key: i, type: "error", showIcon: true,
      style: { marginBottom: 12 }, message: p.field ? `${p.field}: ${p.message}` : p.message })),
    h(antd.Form.Item, { name: "title", label: t.noteTitle, rules: [{ required: true }] },
      h(antd.Input, { maxLength: 200 })),
    h(antd.Form.Item, { name: "body", label: t.body },
      h(antd.Input.TextArea, { rows: 3, maxLength: 5000 })),
    h(antd.Form.Item, { name: "dueOn", label: t.dueOn }, h(antd.Input, { type: "date" })),
    h(antd.Button, { type: "primary", htmlType: "submit", loading: busy }, t.save));
}

// The page at /x/example_partner/notes: the tenant's notes, a page at a time, and the form.
function NotesPage({ context }) {
  const { React, antd } = context.libs;
  const h = React.createElement;
  const t = texts(context);
  const [notes, setNotes] = React.useState([]);
  const [next, setNext] = React.useState(null);
  const [loading, setLoading] = React.useState(true);
  const [problem, setProblem] = React.useState(null);
  const mayCreate = context.can(NOTE, "create");

  const load = React.useCallback(async (after, keep) => {
    setLoading(true);
    try {
      const result = await context.graphql(NOTES, { t: context.tenant.id, first: PAGE, after });
      const refused = firstError(result);
      if (refused) {
        setProblem(refused);
        return;
      }
      const page = result.data.examplePartnerNotes;
      const found = page.edges.map((e) => e.node);
      setNotes(keep ? (previous) => [...previous, ...found] : found);
      setNext(page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null);
      setProblem(null);
    } catch (error) {
      setProblem(`${t.failed}: ${error.message || error}`);
    } finally {
      setLoading(false);
    }
  }, [context]);

  React.useEffect(() => { load(null, false); }, [load]);

  const columns = [
    { title: t.noteTitle, dataIndex: "title", key: "title" },
    { title: t.body, dataIndex: "body", key: "body", ellipsis: true },
    { title: t.dueOn, dataIndex: "dueOn", key: "dueOn", width: 140 },
    { title: t.done, dataIndex: "done", key: "done", width: 100,
      render: (done) => (done ? t.yes : t.no) },
  ];

  return h(antd.Space, { direction: "vertical", size: "large", style: { width: "100%" } },
    h(antd.Typography.Title, { level: 3 }, t.title),
    h(antd.Typography.Paragraph, { type: "secondary" }, t.intro),
    problem && h(antd.Alert, { type: "error", showIcon: true, message: problem }),
    h(antd.Table, { rowKey: "id", columns, dataSource: notes, loading, pagination: false,
                    locale: { emptyText: t.empty } }),
    next && h(antd.Button, { onClick: () => load(next, true), loading }, t.more),
    h(antd.Card, { title: t.add },
      mayCreate ? h(NoteForm, { context, onSaved: () => load(null, false) })
                : h(antd.Typography.Text, { type: "secondary" }, t.readOnly)));
}

// The home widget: the form alone, with a way to the page.
function QuickNote({ context }) {
  const { React, antd } = context.libs;
  const h = React.createElement;
  const t = texts(context);
  return h(antd.Space, { direction: "vertical", style: { width: "100%" } },
    h(NoteForm, { context }),
    h(antd.Button, { type: "link", onClick: () => context.navigate("/x/example_partner/notes") },
      t.open));
}

/**
 * Mount one screen of this module.
 * @param {HTMLElement} element where to render (the workspace owns it)
 * @param {object} context the workspace's context, version 1 (docs/plugins.md)
 * @param {{kind: "page"|"widget", key: string, path?: string, slot?: string}} [target]
 *   which navigation entry or widget to show; a module with one page may ignore it
 * @returns {() => void} called by the workspace to unmount
 */
export function mount(element, context, target) {
  if (!context || context.version !== 1) {
    throw new Error("example_partner: this module needs workspace context version 1");
  }
  const { React } = context.libs;
  const screen = target && target.kind === "widget" ? QuickNote : NotesPage;
  // inside the workspace's providers: its theme, language and the page's CSP nonce
  context.render(React.createElement(screen, { context }));
  return () => context.render(null);
}
