// Service area map: a circle of the listing's service radius around its (rounded) base.
//
// Markup: <div data-service-map data-lat="" data-lng="" data-radius-km="" data-tile-url=""
//   data-tile-attribution="" hidden> with a [data-map-canvas] inside.
// Without JavaScript (or Leaflet) the map stays hidden and the "Serves within N km" line says
// it all. When tiles cannot load the map is plain grey with the circle still drawn.
(function () {
  "use strict";

  const BRAND = "#0b6e4f";

  function init(root) {
    const lat = parseFloat(root.dataset.lat);
    const lng = parseFloat(root.dataset.lng);
    const radiusKm = parseFloat(root.dataset.radiusKm);
    const canvas = root.querySelector("[data-map-canvas]");
    if (!canvas || !Number.isFinite(lat) || !Number.isFinite(lng) || !(radiusKm > 0)) {
      return;
    }
    root.hidden = false;
    const centre = L.latLng(lat, lng);
    const map = L.map(canvas, {
      scrollWheelZoom: false,
      dragging: !L.Browser.mobile,
      tap: false,
    });
    // Fit the area before drawing: a circle's own bounds need a map that has a view.
    map.fitBounds(centre.toBounds(radiusKm * 2000), { padding: [12, 12] });
    if (root.dataset.tileUrl) {
      L.tileLayer(root.dataset.tileUrl, {
        attribution: root.dataset.tileAttribution || "",
        maxZoom: 19,
      }).addTo(map);
    }
    L.circle(centre, {
      radius: radiusKm * 1000,
      color: BRAND,
      weight: 2,
      fillColor: BRAND,
      fillOpacity: 0.1,
      interactive: false,
    }).addTo(map);
    L.circleMarker(centre, {
      radius: 6,
      color: "#ffffff",
      weight: 2,
      fillColor: BRAND,
      fillOpacity: 1,
      interactive: false,
    }).addTo(map);
  }

  if (typeof window.L === "undefined") {
    return; // Leaflet did not load: the text line still describes the area.
  }
  document.querySelectorAll("[data-service-map]").forEach(init);
})();
