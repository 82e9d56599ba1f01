from __future__ import annotations

import os
import subprocess
import sys


def test_pages_send_security_headers_and_a_strict_csp(client, council):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(client, fly_tipping):
    for url in ["/", "/services/", "/services/report-fly-tipping/", "/track/", "/staff/login/"]:
        body = client.get(url).content.decode()
        assert "<script>" not in body and "<style" not in body and " style=" not in body, url
        assert body.count("<h1") == 1, url
        assert 'class="govuk-skip-link"' in body, url


def test_branding_is_the_councils_colour(client, council):
    council.brand_colour = "#00703c"
    council.save()
    response = client.get("/branding.css")
    assert response["Content-Type"].startswith("text/css")
    assert "--th-brand-colour:#00703c" in response.content.decode()


def test_unknown_pages_render_a_helpful_404(client, council):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def _settings_import(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "TOWNHALL_ENV"}}
    return subprocess.run(
        [sys.executable, "-c", "import townhall.settings as s; print(s.DEBUG, s.HTTPS)"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _settings_import({"TOWNHALL_ENV": "production"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_is_secure_by_default():
    result = _settings_import({"TOWNHALL_ENV": "production", "SECRET_KEY": "x" * 50})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]  # DEBUG off, HTTPS on


def test_a_request_over_the_size_limit_is_refused_with_a_message(client, fly_tipping, settings):
    settings.TOWNHALL_MAX_REQUEST_BYTES = 1024
    response = client.post("/track/", {"reference": "x" * 5000})
    assert response.status_code == 413
    assert "The files you sent are too large" in response.content.decode()
    # A question page is shown again with an error instead, nothing saved.
    response = client.post(
        "/services/report-fly-tipping/questions/details/",
        {"description": "x" * 5000},
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_a_tile_servers_origin_is_the_only_one_the_csp_adds_for_images():
    from townhall.env import map_tiles_origin

    assert map_tiles_origin("") == []
    assert map_tiles_origin("/tiles/{z}/{x}/{y}.png") == []
    assert map_tiles_origin("https://tiles.example.org/os/{z}/{x}/{y}.png") == [
        "https://tiles.example.org"
    ]
    assert map_tiles_origin("https://{s}.tiles.example.org/{z}/{x}/{y}.png") == [
        "https://*.tiles.example.org"
    ]
    assert map_tiles_origin("javascript://x") == []


def test_map_tiles_must_be_served_over_https_in_production():
    base = {"TOWNHALL_ENV": "production", "SECRET_KEY": "x" * 50}
    refused = _settings_import({**base, "MAP_TILES_URL": "http://tiles.example.org/{z}/{x}/{y}"})
    assert refused.returncode != 0
    assert "MAP_TILES_URL must start with https://" in refused.stderr
    allowed = _settings_import({**base, "MAP_TILES_URL": "https://tiles.example.org/{z}/{x}/{y}"})
    assert allowed.returncode == 0, allowed.stderr


def test_the_csp_lets_the_map_load_the_configured_tiles_and_nothing_else(client, council):
    # settings.py works the origin out when it starts: start it with a tile URL.
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import townhall.settings as s; "
            "print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])",
        ],
        env={
            **os.environ,
            "TOWNHALL_ENV": "test",
            "MAP_TILES_URL": "https://{s}.tiles.example.org/{z}/{x}/{y}.png",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[\"'self'\", 'data:', 'https://*.tiles.example.org']"
    assert "tiles.example.org" not in client.get("/").headers["Content-Security-Policy"]
