import itertools

import pytest

from tests.conftest import FreshContextClient, login

_addresses = itertools.count(1)


@pytest.fixture()
def client_for(app):
    """One signed-in client per user, each from its own address (the login throttle)."""
    clients = {}

    def make(email=None):
        if email in clients:
            return clients[email]
        app.test_client_class = FreshContextClient
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.{next(_addresses) % 250}.{len(clients) + 1}"
        if email:
            login(client, email)
        clients[email] = client
        return client

    return make
