// Site-wide enhancements. Everything here is optional: every page works without it.
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  // Phones: the header menu collapses behind a button that toggles aria-expanded.
  const toggle = document.querySelector("[data-menu-toggle]");
  if (toggle) {
    const menu = document.getElementById(toggle.getAttribute("aria-controls"));
    const setOpen = (open) => toggle.setAttribute("aria-expanded", open ? "true" : "false");
    toggle.addEventListener("click", () => {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        toggle.focus();
      }
    });
    if (menu) {
      // Opening the menu should not trap focus in a hidden panel after a resize.
      window.matchMedia("(min-width: 1024px)").addEventListener("change", () => setOpen(false));
    }
  }

  // Account menu (<details>): close it on Escape or a click elsewhere.
  document.querySelectorAll("[data-account-menu]").forEach((details) => {
    document.addEventListener("click", (event) => {
      if (details.open && !details.contains(event.target)) {
        details.open = false;
      }
    });
    details.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && details.open) {
        details.open = false;
        details.querySelector("summary").focus();
      }
    });
  });

  // Provider portal navigation: on phones it is a strip that scrolls sideways. Start it with the
  // current page's link in view (centred when it can be) without scrolling the page, and bring
  // each link that takes the keyboard focus fully into view, focus ring and all (browsers leave
  // a half-visible link where it is).
  const portalStrip = document.querySelector(".portal-nav__list");
  if (portalStrip) {
    const scrolls = () => portalStrip.scrollWidth > portalStrip.clientWidth;
    const current = portalStrip.querySelector("[aria-current]");
    if (current && scrolls()) {
      portalStrip.scrollLeft = current.offsetLeft - (portalStrip.clientWidth - current.offsetWidth) / 2;
    }
    portalStrip.addEventListener("focusin", (event) => {
      if (scrolls()) {
        event.target.scrollIntoView({ block: "nearest", inline: "nearest" });
      }
    });
  }

  // Long forms: move focus to the error summary so screen reader users hear it first.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
})();

// Buttons that destroy something ask first: <button data-confirm="Remove this?">.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
