/** Languages of the workspace: i18next with our two catalogs, Ant Design's and dayjs' locales. */
import dayjs from "dayjs";
import "dayjs/locale/zh-cn";
import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import en from "../locales/en";
import zh from "../locales/zh-CN";
import { session } from "./client";

export const LANGUAGES = ["en", "zh-CN"] as const;
export type Language = (typeof LANGUAGES)[number];
const CHOSEN_KEY = "ipgov.language";

/** The language before sign-in: the last one chosen here, else the browser's. */
export function initialLanguage(): Language {
  const chosen = localStorage.getItem(CHOSEN_KEY);
  if (chosen === "en" || chosen === "zh-CN") return chosen;
  return navigator.language.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}

/** The server stores a locale as "zh-CN" or "en"; anything else means "not chosen". */
export function asLanguage(locale: string | null | undefined): Language | null {
  if (!locale) return null;
  if (locale.toLowerCase().startsWith("zh")) return "zh-CN";
  if (locale.toLowerCase().startsWith("en")) return "en";
  return null;
}

export function applyLanguage(lang: Language): void {
  localStorage.setItem(CHOSEN_KEY, lang);
  session.setLanguage(lang);
  dayjs.locale(lang === "zh-CN" ? "zh-cn" : "en");
  document.documentElement.lang = lang;
  void i18next.changeLanguage(lang);
}

export function setupI18n(): typeof i18next {
  const lang = initialLanguage();
  void i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, "zh-CN": { translation: zh } },
    lng: lang,
    fallbackLng: "en",
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  applyLanguage(lang);
  return i18next;
}
