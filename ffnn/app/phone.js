// The phone's page (a screen narrower than NARROW px): a tap on a page link in the sidebar
// closes the sidebar, as Streamlit's own page list does, so the page it opens is in view; and a
// formula (a KaTeX display row) that still does not fit its box after wrapping at its = and +
// (COMPACT_CSS) is set in smaller type until it fits, never cut off (at least MIN_SCALE).
const NARROW = 640, MIN_SCALE = 0.55;
const narrow = () => window.innerWidth <= NARROW;

function closeOnLink(e) {
  if (!narrow()) return;
  const link = e.target.closest && e.target.closest(
    '[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]');
  if (!link) return;
  setTimeout(() => {
    const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    const bar = document.querySelector('[data-testid="stSidebar"]');
    if (button && bar && bar.dataset.collapsed === "false") button.click();
  }, 50);
}

function fit() {
  for (const d of document.querySelectorAll(".katex-display")) {
    const k = d.querySelector(":scope > .katex");
    if (!k || !d.getClientRects().length) continue;
    if (!narrow()) { if (k.dataset.fit) { k.style.fontSize = ""; delete k.dataset.fit; } continue; }
    if (k.dataset.fit && d.scrollWidth <= d.clientWidth + 1) continue;
    k.style.fontSize = "";
    const room = d.clientWidth, wide = d.scrollWidth;
    if (wide > room + 1) {
      k.style.fontSize = `${Math.max(MIN_SCALE, (room - 2) / wide).toFixed(3)}em`;
      k.dataset.fit = "1";
    }
  }
}

let queued = false;
function later() {
  if (queued) return;
  queued = true;
  requestAnimationFrame(() => { queued = false; fit(); });
}

export default function () {
  if (globalThis.__ffnnPhone) { later(); return; }
  globalThis.__ffnnPhone = true;
  document.addEventListener("click", closeOnLink, true);
  new MutationObserver(later).observe(document.body, { childList: true, subtree: true });
  window.addEventListener("resize", later);
  later();
}
