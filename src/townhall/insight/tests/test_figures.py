"""The cost and savings arithmetic, checked against sums done by hand."""

from __future__ import annotations

import pytest

from townhall.insight.figures import (
    Volume,
    all_by_phone,
    cost_to_serve,
    digital_share,
    opportunities,
    saving,
    with_earlier_mix,
)
from townhall.insight.rates import pounds_to_pence, rate_table

BINS, BADGE = 1, 2
DEFAULTS = rate_table(council_rates={})


def test_the_published_defaults_and_their_sources():
    assert DEFAULTS.rate(None, "face_to_face").pence == 1016
    assert DEFAULTS.rate(None, "web").pence == 20
    assert DEFAULTS.rate(None, "phone").pence == 283
    assert "Kable" in DEFAULTS.rate(None, "web").source
    assert "Socitm" in DEFAULTS.rate(None, "phone").source
    assert DEFAULTS.rate(None, "email") is None  # each council sets its own


def test_cost_to_serve_by_hand():
    volumes = [
        Volume(BINS, "web", 700),  # 700 x £0.20 = £140.00
        Volume(BINS, "phone", 250),  # 250 x £2.83 = £707.50
        Volume(BINS, "face_to_face", 50),  # 50 x £10.16 = £508.00
    ]
    cost = cost_to_serve(volumes, DEFAULTS)
    assert cost.pence == 14000 + 70750 + 50800  # £1,355.50
    assert cost.uncosted == 0


def test_a_channel_without_a_rate_is_counted_apart():
    cost = cost_to_serve([Volume(BINS, "web", 10), Volume(BINS, "email", 4)], DEFAULTS)
    assert (cost.pence, cost.uncosted, cost.uncosted_channels) == (200, 4, {"email"})


def test_council_and_service_rates_override_the_defaults():
    rates = rate_table(
        council_rates={"phone": 400, "email": 150},
        service_overrides=[(BADGE, {"phone": 12.5, "web": 1})],
    )
    assert rates.rate(BINS, "phone").pence == 400
    assert rates.rate(BINS, "email").pence == 150
    assert rates.rate(BADGE, "phone").pence == 1250
    assert rates.rate(BADGE, "web").pence == 100
    assert rates.rate(BADGE, "face_to_face").pence == 1016
    assert rates.rate(BADGE, "phone").source == "set in the service's definition"
    assert rates.rate(BINS, "phone").source == "set by the council"


@pytest.mark.parametrize(
    ("pounds", "pence"), [(2.83, 283), ("10.16", 1016), (0.205, 21), (1.005, 101), (0, 0)]
)
def test_pounds_become_pence_rounding_half_up(pounds, pence):
    assert pounds_to_pence(pounds) == pence


def test_digital_take_up_counts_web_and_api():
    volumes = [Volume(BINS, "web", 60), Volume(BINS, "api", 15), Volume(BINS, "phone", 25)]
    assert digital_share(volumes) == 0.75
    assert digital_share([]) is None


def test_saving_against_everything_by_phone_by_hand():
    volumes = [
        Volume(BINS, "web", 700),
        Volume(BINS, "phone", 250),
        Volume(BINS, "face_to_face", 50),
    ]
    result = saving(volumes, all_by_phone(volumes), DEFAULTS)
    # All 1,000 by phone: 1,000 x £2.83 = £2,830.00; actual £1,355.50; saved £1,474.50.
    assert (result.baseline_pence, result.actual_pence, result.pence) == (283000, 135550, 147450)


def test_saving_against_last_years_mix_by_hand():
    last_year = [Volume(BINS, "web", 100), Volume(BINS, "phone", 300)]  # 25% online
    this_year = [Volume(BINS, "web", 600), Volume(BINS, "phone", 200)]  # 75% online
    mixed = with_earlier_mix(this_year, last_year)
    # 800 transactions at last year's mix: 200 online, 600 by phone.
    assert sorted((v.channel, v.count) for v in mixed) == [("phone", 600), ("web", 200)]
    result = saving(this_year, mixed, DEFAULTS)
    # Baseline 200 x 20p + 600 x 283p = £1,738.00; actual 600 x 20p + 200 x 283p = £686.00.
    assert (result.baseline_pence, result.actual_pence, result.pence) == (173800, 68600, 105200)


def test_a_service_new_this_year_keeps_its_own_mix():
    this_year = [Volume(BADGE, "phone", 10)]
    assert with_earlier_mix(this_year, [Volume(BINS, "web", 5)]) == this_year


def test_opportunities_are_ranked_by_what_moving_online_would_save():
    volumes = [
        Volume(BINS, "web", 900),
        Volume(BINS, "phone", 100),  # 100 x (283 - 20) = 26,300p
        Volume(BADGE, "face_to_face", 30),  # 30 x (1016 - 20) = 29,880p
        Volume(BADGE, "phone", 10),  # 10 x 263 = 2,630p
        Volume(None, "email", 5),  # no rate for email: counted, costs nothing
    ]
    ranked = opportunities(volumes, DEFAULTS)
    assert [(o.service_id, o.offline, o.pence) for o in ranked] == [
        (BADGE, 40, 29880 + 2630),
        (BINS, 100, 26300),
        (None, 5, 0),
    ]
