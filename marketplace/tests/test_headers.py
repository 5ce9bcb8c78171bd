"""Security headers on every response."""


def test_every_page_limits_browser_features_and_cross_origin_use(client):
    response = client.get("/robots.txt")
    policy = response["Permissions-Policy"]
    assert "geolocation=(self)" in policy
    for feature in ("camera", "microphone", "payment", "usb", "interest-cohort"):
        assert f"{feature}=()" in policy
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
