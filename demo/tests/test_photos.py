"""Demo pictures are drawn, not downloaded (no database)."""

import pytest

from demo.dataset import demo_data
from demo.photos import MOTIFS, PHOTO_SIZE, demo_picture


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
