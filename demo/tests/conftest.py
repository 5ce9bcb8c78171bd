"""What the demo seed plans at scale 1, computed once: most checks read these, not the database."""

import pytest

from demo.providers import PROVIDERS_PER_SCALE

from .plans import ScalePlans, scale_plans


@pytest.fixture(scope="session")
def scale_one() -> ScalePlans:
    return scale_plans(PROVIDERS_PER_SCALE)
