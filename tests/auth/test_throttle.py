"""Throttling (issue 10): failed logins per account and per address, registrations, reset
requests and wrong class codes per address. A throttled request is an HTTP 429 page that says
when to try again, answered before any password is hashed; with Redis, every worker shares
the counts."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from redis.exceptions import RedisError

from quizapp import create_app, throttle
from quizapp.auth import passwords
from quizapp.auth import services as auth_services
from quizapp.extensions import db
from quizapp.models import User
from tests.conftest import PASSWORD, csrf_token_from

REDIS_URL = os.environ.get("QUIZAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _limit(text: str) -> int:
    return int(text.split()[0])


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The passwords the login checked (each one costs an Argon2 hash)."""
    checked: list[str] = []

    def counting(password_hash: str | None, password: str) -> bool:
        checked.append(password)
        return passwords.verify_password(password_hash, password)

    monkeypatch.setattr(auth_services, "verify_password", counting)
    return checked


def _login(client: FlaskClient, email: str, password: str) -> tuple[int, str, dict[str, str]]:
    token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
    reply = client.post(
        "/auth/login", data={"email": email, "password": password, "csrf_token": token}
    )
    return reply.status_code, reply.get_data(as_text=True), dict(reply.headers)


def test_wrong_passwords_for_one_account_are_throttled_before_hashing(
    client: FlaskClient, make_user: Callable[..., User], hashes: list[str]
) -> None:
    user = make_user("target@example.org")
    allowed = _limit(throttle.LOGIN_PER_ACCOUNT)
    for i in range(allowed):
        assert _login(client, user.email, f"guess {i}")[0] == 401
    status, page, headers = _login(client, user.email, "one more guess")
    assert status == 429
    assert "Too many attempts" in page
    assert "Try again in" in page
    assert 0 < int(headers["Retry-After"]) <= 15 * 60
    assert len(hashes) == allowed  # the throttled attempt computed no hash
    # Even the right password waits: the account is what is being guessed.
    assert _login(client, user.email.upper(), PASSWORD)[0] == 429
    # Another account from the same address is not held back by this one's failures.
    other = make_user("other@example.org")
    assert _login(client, other.email, PASSWORD)[0] == 302


def test_successful_logins_do_not_count(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user("regular@example.org")
    for _ in range(_limit(throttle.LOGIN_PER_ACCOUNT) + 2):
        assert _login(client, user.email, PASSWORD)[0] == 302
        token = csrf_token_from(client.get("/").get_data(as_text=True))
        client.post("/auth/logout", data={"csrf_token": token})


def test_spraying_many_accounts_from_one_address_is_throttled(
    client: FlaskClient, hashes: list[str]
) -> None:
    allowed = _limit(throttle.LOGIN_PER_ADDRESS)
    for i in range(allowed):
        assert _login(client, f"nobody{i}@example.org", "password1")[0] == 401
    assert _login(client, "one-more@example.org", "password1")[0] == 429
    assert len(hashes) == allowed


def test_registrations_per_address_are_throttled(client: FlaskClient) -> None:
    allowed = _limit(throttle.REGISTER_PER_ADDRESS)
    for i in range(allowed + 1):
        token = csrf_token_from(client.get("/auth/register").get_data(as_text=True))
        reply = client.post(
            "/auth/register",
            data={
                "display_name": f"Sam {i}",
                "email": f"sam{i}@example.org",
                "password": "a long passphrase here",
                "confirm": "a long passphrase here",
                "csrf_token": token,
            },
        )
        if i < allowed:
            assert reply.status_code == 302, reply.get_data(as_text=True)[:500]
            token = csrf_token_from(client.get("/").get_data(as_text=True))
            client.post("/auth/logout", data={"csrf_token": token})
        else:
            assert reply.status_code == 429


def test_reset_requests_per_address_are_throttled(client: FlaskClient) -> None:
    allowed = _limit(throttle.RESET_PER_ADDRESS)
    statuses = []
    for i in range(allowed + 1):
        token = csrf_token_from(client.get("/auth/forgot").get_data(as_text=True))
        reply = client.post(
            "/auth/forgot", data={"email": f"who{i}@example.org", "csrf_token": token}
        )
        statuses.append(reply.status_code)
    assert statuses == [200] * allowed + [429]


def test_wrong_join_codes_are_throttled(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user("joiner@example.org")
    _login(client, user.email, PASSWORD)
    allowed = _limit(throttle.JOIN_PER_ADDRESS)
    statuses = []
    for i in range(allowed + 1):
        token = csrf_token_from(client.get("/courses/join").get_data(as_text=True))
        reply = client.post("/courses/join", data={"code": f"WRONG{i:03d}", "csrf_token": token})
        statuses.append(reply.status_code)
    assert statuses == [400] * allowed + [429]


@pytest.fixture
def redis_apps(app: Flask, database_url: str) -> Iterator[tuple[Flask, Flask]]:
    """Two app instances (two workers) counting in the Redis at REDIS_URL."""
    try:
        Redis.from_url(REDIS_URL).ping()
    except RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is needed in CI and unreachable at {REDIS_URL}: {exc}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "TESTING": True,
        "QUIZAPP_REDIS_URL": REDIS_URL,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
    }
    apps = (create_app(config), create_app(config))
    try:
        yield apps
    finally:
        for each in apps:
            with each.app_context():
                db.engine.dispose()


def test_workers_share_the_counts_in_redis(
    redis_apps: tuple[Flask, Flask], make_user: Callable[..., User]
) -> None:
    # An account and a client address of their own per run: the counts outlive the test in
    # Redis (until their window ends).
    run = uuid.uuid4()
    user = make_user(f"shared-{run.hex[:12]}@example.org")
    address = f"10.{run.bytes[0]}.{run.bytes[1]}.{run.bytes[2]}"
    first, second = (a.test_client() for a in redis_apps)
    for each in (first, second):
        each.environ_base["REMOTE_ADDR"] = address
    allowed = _limit(throttle.LOGIN_PER_ACCOUNT)
    for i in range(allowed):
        client = first if i % 2 else second
        assert _login(client, user.email, f"guess {i}")[0] == 401
    assert _login(first, user.email, "again")[0] == 429
    assert _login(second, user.email, "again")[0] == 429
    # The counts live in Redis (where other processes and hosts read them), not in memory.
    connection = Redis.from_url(REDIS_URL)
    keys = [
        *connection.scan_iter(f"*{user.email}*"),
        *connection.scan_iter(f"*/{address}/*"),
    ]
    assert keys
    connection.delete(*keys)
