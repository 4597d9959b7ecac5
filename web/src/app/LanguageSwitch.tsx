/** The language switch: applied at once, stored as the person's preference when signed in. */
import { Segmented } from "antd";
import { useTranslation } from "react-i18next";
import { execute, session } from "./client";
import { applyLanguage, type Language } from "./i18n";
import { SetMyLocaleDocument } from "./operations";

export function LanguageSwitch() {
  const { i18n, t } = useTranslation();
  async function choose(lang: Language) {
    applyLanguage(lang);
    if (session.signedIn()) await execute(SetMyLocaleDocument, { locale: lang }).catch(() => undefined);
  }
  return (
    <Segmented aria-label={t("shell.language")} size="small" value={i18n.language}
      onChange={(value) => void choose(value as Language)}
      options={[{ label: "English", value: "en" }, { label: "中文", value: "zh-CN" }]} />
  );
}
