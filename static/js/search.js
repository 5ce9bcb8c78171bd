// Search page: filters update the results in place.
//
// The filter form ([data-search-form]) works on its own: without JavaScript it submits and the
// server renders the page. With it, a change to a filter (or a submit) fetches the same URL
// with the X-Search-Partial header, swaps #search-results for the answer, and replaces the
// address with history.replaceState so the URL can be shared and reloaded. Chip and page
// links inside the results are followed the same way. If a fetch fails, the browser simply
// loads the URL.
// Fires "search:updated" on document after each swap (results-map.js redraws its markers).
//
// On a phone the filters start collapsed behind their "Filters (N)" summary, so the first
// result is on the first screen; on wider screens they start open. N follows each swap.
(function () {
  "use strict";

  const form = document.querySelector("[data-search-form]");
  if (!form || !window.fetch || !window.URLSearchParams) {
    return;
  }
  const RESULTS_ID = "search-results";
  const latInput = form.querySelector("[data-lat-input]");
  const lngInput = form.querySelector("[data-lng-input]");
  const whereInput = form.querySelector("[data-where-input]");
  const status = form.querySelector("[data-near-me-status]");
  const queryInput = form.querySelector("#id_q");
  const asTypedInput = form.querySelector("[data-as-typed-input]");
  const filters = form.querySelector("[data-search-filters]");
  const filterCount = form.querySelector("[data-filter-count]");
  // The width below which search.css lays the page out for phones (its 640px breakpoint).
  const phone = window.matchMedia("(max-width: 639.98px)");
  let inFlight = null;

  function placeFilters() {
    if (filters) {
      filters.open = !phone.matches;
    }
  }
  placeFilters();
  phone.addEventListener("change", placeFilters);

  function updateFilterCount(fresh) {
    const count = Number(fresh.dataset.filterCount || 0);
    if (filterCount) {
      filterCount.textContent = count ? ` (${count})` : "";
    }
  }

  function formUrl() {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (typeof value === "string" && value.trim() !== "") {
        params.append(name, value.trim());
      }
    }
    const query = params.toString();
    return form.action.split("?")[0] + (query ? `?${query}` : "");
  }

  // Make the form show what a URL asks for (after following a chip or "clear all" link).
  function syncForm(url) {
    const params = new URL(url, window.location.href).searchParams;
    for (const element of form.elements) {
      if (!element.name || element.type === "submit" || element.type === "button") {
        continue;
      }
      if (element.type === "checkbox") {
        element.checked = params.has(element.name);
      } else if (element.tagName === "SELECT") {
        const wanted = params.get(element.name) || "";
        const option = Array.from(element.options).find((item) => item.value === wanted);
        element.value = option ? wanted : element.options[0] ? element.options[0].value : "";
      } else {
        element.value = params.get(element.name) || "";
      }
    }
  }

  function updateSubcategories(fresh) {
    const template = fresh.querySelector("[data-subcategory-options]");
    const field = form.querySelector("[data-subcategory-field]");
    const select = field && field.querySelector("select");
    if (!template || !select) {
      return;
    }
    const incoming = template.content.querySelector("select");
    if (incoming && document.activeElement !== select) {
      select.replaceChildren(...Array.from(incoming.options).map((item) => item.cloneNode(true)));
      select.value = incoming.value;
    }
    field.hidden = template.dataset.show !== "1";
  }

  function announce(fresh) {
    if (!status) {
      return;
    }
    const heading = fresh.querySelector("#results-heading");
    const summary = fresh.querySelector("[data-results-summary]");
    const empty = fresh.querySelector("[data-empty-results] h2");
    const parts = [heading && heading.textContent, (summary || empty || {}).textContent];
    status.textContent = parts
      .filter(Boolean)
      .map((text) => text.replace(/\s+/g, " ").trim())
      .join(". ");
  }

  async function load(url, { focusResults = false, scroll = false } = {}) {
    if (inFlight) {
      inFlight.abort();
    }
    const controller = new AbortController();
    inFlight = controller;
    const current = document.getElementById(RESULTS_ID);
    if (current) {
      current.setAttribute("aria-busy", "true");
    }
    let html;
    try {
      const response = await fetch(url, {
        headers: { "X-Search-Partial": "1" },
        credentials: "same-origin",
        signal: controller.signal,
      });
      if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
      }
      html = await response.text();
    } catch (error) {
      if (error.name === "AbortError") {
        return;
      }
      window.location.assign(url); // let the browser load it the ordinary way
      return;
    }
    if (inFlight !== controller) {
      return;
    }
    inFlight = null;
    const holder = document.createElement("template");
    holder.innerHTML = html;
    const fresh = holder.content.getElementById(RESULTS_ID);
    if (!fresh || !current) {
      window.location.assign(url);
      return;
    }
    updateSubcategories(fresh);
    updateFilterCount(fresh);
    const template = fresh.querySelector("[data-subcategory-options]");
    if (template) {
      template.remove();
    }
    current.replaceWith(fresh);
    window.history.replaceState({ search: true }, "", url);
    document.title = `${fresh.querySelector("#results-heading").textContent.trim()} · ${
      document.title.split(" · ").pop()
    }`;
    announce(fresh);
    if (focusResults) {
      const heading = fresh.querySelector("#results-heading");
      heading.focus({ preventScroll: true });
      if (scroll) {
        fresh.scrollIntoView({ block: "start" });
      }
    }
    document.dispatchEvent(new CustomEvent("search:updated"));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load(formUrl());
  });

  form.addEventListener("change", (event) => {
    const target = event.target;
    if (target === whereInput) {
      return; // typed text is sent with the button or Enter
    }
    if (target.name === "q") {
      return;
    }
    if (target.name === "category") {
      const subcategory = form.elements.namedItem("subcategory");
      if (subcategory) {
        subcategory.value = "";
      }
    }
    load(formUrl());
  });

  // New words are corrected again ("Search instead for ..." was about the old ones).
  if (queryInput && asTypedInput) {
    queryInput.addEventListener("input", () => {
      asTypedInput.value = "";
    });
  }

  // A typed place replaces "near me".
  if (whereInput) {
    whereInput.addEventListener("input", () => {
      if (latInput) latInput.value = "";
      if (lngInput) lngInput.value = "";
    });
  }

  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey) {
      return;
    }
    const link = event.target.closest(`#${RESULTS_ID} [data-search-link], #${RESULTS_ID} .pagination a`);
    if (!link) {
      return;
    }
    event.preventDefault();
    const isPage = link.closest(".pagination") !== null;
    if (!isPage) {
      syncForm(link.href);
    }
    load(link.href, { focusResults: true, scroll: isPage });
  });
})();
