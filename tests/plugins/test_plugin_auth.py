"""The News health app enforces Airflow's authentication: real JWTs from Airflow's auth manager."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from fastapi.testclient import TestClient

from newsflow.publish import commit_hour
from tests.health.builders import Hour

EVIL = "<script>alert(1)</script>"


@pytest.fixture
def data_root(tmp_path, monkeypatch):
    """Six published hours ending now: a healthy feed and a feed named like an XSS payload that dies."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for i in range(6):
        hour = Hour(now - timedelta(hours=5 - i)).feed_ok("daily-herald-rss", pages=3)
        if i < 2:
            hour.feed_ok(EVIL, pages=1)
        else:
            hour.feed_failed(EVIL, "http_503", "upstream said <img src=x onerror=alert(2)>")
        hour.summary(publish={"articles": 3, "facts": 12, "quarantined": 0})
        commit_hour(tmp_path / "data", hour.hour, hour.tables(), hour.run_id)
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        "feeds:\n"
        "  - {name: daily-herald-rss, url: 'http://127.0.0.1:1/rss.xml', site: daily-herald}\n"
        f"  - {{name: '{EVIL}', url: 'http://127.0.0.1:1/x.xml?a=\"b\"', site: '<i>evil</i>'}}\n",
        encoding="utf-8",
    )
    docs = tmp_path / "data" / "data_docs"
    docs.mkdir()
    (docs / "index.html").write_text("<html><body>Data Docs home</body></html>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("do not serve", encoding="utf-8")
    monkeypatch.setenv("NEWSFLOW_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("NEWSFLOW_FEEDS", str(feeds))
    return tmp_path / "data"


@pytest.fixture
def client(auth_manager):
    from newsflow_ops.app import create_app

    return TestClient(create_app(), base_url="http://127.0.0.1")


def _token(auth_manager, role: str = "viewer", **kwargs) -> str:
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    return auth_manager.generate_jwt(SimpleAuthManagerUser(username="ops", role=role), **kwargs)


ROUTES = ["/health/", "/health/api", "/health/data-docs/index.html"]


@pytest.mark.parametrize("path", ROUTES)
def test_no_token_is_401_with_a_bearer_challenge(client, data_root, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert EVIL not in response.text and "daily-herald" not in response.text


@pytest.mark.parametrize("path", ROUTES)
def test_forged_expired_and_garbage_tokens_are_401(client, auth_manager, data_root, path):
    valid = _token(auth_manager)
    claims = jwt.decode(valid, options={"verify_signature": False})
    forged = jwt.encode(claims, "not-the-airflow-secret", algorithm=jwt.get_unverified_header(valid)["alg"])
    expired = _token(auth_manager, expiration_time_in_seconds=-3600)
    for token in (forged, expired, "not.a.jwt", valid[:-4] + "AAAA"):
        response = client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, (token, response.text)
        assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_bearer_token_and_ui_cookie_both_work(client, auth_manager, data_root):
    token = _token(auth_manager)
    by_header = client.get("/health/api", headers={"Authorization": f"Bearer {token}"})
    assert by_header.status_code == 200
    names = [f["name"] for f in by_header.json()["feeds"]]
    assert names == [EVIL, "daily-herald-rss"]  # failing first, the raw name in JSON
    client.cookies.set("_token", token)
    page = client.get("/health/")
    assert page.status_code == 200 and "News health" in page.text
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'none' forbids scripts
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_a_bad_header_does_not_fall_back_to_a_good_cookie(client, auth_manager, data_root):
    client.cookies.set("_token", _token(auth_manager))
    assert client.get("/health/", headers={"Authorization": "Bearer garbage"}).status_code == 401


def test_feed_text_is_escaped_everywhere(client, auth_manager, data_root):
    page = client.get("/health/", headers={"Authorization": f"Bearer {_token(auth_manager)}"}).text
    assert "<script" not in page.lower()
    assert "<img" not in page.lower() and "<i>evil" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "&quot;b&quot;" in page  # quotes escaped inside attributes and text
    assert 'data-feed="&lt;script&gt;alert(1)&lt;/script&gt;"' in page


def test_data_docs_are_served_but_nothing_outside_them(client, auth_manager, data_root):
    headers = {"Authorization": f"Bearer {_token(auth_manager)}"}
    page = client.get("/health/", headers=headers).text
    assert 'href="data-docs/index.html"' in page
    assert "Data Docs home" in client.get("/health/data-docs/index.html", headers=headers).text
    assert "Data Docs home" in client.get("/health/data-docs/", headers=headers).text
    for path in ("/health/data-docs/../../secret.txt", "/health/data-docs/%2e%2e/%2e%2e/secret.txt"):
        response = client.get(path, headers=headers)
        assert response.status_code == 404 and "do not serve" not in response.text
