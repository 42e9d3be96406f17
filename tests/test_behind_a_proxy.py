"""Behind a reverse proxy (`web.proxies = 1`, docs/deploy.md) log-in delays count the address
of the person, which the proxy forwards, not the proxy's own; without a proxy configured, a
forged X-Forwarded-For header changes nothing."""

from dataclasses import replace

import pytest
from sqlalchemy import select

from mne import create_app
from mne.accounts.model import LoginAttempt
from tests.helpers import csrf_token_of

PROXY, PERSON = "127.0.0.1", "203.0.113.7"


@pytest.mark.parametrize(("proxies", "counted"), [(1, PERSON), (0, PROXY)])
def test_failed_log_in_counts_against_the_address_the_proxy_forwards(settings, db, proxies,
                                                                     counted):
    client = create_app(replace(settings, proxies=proxies)).test_client()
    client.environ_base.update(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=PERSON)
    client.post("/login", data={"email": "someone@test.example", "password": "not the one",
                                "csrf_token": csrf_token_of(client)})
    with db.sessions() as session:
        assert session.scalars(select(LoginAttempt.address)).all() == [counted]
