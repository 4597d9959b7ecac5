/**
 * Providers (data, Ant Design in the person's language with the page's CSP nonce), the router,
 * and the sign-in gate: nothing but the sign-in page is shown without a session.
 */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { App as AntApp, ConfigProvider } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import { useEffect, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { BrowserRouter, Navigate, Route, Routes } from "react-router-dom";
import { GraphQLFailure, session } from "./client";
import { cspNonce } from "./csp";
import { Shell } from "./Shell";
import { SignIn } from "../screens/SignIn";

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (count, error) => count < 2 && !(error instanceof GraphQLFailure && error.status < 500),
      refetchOnWindowFocus: false,
    },
  },
});


/** Ant Design's defaults with secondary texts dark enough for WCAG AA (4.5:1 on white). */
const THEME = {
  token: { colorPrimary: "#1f5fa8", colorLink: "#1f5fa8", colorInfo: "#1f5fa8", borderRadius: 6, colorTextDescription: "rgba(0, 0, 0, 0.62)",
    colorTextTertiary: "rgba(0, 0, 0, 0.62)", colorTextPlaceholder: "rgba(0, 0, 0, 0.55)",
    colorSuccess: "#237804", colorError: "#c9252c", colorWarning: "#ad6800",
    colorLinkHover: "#174a85", colorLinkActive: "#123a69", colorTextSecondary: "rgba(0, 0, 0, 0.65)" },
  components: { Menu: { groupTitleColor: "rgba(0, 0, 0, 0.62)" } },
};

export function ThemedProviders(props: { children: ReactNode }) {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider locale={i18n.language === "zh-CN" ? zhCN : enUS} csp={{ nonce: cspNonce() }}
      button={{ autoInsertSpace: false }} theme={THEME}>
      <AntApp>{props.children}</AntApp>
    </ConfigProvider>
  );
}

function useSignedIn(): [boolean, (value: boolean) => void] {
  const [signedIn, setSignedIn] = useState(() => session.signedIn());
  useEffect(() => session.onSignedOut(() => {
    queryClient.clear();
    setSignedIn(false);
  }), []);
  return [signedIn, setSignedIn];
}

export function Root() {
  const [signedIn, setSignedIn] = useSignedIn();
  return (
    <QueryClientProvider client={queryClient}>
      <ThemedProviders>
        <BrowserRouter>
          <Routes>
            <Route path="/signin" element={signedIn ? <Navigate to="/" replace />
              : <SignIn onSignedIn={() => setSignedIn(true)} />} />
            <Route path="*" element={signedIn ? <Shell /> : <Navigate to="/signin" replace />} />
          </Routes>
        </BrowserRouter>
      </ThemedProviders>
    </QueryClientProvider>
  );
}
