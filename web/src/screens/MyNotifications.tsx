/** My notifications (every signed-in person, in any tenant): the inbox, how each kind of event
 * reaches me (inbox and e-mail, per event type), my secret calendar feeds and where I am signed
 * in, and my second factors (Security). Personal: no
 * tenant permission is needed, and nothing here is another person's. */
import { useTranslation } from "react-i18next";
import { PageTitle } from "../app/ui";
import { useWorkspace } from "../app/workspace";
import { CalendarFeeds } from "./notifications/CalendarFeeds";
import { Inbox } from "./notifications/Inbox";
import { RoutedTabs } from "./notifications/parts";
import { Preferences } from "./notifications/Preferences";
import { MySecurity } from "./Security";
import { MySessions } from "./Sessions";

export function MyNotifications() {
  const { t } = useTranslation();
  const { tenant } = useWorkspace();
  return (
    <>
      <PageTitle>{t("inbox.title")}</PageTitle>
      <RoutedTabs base={`/t/${tenant.slug}/me`} items={[
        { key: "inbox", label: t("inbox.inbox"), children: <Inbox /> },
        { key: "preferences", label: t("inbox.preferences"), children: <Preferences /> },
        { key: "calendar", label: t("inbox.calendar"), children: <CalendarFeeds /> },
        { key: "sessions", label: t("sessions.title"), children: <MySessions /> },
        { key: "security", label: t("security.title"), children: <MySecurity /> },
      ]} />
    </>
  );
}
