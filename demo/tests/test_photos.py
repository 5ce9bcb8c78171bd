"""Demo pictures are drawn, not downloaded (no database)."""

from collections import defaultdict

import pytest

from demo.dataset import demo_data
from demo.listings import photo_keys
from demo.photos import MOTIFS, PHOTO_SIZE, PHOTO_VARIANTS, demo_picture


def test_demo_pictures_are_drawn_not_downloaded():
    picture = demo_picture(style=demo_data().category("plumbers").photo, label="Blocked drains")
    assert picture.size == PHOTO_SIZE and picture.mode == "RGB"
    colours = picture.resize((24, 18)).getcolors(24 * 18)
    assert colours and len(colours) > 20  # a gradient and a motif, not a flat colour


def test_every_category_names_a_motif_that_is_drawn():
    assert {category.photo.motif for category in demo_data().categories} <= set(MOTIFS)
    style = demo_data().category("plumbers").photo
    with pytest.raises(ValueError, match="No motif called 'wrench'"):
        demo_picture(
            style=type(style)(dark=style.dark, light=style.light, motif="wrench"), label="x"
        )


def test_each_subcategory_has_several_compositions_that_differ():
    style, label = demo_data().category("electricians").photo, "Emergency electricians"
    assert PHOTO_VARIANTS >= 3
    pictures = [demo_picture(style=style, label=label, variant=v) for v in range(PHOTO_VARIANTS)]
    small = [picture.resize((40, 30)).tobytes() for picture in pictures]
    assert len(set(small)) == PHOTO_VARIANTS
    with pytest.raises(ValueError, match="No photo variant"):
        demo_picture(style=style, label=label, variant=PHOTO_VARIANTS)


def test_listings_of_a_subcategory_in_a_city_spread_over_the_compositions(scale_one):
    # A results page is one subcategory in one city: its listings must not all share a picture.
    variants = defaultdict(list)
    for provider, plan in scale_one.listings:
        index = provider.index if provider else 0
        city = provider.city_slug if provider else demo_data().demo_provider.city_slug
        slug, variant = photo_keys(index, plan)[0]
        assert slug == plan.subcategory_slug
        variants[slug, city].append(variant)
    pages = [found for found in variants.values() if len(found) >= 5]
    assert len(pages) > 100
    for found in pages:
        assert len(set(found)) >= 2, found  # never one picture five times over
        if len(found) >= 15:  # a full page: every composition, none on more than 60%
            assert len(set(found)) == PHOTO_VARIANTS
            assert max(found.count(v) for v in set(found)) <= 0.6 * len(found)
    # Deterministic: the same listing always gets the same picture.
    provider, plan = scale_one.listings[-1]
    assert photo_keys(provider.index, plan) == photo_keys(provider.index, plan)
