// Service area map: a circle of the listing's service radius around its (rounded) base.
//
// Markup: <div data-service-map data-lat="" data-lng="" data-radius-km="" data-tile-url=""
//   data-tile-attribution="" hidden> with a [data-map-canvas] inside. Needs map.js.
// Without JavaScript (or Leaflet) the map stays hidden and the "Serves within N km" line says
// it all. When tiles cannot load the map is plain grey with the circle still drawn.
(function () {
  "use strict";

  const maps = window.NearhandMap;
  if (!maps) {
    return;
  }

  function init(root) {
    const centre = maps.point(root.dataset.lat, root.dataset.lng);
    const radiusKm = parseFloat(root.dataset.radiusKm);
    if (!centre || !(radiusKm > 0)) {
      return;
    }
    const map = maps.create(root, {
      bounds: centre.toBounds(radiusKm * 2000),
      dragging: !L.Browser.mobile,
      tap: false,
    });
    if (!map) {
      return;
    }
    maps.area(centre, radiusKm * 1000).addTo(map);
    maps.dot(centre).addTo(map);
  }

  maps.each("[data-service-map]", init);
})();
