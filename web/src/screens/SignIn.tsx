/** Sign-in with e-mail and password (then, for a person with a second factor, its second step:
 * Security.tsx), or single sign-on with the identity providers offered for
 * the address (its domain), the tenant in the link (?tenant=slug) or the whole platform; the
 * language can be chosen before signing in. A finished single sign-on comes back here with a
 * one-time code in the fragment, exchanged once for the session (completeSignIn); a refused one
 * comes back with the reason's code, shown here in the screen's language. */
import { Alert, Button, Card, Divider, Form, Input, Layout, Space, Typography } from "antd";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { execute } from "../app/client";
import type { UserErrorShape } from "../app/data";
import { LanguageSwitch } from "../app/LanguageSwitch";
import { LoginDocument } from "../app/operations";
import { CompleteSignInDocument, loginHref, SignInProvidersDocument, ssoCode, ssoRefusal } from "../app/sso";
import { Problems } from "../app/ui";
import { SecondStep } from "./Security";

interface Offered { id: string; name: string; loginUrl: string }

function useOffered(email: string): Offered[] {
  const [offered, setOffered] = useState<Offered[]>([]);
  useEffect(() => {
    const tenantSlug = new URLSearchParams(window.location.search).get("tenant");
    const timer = window.setTimeout(() => {
      const variables = tenantSlug ? { tenantSlug } : { email: /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email) ? email : null };
      execute(SignInProvidersDocument, variables)
        .then((answer) => setOffered([...answer.signInProviders]))
        .catch(() => setOffered([]));
    }, 300);
    return () => window.clearTimeout(timer);
  }, [email]);
  return offered;
}

export function SignIn(props: { onSignedIn: () => void }) {
  const { t, i18n } = useTranslation();
  const [errors, setErrors] = useState<UserErrorShape[]>([]);
  const [failure, setFailure] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const [email, setEmail] = useState("");
  const offered = useOffered(email);
  const handedOver = useRef(false);
  const [refused] = useState(() => ssoRefusal(window.location.hash));

  useEffect(() => {
    if (refused) window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }, [refused]);
  const [second, setSecond] = useState<{ ticket: string; methods: readonly string[]; enrol: boolean } | null>(null);

  useEffect(() => {
    const code = ssoCode(window.location.hash);
    if (!code || handedOver.current) return;
    handedOver.current = true;
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    setBusy(true);
    execute(CompleteSignInDocument, { code })
      .then(({ completeSignIn }) => {
        if (completeSignIn.userId) { // the session came back in cookies
          props.onSignedIn();
        } else {
          setErrors([...completeSignIn.errors]);
        }
      })
      .catch((error: unknown) => setFailure(error as Error))
      .finally(() => setBusy(false));
  }, [props]);

  async function submit(values: { email: string; password: string }) {
    setBusy(true);
    setErrors([]);
    setFailure(null);
    try {
      const { login } = await execute(LoginDocument, values);
      if (login.userId) { // the session came back in cookies
        props.onSignedIn();
      } else if (login.secondFactorTicket) { // the password was right: now the second factor
        setSecond({ ticket: login.secondFactorTicket, methods: login.secondFactorMethods, enrol: login.enrolSecondFactor });
      } else {
        setErrors([...login.errors]);
      }
    } catch (error) {
      setFailure(error as Error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Layout style={{ minHeight: "100vh", alignItems: "center", justifyContent: "center", padding: 16 }}>
      <main style={{ width: "100%", maxWidth: 400 }}>
        <Card title={<Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {t("app.name")} · {t("signin.title")}</Typography.Title>}
          extra={<LanguageSwitch />}>
          <Typography.Paragraph type="secondary">{t("app.tagline")}</Typography.Paragraph>
          {refused ? <Alert type="error" showIcon role="alert" data-testid="sso-refused"
            style={{ marginBottom: 16 }} title={t("signin.sso.refusedTitle")}
            description={<>
              <div>{t(`signin.sso.refused.${refused}`, { defaultValue: t("signin.sso.refused.other") })}</div>
              <Typography.Text type="secondary">{t("signin.sso.refusedCode", { code: refused })}</Typography.Text>
            </>} /> : null}
          {second ? <SecondStep {...second} onSignedIn={props.onSignedIn} /> : <>
          <Problems errors={errors} error={failure} />
          <Form layout="vertical" onFinish={submit} requiredMark={false}
            onValuesChange={(changed: { email?: string }) => { if (changed.email !== undefined) setEmail(changed.email); }}>
            <Form.Item name="email" label={t("signin.email")} rules={[{ required: true, type: "email" }]}>
              <Input autoComplete="username" autoFocus />
            </Form.Item>
            <Form.Item name="password" label={t("signin.password")} rules={[{ required: true }]}>
              <Input.Password autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy}>{t("signin.submit")}</Button>
          </Form>
          {offered.length ? <>
            <Divider plain>{t("signin.sso.or")}</Divider>
            <Space direction="vertical" style={{ width: "100%" }}>
              {offered.map((p) => <Button key={p.id} block href={loginHref(p.loginUrl, i18n.language)}>
                {t("signin.sso.with", { name: p.name })}</Button>)}
            </Space>
          </> : null}
          <Typography.Paragraph style={{ marginTop: 16, marginBottom: 0 }}>
            <a href="/account/#reset">{t("signin.forgot")}</a>
          </Typography.Paragraph>
          </>}
        </Card>
      </main>
    </Layout>
  );
}
