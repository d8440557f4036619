from tests.conftest import login
from tests.criteria.factories import open_window, world
from tests.manifest.factories import new_client


def test_pages_render(app):
    world()
    open_window()
    client = new_client(app, "beheer@aadorp.nl")
    for url in ["/criteria/", "/criteria/productgroepen/kantoormeubilair?niveau=2", "/criteria/criterium/KMB-GC-01",
                "/criteria/versies", "/criteria/versies/2026", "/criteria/selecties", "/criteria/inkoopplan/gm7001",
                "/criteria/inkoopplan/gm7001/bewerken", "/criteria/inkoopplan/gm7001/afdrukken",
                "/criteria/inkoopplan/gm7001.xlsx", "/api/v1/criteria/product-groups",
                "/api/v1/criteria/product-groups/kantoormeubilair?level=significant"]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[:3000])
    coord = new_client(app, "secretariaat@mvi.nl")
    for url in ["/criteria/beheer", "/criteria/beheer/instellingen"]:
        r = coord.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[:3000])
