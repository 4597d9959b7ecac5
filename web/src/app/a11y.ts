/**
 * Keyboard users must be able to scroll what scrolls (WCAG 2.1.1): Ant Design's tables scroll
 * sideways on narrow screens in a region that takes no focus. Every such region the page shows
 * gets `tabindex="0"`, plugin screens' tables included.
 */
const SCROLLERS = ".ant-table-content, .ant-table-body";

function mark(root: ParentNode): void {
  root.querySelectorAll<HTMLElement>(SCROLLERS).forEach((element) => {
    if (!element.hasAttribute("tabindex")) element.setAttribute("tabindex", "0");
  });
}

export function focusableScrollRegions(): void {
  mark(document);
  new MutationObserver((records) => {
    for (const record of records) {
      record.addedNodes.forEach((node) => { if (node instanceof HTMLElement) mark(node.parentNode ?? node); });
    }
  }).observe(document.body, { childList: true, subtree: true });
}
