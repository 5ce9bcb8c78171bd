// Search page: the results map and the "Near me" button.
//
// Map: [data-results-map] (data-tile-url, data-tile-attribution) gets a Leaflet map with one
// numbered marker per result that has a point ([data-result] with data-lat/data-lng/data-number);
// the numbers match the cards. Clicking a marker moves to its card; hovering or focusing a card
// highlights its marker. Redrawn on "search:updated" (search.js). Beside the list from 960 px,
// behind a "Show map" button on phones. Without Leaflet or tiles the list has everything.
// The map itself (tiles, the "here" dot) comes from map.js.
//
// Near me: [data-near-me] asks the browser for its position, puts it into the form's
// lat/lng inputs, clears "Where?" and submits. A refusal is explained in [data-near-me-status].
(function () {
  "use strict";

  const form = document.querySelector("[data-search-form]");

  // ---------------------------------------------------------------- Near me
  const nearMe = document.querySelector("[data-near-me]");
  const status = document.querySelector("[data-near-me-status]");
  const say = (text) => {
    if (status) {
      status.textContent = text;
    }
  };

  if (nearMe && form && "geolocation" in navigator) {
    nearMe.hidden = false;
    nearMe.addEventListener("click", () => {
      nearMe.disabled = true;
      say("Finding your location…");
      navigator.geolocation.getCurrentPosition(
        (position) => {
          nearMe.disabled = false;
          const lat = form.querySelector("[data-lat-input]");
          const lng = form.querySelector("[data-lng-input]");
          const where = form.querySelector("[data-where-input]");
          lat.value = position.coords.latitude.toFixed(5);
          lng.value = position.coords.longitude.toFixed(5);
          if (where) {
            where.value = "";
          }
          const sort = form.querySelector("[data-sort-select]");
          if (sort && !form.querySelector("#id_q").value.trim()) {
            sort.value = ""; // nearest first is the default with a point
          }
          say("Showing services that cover where you are.");
          if (typeof form.requestSubmit === "function") {
            form.requestSubmit();
          } else {
            form.submit();
          }
        },
        (error) => {
          nearMe.disabled = false;
          if (error.code === error.PERMISSION_DENIED) {
            say(
              "Location access is turned off for this site, so we can’t find services near you. " +
                "Allow location in your browser settings, or type your suburb in “Where?”.",
            );
          } else {
            say("We couldn’t get your location just now. Type your suburb in “Where?” instead.");
          }
        },
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 },
      );
    });
  }

  // ---------------------------------------------------------------- Map
  const maps = window.NearhandMap;
  const panel = document.querySelector("[data-results-map]");
  const toggle = document.querySelector("[data-map-toggle]");
  if (!panel || !maps || !maps.available) {
    return; // no Leaflet: the list works on its own
  }
  const wide = window.matchMedia("(min-width: 960px)");
  const map = maps.create(panel);
  if (!map) {
    return;
  }
  const layer = L.layerGroup().addTo(map);
  const markers = new Map();

  function icon(number, active) {
    const element = document.createElement("span");
    element.className = `result-marker__pin${active ? " is-active" : ""}`;
    element.textContent = number;
    return L.divIcon({
      className: "result-marker",
      html: element,
      iconSize: [30, 30],
      iconAnchor: [15, 15],
    });
  }

  function highlight(id, on) {
    const entry = markers.get(id);
    if (entry) {
      entry.marker.setIcon(icon(entry.number, on));
      entry.marker.setZIndexOffset(on ? 1000 : 0);
    }
  }

  function draw() {
    layer.clearLayers();
    markers.clear();
    const bounds = [];
    const results = document.getElementById("search-results");
    if (!results) {
      return;
    }
    const here = maps.point(results.dataset.hereLat, results.dataset.hereLng);
    if (here) {
      maps.dot(here, { radius: 8, weight: 3, fillColor: "#2b6cb0" }).addTo(layer);
      bounds.push(here);
    }
    results.querySelectorAll("[data-result][data-lat]").forEach((item) => {
      const point = maps.point(item.dataset.lat, item.dataset.lng);
      if (!point) {
        return;
      }
      const number = item.dataset.number;
      const marker = L.marker(point, {
        icon: icon(number, false),
        title: `${number}. ${item.dataset.title}`,
        alt: `${number}. ${item.dataset.title}`,
        keyboard: true,
        riseOnHover: true,
      }).addTo(layer);
      marker.on("click", () => {
        item.classList.add("is-highlighted");
        item.scrollIntoView({ block: "nearest", behavior: "smooth" });
        const link = item.querySelector("a");
        if (link) {
          link.focus({ preventScroll: true });
        }
        window.setTimeout(() => item.classList.remove("is-highlighted"), 1600);
      });
      markers.set(item.id, { marker, number });
      item.addEventListener("mouseenter", () => highlight(item.id, true));
      item.addEventListener("mouseleave", () => highlight(item.id, false));
      item.addEventListener("focusin", () => highlight(item.id, true));
      item.addEventListener("focusout", () => highlight(item.id, false));
      bounds.push(point);
    });
    if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 13 });
    } else if (bounds.length === 1) {
      map.setView(bounds[0], 12);
    } else {
      map.setView(maps.AUSTRALIA.center, maps.AUSTRALIA.zoom);
    }
  }

  // Phones: the map sits behind a button; from 960 px it is always beside the list.
  function setOpen(open) {
    panel.classList.toggle("is-open", open);
    if (toggle) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      toggle.textContent = open ? "Hide map" : "Show map";
    }
    if (open || wide.matches) {
      map.invalidateSize();
      draw();
    }
  }
  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", () => setOpen(!panel.classList.contains("is-open")));
  }
  wide.addEventListener("change", () => {
    map.invalidateSize();
    draw();
  });

  document.addEventListener("search:updated", draw);
  draw();
})();
