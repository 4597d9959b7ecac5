/** Sign-in with e-mail and password; the language can be chosen before signing in. */
import { Button, Card, Form, Input, Layout, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { execute } from "../app/client";
import type { UserErrorShape } from "../app/data";
import { LanguageSwitch } from "../app/LanguageSwitch";
import { LoginDocument } from "../app/operations";
import { Problems } from "../app/ui";

export function SignIn(props: { onSignedIn: () => void }) {
  const { t } = useTranslation();
  const [errors, setErrors] = useState<UserErrorShape[]>([]);
  const [failure, setFailure] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(values: { email: string; password: string }) {
    setBusy(true);
    setErrors([]);
    setFailure(null);
    try {
      const { login } = await execute(LoginDocument, values);
      if (login.userId) { // the session came back in cookies
        props.onSignedIn();
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
          <Problems errors={errors} error={failure} />
          <Form layout="vertical" onFinish={submit} requiredMark={false}>
            <Form.Item name="email" label={t("signin.email")} rules={[{ required: true, type: "email" }]}>
              <Input autoComplete="username" autoFocus />
            </Form.Item>
            <Form.Item name="password" label={t("signin.password")} rules={[{ required: true }]}>
              <Input.Password autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy}>{t("signin.submit")}</Button>
          </Form>
          <Typography.Paragraph style={{ marginTop: 16, marginBottom: 0 }}>
            <a href="/account/#reset">{t("signin.forgot")}</a>
          </Typography.Paragraph>
        </Card>
      </main>
    </Layout>
  );
}
