"""A provider builds a listing with an extra detail and a photo; once approved, it is public."""

import io
import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

SCHEMA = [
    {
        "name": "property_type",
        "label": "Property type",
        "type": "choice",
        "choices": ["House", "Unit", "Commercial"],
        "required": True,
    },
    {"name": "report_pages", "label": "Pages in the report", "type": "number"},
]


@pytest.fixture
def catalogue(site):
    from listings.tests.factories import CategoryFactory, SubcategoryFactory

    pests = CategoryFactory(name="Pest control", slug="pest-control")
    SubcategoryFactory(category=pests, name="Cockroach treatment", slug="cockroach-treatment")
    return SubcategoryFactory(
        category=pests,
        name="Termite inspections",
        slug="termite-inspections",
        attribute_schema=SCHEMA,
    )


@pytest.fixture
def photo_file(tmp_path):
    from PIL import Image

    path = tmp_path / "termite-damage.png"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 120, 60)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def sign_in(page: Page, url: str, email: str) -> None:
    from accounts.tests.factories import PASSWORD

    page.goto(url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()


def test_a_provider_lists_a_service_that_goes_public_once_approved(
    site, catalogue, photo_file, page: Page
):
    from accounts import services as account_services
    from accounts.models import ProviderProfile
    from accounts.tests.factories import ProviderProfileFactory, UserFactory
    from listings.models import Service
    from places.tests.factories import CityFactory

    profile = ProviderProfileFactory(
        business_name="Harbour Pest Co", base_city=CityFactory(name="Sydney")
    )  # pending
    sign_in(page, site.url, profile.user.email)

    page.goto(site.url + "/portal/")
    page.get_by_role("link", name="Manage your listings").click()
    page.get_by_role("link", name="Create your first listing").click()
    expect(page.get_by_role("heading", name="Create a listing")).to_be_visible()

    # With JavaScript, choosing the type swaps in its extra fields without a reload.
    expect(page.get_by_role("button", name="Show the fields for this service")).to_be_hidden()
    page.get_by_label("Service type", exact=True).select_option(label="Termite inspections")
    page.get_by_label("Property type").select_option("House")
    page.get_by_label(re.compile("^Pages in the report")).fill("12")

    page.get_by_label("Title").fill("Pre-purchase termite inspections")
    page.get_by_label("Description").fill("A full timber pest inspection with a written report.")
    page.get_by_label("Fixed price").check()
    page.get_by_label("Price (AUD)").fill("295")
    page.get_by_role("button", name="Save as draft").click()

    expect(page.get_by_text(re.compile("saved as a draft")).first).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Photos of"))).to_be_visible()

    page.get_by_label("Add photos").set_input_files(photo_file)
    page.get_by_role("button", name="Upload photos").click()
    expect(page.get_by_text("1 photo added").first).to_be_visible()
    expect(page.get_by_text("Photo 1", exact=False).first).to_be_visible()

    page.get_by_role("button", name=re.compile("^Publish")).click()
    expect(page.get_by_text(re.compile("goes public as soon as we approve")).first).to_be_visible()

    service = Service.objects.get()
    assert service.status == "active"
    assert service.attributes == {"property_type": "House", "report_pages": 12}
    assert service.photos.count() == 1

    admin = UserFactory(is_staff=True, is_superuser=True)
    account_services.provider_set_status(
        profile=profile, status=ProviderProfile.Status.APPROVED, actor=admin
    )

    # A visitor (signed out) now finds it at its public address, with the extra detail.
    page.context.clear_cookies()
    page.goto(site.url + service.get_absolute_url())
    expect(
        page.get_by_role("heading", level=1, name="Pre-purchase termite inspections")
    ).to_be_visible()
    details = page.locator("dl", has=page.get_by_text("Property type"))
    expect(details.get_by_text("Property type")).to_be_visible()
    expect(details.get_by_text("House", exact=True)).to_be_visible()
    expect(details.get_by_text("12", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile("Preview: only you"))).to_have_count(0)


def test_without_javascript_the_type_change_is_a_round_trip(site, catalogue, browser, live_server):
    from accounts.tests.factories import ProviderProfileFactory

    profile = ProviderProfileFactory(approved=True)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, site.url, profile.user.email)
        page.goto(site.url + "/portal/listings/new/")
        page.get_by_label("Title").fill("Kept while refreshing")
        page.get_by_label("Service type", exact=True).select_option(label="Termite inspections")
        expect(page.get_by_label("Property type")).to_have_count(0)
        page.get_by_role("button", name="Show the fields for this service").click()
        expect(page.get_by_label("Property type")).to_be_visible()
        expect(page.get_by_label("Title")).to_have_value("Kept while refreshing")
    finally:
        context.close()
