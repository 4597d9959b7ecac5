/** Second factors: the Security tab of "My notifications" (an authenticator app, passkeys,
 * recovery codes), and the second step of a sign-in (a code, a passkey or a recovery code; or,
 * when the group requires a second factor and the person has none, enrolling one first, which
 * finishes the sign-in). Enrolment works with the session or with the sign-in's ticket; a
 * change of one's factors long after signing in first asks to confirm it is them (step-up). */
import { Alert, App, Button, Card, Form, Input, Modal, Popconfirm, QRCode, Select, Space, Table, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { execute } from "../app/client";
import { useGql, type UserErrorShape } from "../app/data";
import { formatDate, GatedButton, Problems } from "../app/ui";
import { createPasskey, signWithPasskey } from "../app/webauthn";
import { graphql } from "../gql";

const MineDocument = graphql(`
  query MySecondFactors { mySecondFactors { factors { id kind name createdAt lastUsedAt } recoveryCodesLeft required } }
`);
const BeginTotpDocument = graphql(`
  mutation BeginTotpEnrolment($ticket: String) { beginTotpEnrolment(ticket: $ticket) { secret uri errors { code message field } } }
`);
const ConfirmTotpDocument = graphql(`
  mutation ConfirmTotpEnrolment($code: String!, $ticket: String) {
    confirmTotpEnrolment(code: $code, ticket: $ticket) { recoveryCodes session { userId } errors { code message field } }
  }
`);
const BeginPasskeyDocument = graphql(`
  mutation BeginPasskeyRegistration($ticket: String) {
    beginPasskeyRegistration(ticket: $ticket) { challengeId options errors { code message field } }
  }
`);
const FinishPasskeyDocument = graphql(`
  mutation FinishPasskeyRegistration($challengeId: ID!, $credential: String!, $name: String!, $ticket: String) {
    finishPasskeyRegistration(challengeId: $challengeId, credential: $credential, name: $name, ticket: $ticket) {
      recoveryCodes session { userId } errors { code message field }
    }
  }
`);
const RemoveDocument = graphql(`
  mutation RemoveMySecondFactor($id: ID!) { removeMySecondFactor(factorId: $id) { ok errors { code message field } } }
`);
const RegenerateDocument = graphql(`
  mutation RegenerateRecoveryCodes { regenerateRecoveryCodes { codes errors { code message field } } }
`);
const VerifyDocument = graphql(`
  mutation VerifySecondFactor($ticket: String!, $code: String, $recoveryCode: String) {
    verifySecondFactor(ticket: $ticket, code: $code, recoveryCode: $recoveryCode) { userId retryAfter errors { code message field } }
  }
`);
const BeginSignInDocument = graphql(`
  mutation BeginPasskeySignIn($ticket: String!) { beginPasskeySignIn(ticket: $ticket) { challengeId options errors { code message field } } }
`);
const FinishSignInDocument = graphql(`
  mutation FinishPasskeySignIn($ticket: String!, $challengeId: ID!, $credential: String!) {
    finishPasskeySignIn(ticket: $ticket, challengeId: $challengeId, credential: $credential) { userId errors { code message field } }
  }
`);

/** What enrolling a factor gave: recovery codes (the first factor) and whether a session began. */
interface Enrolled { recoveryCodes: readonly string[]; signedIn: boolean }

const ConfirmIdentityDocument = graphql(`
  mutation ConfirmIdentity($password: String, $code: String) {
    confirmIdentity(password: $password, code: $code) { confirmedAt errors { code message field } }
  }
`);

/** Asks the person to confirm it is them (step-up) before a change of their second factors;
 * `onDone(true)` once the server took the confirmation, `onDone(false)` when they cancel. */
function ConfirmIdentity(props: { onDone: (confirmed: boolean) => void }) {
  const { t } = useTranslation();
  const [errors, setErrors] = useState<UserErrorShape[]>([]);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ password?: string; code?: string }>();
  async function submit() {
    const { password, code } = form.getFieldsValue();
    setBusy(true);
    try {
      const answer = await execute(ConfirmIdentityDocument, { password: password || null, code: code || null });
      setErrors([...answer.confirmIdentity.errors]);
      if (answer.confirmIdentity.confirmedAt) props.onDone(true);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal open title={t("security.confirm.title")} okText={t("security.confirm.submit")} cancelText={t("common.cancel")}
      confirmLoading={busy} onOk={() => void submit()} onCancel={() => props.onDone(false)} destroyOnHidden>
      <Typography.Paragraph>{t("security.confirm.why")}</Typography.Paragraph>
      <Problems errors={errors} />
      <Form form={form} layout="vertical" requiredMark={false} onFinish={() => void submit()}>
        <Form.Item name="password" label={t("security.confirm.password")}>
          <Input.Password autoComplete="current-password" autoFocus />
        </Form.Item>
        <Form.Item name="code" label={t("security.confirm.code")}>
          <Input autoComplete="one-time-code" inputMode="numeric" maxLength={6} style={{ width: 120 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Runs a step, keeping its typed errors or failure for <Problems>. A step the server refuses
 * for want of a recent sign-in (STEP_UP_REQUIRED) asks the person to confirm it is them, then
 * runs once more. */
function useStep() {
  const [errors, setErrors] = useState<UserErrorShape[]>([]);
  const [failure, setFailure] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState<((confirmed: boolean) => void) | null>(null);
  const confirmed = () => new Promise<boolean>((resolve) => setAsking(() => resolve));
  async function run<R>(work: () => Promise<R>, errorsOf: (r: R) => readonly UserErrorShape[]): Promise<R | null> {
    setBusy(true); setErrors([]); setFailure(null);
    try {
      let result = await work();
      let found = errorsOf(result);
      if (found.some((e) => e.code === "STEP_UP_REQUIRED") && await confirmed()) {
        result = await work();
        found = errorsOf(result);
      }
      setErrors([...found]);
      return found.length ? null : result;
    } catch (error) {
      setFailure(error as Error);
      return null;
    } finally {
      setBusy(false);
    }
  }
  const problems = <>
    <Problems errors={errors} error={failure} />
    {asking ? <ConfirmIdentity onDone={(ok) => { asking(ok); setAsking(null); }} /> : null}
  </>;
  return { run, busy, problems };
}

/** Enrol an authenticator app: its QR code and secret, then its first code. */
export function TotpEnrolment(props: { ticket?: string; onDone: (done: Enrolled) => void }) {
  const { t } = useTranslation();
  const step = useStep();
  const [started, setStarted] = useState<{ secret: string; uri: string } | null>(null);
  const ticket = props.ticket ?? null;
  async function begin() {
    const answer = await step.run(() => execute(BeginTotpDocument, { ticket }), (r) => r.beginTotpEnrolment.errors);
    const { secret, uri } = answer?.beginTotpEnrolment ?? {};
    if (secret && uri) setStarted({ secret, uri });
  }
  async function confirm(values: { code: string }) {
    const answer = await step.run(() => execute(ConfirmTotpDocument, { code: values.code, ticket }),
      (r) => r.confirmTotpEnrolment.errors);
    if (answer) props.onDone({ recoveryCodes: answer.confirmTotpEnrolment.recoveryCodes, signedIn: !!answer.confirmTotpEnrolment.session?.userId });
  }
  if (!started) return <>{step.problems}<Button onClick={() => void begin()} loading={step.busy}>{t("security.totp.start")}</Button></>;
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      {step.problems}
      <Typography.Paragraph>{t("security.totp.scan")}</Typography.Paragraph>
      <QRCode value={started.uri} size={180} bordered={false} />
      <Typography.Paragraph>{t("security.totp.orType")} <Typography.Text code copyable data-testid="totp-secret">{started.secret}</Typography.Text></Typography.Paragraph>
      <Form layout="inline" onFinish={(v: { code: string }) => void confirm(v)} requiredMark={false}>
        <Form.Item name="code" label={t("security.code")} rules={[{ required: true, pattern: /^\d{6}$/ }]}>
          <Input autoComplete="one-time-code" inputMode="numeric" maxLength={6} style={{ width: 120 }} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={step.busy}>{t("security.totp.confirm")}</Button>
      </Form>
    </Space>
  );
}

/** Add a passkey under a name (this device, a security key). */
export function PasskeyEnrolment(props: { ticket?: string; onDone: (done: Enrolled) => void }) {
  const { t } = useTranslation();
  const step = useStep();
  const ticket = props.ticket ?? null;
  async function add(values: { name: string }) {
    const begun = await step.run(() => execute(BeginPasskeyDocument, { ticket }), (r) => r.beginPasskeyRegistration.errors);
    const { challengeId, options } = begun?.beginPasskeyRegistration ?? {};
    if (!challengeId || !options) return;
    const answer = await step.run(async () => execute(FinishPasskeyDocument, {
      challengeId, credential: await createPasskey(options), name: values.name, ticket,
    }), (r) => r.finishPasskeyRegistration.errors);
    if (answer) props.onDone({ recoveryCodes: answer.finishPasskeyRegistration.recoveryCodes, signedIn: !!answer.finishPasskeyRegistration.session?.userId });
  }
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      {step.problems}
      <Form layout="inline" onFinish={(v: { name: string }) => void add(v)} requiredMark={false} initialValues={{ name: "" }}>
        <Form.Item name="name" label={t("security.passkey.name")} rules={[{ required: true, max: 100 }]}>
          <Input placeholder={t("security.passkey.namePlaceholder")} style={{ width: 200 }} />
        </Form.Item>
        <Button htmlType="submit" loading={step.busy}>{t("security.passkey.add")}</Button>
      </Form>
    </Space>
  );
}

/** Recovery codes, shown this once. */
export function RecoveryCodes(props: { codes: readonly string[]; onSaved: () => void }) {
  const { t } = useTranslation();
  return (
    <Alert type="warning" showIcon title={t("security.recovery.title")} description={<>
      <Typography.Paragraph>{t("security.recovery.once")}</Typography.Paragraph>
      <ol data-testid="recovery-codes" style={{ columns: 2, fontFamily: "monospace" }}>
        {props.codes.map((c) => <li key={c}>{c}</li>)}
      </ol>
      <Button type="primary" onClick={props.onSaved}>{t("security.recovery.saved")}</Button>
    </>} />
  );
}

interface FactorRow { id: string; kind: string; name: string; createdAt: string; lastUsedAt?: string | null }

/** The Security tab: the person's factors, recovery codes and enrolment. */
export function MySecurity() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const query = useGql(MineDocument, {});
  const step = useStep();
  const [codes, setCodes] = useState<readonly string[]>([]);
  const mine = query.data?.mySecondFactors;
  const hasTotp = mine?.factors.some((f) => f.kind === "totp") ?? false;
  function enrolled(done: Enrolled) {
    setCodes(done.recoveryCodes);
    void message.success(t("security.enrolled"));
    void query.refetch();
  }
  async function remove(row: FactorRow) {
    if (await step.run(() => execute(RemoveDocument, { id: row.id }), (r) => r.removeMySecondFactor.errors)) void query.refetch();
  }
  async function regenerate() {
    const answer = await step.run(() => execute(RegenerateDocument, {}), (r) => r.regenerateRecoveryCodes.errors);
    if (answer) { setCodes(answer.regenerateRecoveryCodes.codes); void query.refetch(); }
  }
  return (
    <Space direction="vertical" style={{ width: "100%" }} size="large">
      <Typography.Paragraph type="secondary">{t("security.intro")}</Typography.Paragraph>
      {mine?.required && !mine.factors.length ? <Alert type="info" showIcon title={t("security.required")} /> : null}
      <Problems error={query.error} />
      {step.problems}
      {codes.length ? <RecoveryCodes codes={codes} onSaved={() => setCodes([])} /> : null}
      <Table<FactorRow> rowKey="id" size="small" loading={query.isPending} dataSource={[...(mine?.factors ?? [])]}
        pagination={false} scroll={{ x: true }} locale={{ emptyText: t("security.none") }} columns={[
          { title: t("security.kind"), dataIndex: "kind", render: (v: string) => t(`security.kinds.${v}`) },
          { title: t("security.name"), dataIndex: "name" },
          { title: t("common.created"), dataIndex: "createdAt", render: (v: string) => formatDate(v, i18n.language) },
          { title: t("security.lastUsed"), dataIndex: "lastUsedAt", render: (v?: string | null) => v ? formatDate(v, i18n.language) : "—" },
          { title: t("common.actions"), render: (_: unknown, r) => (
            <Popconfirm title={t("security.removeConfirm")} onConfirm={() => void remove(r)}>
              <Button size="small" danger>{t("security.remove")}</Button>
            </Popconfirm>) },
        ]} />
      {mine?.factors.length ? <Space wrap>
        <Typography.Text>{t("security.recovery.left", { count: mine.recoveryCodesLeft })}</Typography.Text>
        <Popconfirm title={t("security.recovery.regenerateConfirm")} onConfirm={() => void regenerate()}>
          <Button>{t("security.recovery.regenerate")}</Button>
        </Popconfirm>
      </Space> : null}
      {!hasTotp && query.data ? <Card size="small" title={t("security.totp.title")}><TotpEnrolment onDone={enrolled} /></Card> : null}
      <Card size="small" title={t("security.passkey.title")}><PasskeyEnrolment onDone={enrolled} /></Card>
    </Space>
  );
}

/** The second step of a sign-in. */
export function SecondStep(props: { ticket: string; methods: readonly string[]; enrol: boolean; onSignedIn: () => void }) {
  const { t } = useTranslation();
  const step = useStep();
  const [useRecovery, setUseRecovery] = useState(false);
  const [codes, setCodes] = useState<readonly string[]>([]);
  const { ticket } = props;
  if (codes.length) return <RecoveryCodes codes={codes} onSaved={props.onSignedIn} />;
  if (props.enrol) {
    const done = (result: Enrolled) => { if (result.recoveryCodes.length) setCodes(result.recoveryCodes); else props.onSignedIn(); };
    return (
      <Space direction="vertical" style={{ width: "100%" }}>
        <Alert type="info" showIcon title={t("security.mustEnrol")} />
        <Card size="small" title={t("security.totp.title")}><TotpEnrolment ticket={ticket} onDone={done} /></Card>
        <Card size="small" title={t("security.passkey.title")}><PasskeyEnrolment ticket={ticket} onDone={done} /></Card>
      </Space>
    );
  }
  async function verify(values: { code: string }) {
    const variables = useRecovery ? { ticket, recoveryCode: values.code } : { ticket, code: values.code };
    if (await step.run(() => execute(VerifyDocument, variables), (r) => r.verifySecondFactor.errors)) props.onSignedIn();
  }
  async function passkey() {
    const begun = await step.run(() => execute(BeginSignInDocument, { ticket }), (r) => r.beginPasskeySignIn.errors);
    const { challengeId, options } = begun?.beginPasskeySignIn ?? {};
    if (!challengeId || !options) return;
    const answer = await step.run(async () => execute(FinishSignInDocument, {
      ticket, challengeId, credential: await signWithPasskey(options),
    }), (r) => r.finishPasskeySignIn.errors);
    if (answer) props.onSignedIn();
  }
  const canCode = props.methods.includes("totp") || useRecovery;
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Typography.Paragraph>{t("security.secondStep")}</Typography.Paragraph>
      {step.problems}
      {canCode ? <Form layout="vertical" onFinish={(v: { code: string }) => void verify(v)} requiredMark={false}>
        <Form.Item name="code" label={useRecovery ? t("security.recovery.code") : t("security.code")} rules={[{ required: true }]}>
          <Input autoComplete="one-time-code" autoFocus inputMode={useRecovery ? "text" : "numeric"} />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={step.busy}>{t("security.verify")}</Button>
      </Form> : null}
      {props.methods.includes("passkey") ? <Button block onClick={() => void passkey()} loading={step.busy}>{t("security.passkey.use")}</Button> : null}
      {props.methods.includes("recovery_code") && !useRecovery
        ? <Button type="link" onClick={() => setUseRecovery(true)}>{t("security.recovery.use")}</Button> : null}
    </Space>
  );
}


const ResetDocument = graphql(`
  mutation ResetMemberSecondFactors($tenantId: ID!, $userId: ID!) {
    resetMemberSecondFactors(tenantId: $tenantId, userId: $userId) { removed errors { code message field } }
  }
`);

/** "Reset second factors" on the members list: a lost phone or key (the server refuses a member
 * who holds more than the administrator, and says why). */
export function ResetSecondFactorsButton(props: { tenantId: string; userId: string; allowed: boolean }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  async function reset() {
    try {
      const result = (await execute(ResetDocument, { tenantId: props.tenantId, userId: props.userId })).resetMemberSecondFactors;
      if (result.errors.length) modal.error({ title: t("common.error"), content: <Problems errors={result.errors} /> });
      else void message.success(t("security.resetDone", { count: result.removed }));
    } catch (error) {
      modal.error({ title: t("common.error"), content: <Problems error={error as Error} /> });
    }
  }
  return (
    <Popconfirm title={t("security.resetConfirm")} onConfirm={() => void reset()}>
      <GatedButton size="small" danger allowed={props.allowed}>{t("security.reset")}</GatedButton>
    </Popconfirm>
  );
}

const PolicyDocument = graphql(`
  query SecondFactorPolicy($tenantId: ID!) { secondFactorPolicy(tenantId: $tenantId) { roles permissions } }
`);
const SetPolicyDocument = graphql(`
  mutation SetSecondFactorPolicy($tenantId: ID!, $roles: [String!]!, $permissions: [String!]!) {
    setSecondFactorPolicy(tenantId: $tenantId, roles: $roles, permissions: $permissions) {
      policy { roles permissions } errors { code message field }
    }
  }
`);

/** A group's policy: the roles and permissions (a clearance such as reading secret content)
 * whose holders must sign in with a second factor. */
export function SecondFactorPolicy(props: { groupId: string; roles: readonly string[]; permissions: readonly string[]; allowed: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const query = useGql(PolicyDocument, { tenantId: props.groupId });
  const step = useStep();
  async function save(values: { roles: string[]; permissions: string[] }) {
    const saved = await step.run(() => execute(SetPolicyDocument, { tenantId: props.groupId, ...values }),
      (r) => r.setSecondFactorPolicy.errors);
    if (saved) { void message.success(t("security.policy.saved")); void query.refetch(); }
  }
  if (!query.data) return <Problems error={query.error} />;
  const current = query.data.secondFactorPolicy;
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Typography.Paragraph type="secondary">{t("security.policy.help")}</Typography.Paragraph>
      {step.problems}
      <Form layout="vertical" onFinish={(v: { roles: string[]; permissions: string[] }) => void save(v)} disabled={!props.allowed}
        initialValues={{ roles: [...current.roles], permissions: [...current.permissions] }} style={{ maxWidth: 640 }}>
        <Form.Item name="roles" label={t("security.policy.roles")}>
          <Select mode="multiple" allowClear options={props.roles.map((r) => ({ value: r, label: r }))} />
        </Form.Item>
        <Form.Item name="permissions" label={t("security.policy.permissions")} extra={t("security.policy.permissionsHelp")}>
          <Select mode="tags" allowClear options={props.permissions.map((p) => ({ value: p, label: p }))} />
        </Form.Item>
        <GatedButton type="primary" htmlType="submit" allowed={props.allowed} loading={step.busy}>{t("security.policy.save")}</GatedButton>
      </Form>
    </Space>
  );
}
