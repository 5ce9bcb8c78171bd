// The listing form in the provider portal. Without JavaScript the form works by round trips
// ("Show the fields for this service"); with it, choosing a service type swaps in that type's
// extra fields in place, and the price box hides while "On quote" is chosen.
(function () {
  "use strict";

  const form = document.querySelector("[data-listing-form]");
  if (!form) {
    return;
  }

  const select = form.querySelector('select[name="subcategory"]');
  const block = form.querySelector("[data-attribute-fields]");
  const refresh = form.querySelector("[data-refresh-button]");
  const url = form.dataset.attributesUrl;

  if (select && block && url) {
    if (refresh) {
      refresh.hidden = true;
    }
    let pending = null;
    select.addEventListener("change", () => {
      const params = new URLSearchParams({ subcategory: select.value });
      if (form.dataset.service) {
        params.set("service", form.dataset.service);
      }
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      block.setAttribute("aria-busy", "true");
      fetch(`${url}?${params}`, {
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
        signal: pending.signal,
      })
        .then((response) => {
          if (!response.ok) {
            throw new Error(`HTTP ${response.status}`);
          }
          return response.text();
        })
        .then((html) => {
          block.innerHTML = html;
          block.removeAttribute("aria-busy");
        })
        .catch((error) => {
          if (error.name === "AbortError") {
            return;
          }
          block.removeAttribute("aria-busy");
          // Fall back to the round trip the page offers without JavaScript.
          if (refresh) {
            refresh.hidden = false;
          }
        });
    });
  }

  // "On quote" needs no price: hide the box (the server ignores a price sent with it).
  const priceField = form.querySelector("[data-price-field]");
  const priceTypes = form.querySelectorAll('input[name="price_type"]');
  const syncPrice = () => {
    const checked = form.querySelector('input[name="price_type"]:checked');
    if (priceField) {
      priceField.hidden = Boolean(checked && checked.value === "quote");
    }
  };
  priceTypes.forEach((input) => input.addEventListener("change", syncPrice));
  syncPrice();
})();
