import pytest
from django.core.exceptions import ValidationError

from townhall.tenancy.models import contrast_with_white, readable_with_white_text


def test_contrast_is_computed_as_wcag_defines_it():
    assert contrast_with_white("#000000") == pytest.approx(21.0)
    assert contrast_with_white("#ffffff") == pytest.approx(1.0)


@pytest.mark.parametrize("colour", ["#1d70b8", "#00703c", "#0b0c0c", "#4c2c92"])
def test_dark_brand_colours_are_accepted(colour):
    readable_with_white_text(colour)


@pytest.mark.parametrize("colour", ["#ffdd00", "#85994b", "#ffffff"])
def test_light_brand_colours_are_refused_with_the_ratio(colour):
    with pytest.raises(ValidationError, match=r"contrast of \d\.\d:1"):
        readable_with_white_text(colour)


def test_a_malformed_colour_is_refused():
    with pytest.raises(ValidationError, match="#RRGGBB"):
        readable_with_white_text("blue")
