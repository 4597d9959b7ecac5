/** Notifications of the tenant (ipgov:notification read; changes need manage): where messages
 * go (destinations, each with a test send), which events reach whom (rules), and what was
 * delivered, retried or given up (the delivery log). */
import { useTranslation } from "react-i18next";
import { PageTitle } from "../app/ui";
import { useWorkspace } from "../app/workspace";
import { DeliveryLog } from "./notifications/DeliveryLog";
import { Destinations } from "./notifications/Destinations";
import { RoutedTabs } from "./notifications/parts";
import { Rules } from "./notifications/Rules";

export function Notifications() {
  const { t } = useTranslation();
  const { tenant } = useWorkspace();
  return (
    <>
      <PageTitle>{t("notifications.title")} · {tenant.name}</PageTitle>
      <RoutedTabs base={`/t/${tenant.slug}/notifications`} items={[
        { key: "destinations", label: t("notifications.destinations"), children: <Destinations /> },
        { key: "rules", label: t("notifications.rules"), children: <Rules /> },
        { key: "log", label: t("notifications.log"), children: <DeliveryLog /> },
      ]} />
    </>
  );
}
