/** The workspace's entry: languages, then the root component. */
import { createRoot } from "react-dom/client";
import { Root } from "./app/Root";
import { setupI18n } from "./app/i18n";
import { exposeSharedLibraries } from "./app/extensions";
import { adoptNonceForStyles } from "./app/csp";
import "./app/a11y.css";

adoptNonceForStyles();
setupI18n();
exposeSharedLibraries();
createRoot(document.getElementById("root")!).render(<Root />);
