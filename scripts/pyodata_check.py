"""pyodata (an OData v2 client from PyPI) against a running unitcell: it reads the collection's
$metadata, then creates, reads, lists, filters, updates and deletes entities through its own
API. Any mismatch raises. Usage: pyodata_check.py SERVICE_URL TOKEN"""
import json
import sys

import pyodata
import requests
from pyodata.v2.service import HttpError


def personium_single_entity(response):
    """pyodata's response hook: Personium (odata4j) wraps a single entity as
    {"d":{"results":{...}}} where plain OData v2 has {"d":{...}}; unitcell answers as Personium
    does (its clients must not notice a difference), so the client is told, not the server."""
    if "json" not in response.headers.get("Content-Type", ""):
        return
    try:
        body = json.loads(response.content)
    except ValueError:
        return
    inner = body.get("d") if isinstance(body, dict) else None
    if isinstance(inner, dict) and isinstance(inner.get("results"), dict):
        response._content = json.dumps({"d": inner["results"]}).encode()


def main(url, token):
    session = requests.Session()
    session.headers["Authorization"] = "Bearer " + token
    client = pyodata.Client(url, session, response_hook=personium_single_entity)
    types = {t.name for t in client.schema.entity_types}
    assert {"Item", "Tag"} <= types, types
    item = client.schema.entity_type("Item")
    props = {p.name: p.typ.name for p in item.proprties()}
    assert props["name"] == "Edm.String" and props["n"] == "Edm.Int32", props
    assert props["price"] == "Edm.Double" and props["at"] == "Edm.DateTime", props
    items = client.entity_sets.Item

    made = []
    for i in range(20):
        e = items.create_entity().set(**{"__id": "i%02d" % i, "name": "item %d" % i,
                                         "n": i, "price": i / 4}).execute()
        made.append(e)
    assert made[3].name == "item 3" and made[3].n == 3, vars(made[3])
    assert abs(made[3].price - 0.75) < 1e-9

    one = items.get_entity("i07").execute()
    assert (one.name, one.n) == ("item 7", 7), (one.name, one.n)
    assert one.ok is True, "the default of ok"

    listed = items.get_entities().execute()
    assert len(listed) == 20, len(listed)
    found = items.get_entities().filter("n ge 15 and price lt 4.5").order_by("n desc").execute()
    assert [e.n for e in found] == [17, 16, 15], [e.n for e in found]
    page = items.get_entities().order_by("n").skip(5).top(3).execute()
    assert [e.n for e in page] == [5, 6, 7], [e.n for e in page]
    named = items.get_entities().filter("name eq 'item 12'").execute()
    assert [e.n for e in named] == [12], [e.n for e in named]
    counted = items.get_entities().filter("n lt 4").count().execute()
    assert counted == 4, counted

    items.update_entity("i07", method="MERGE").set(n=70).execute()
    again = items.get_entity("i07").execute()
    assert (again.name, again.n) == ("item 7", 70), (again.name, again.n)
    items.update_entity("i08", method="PUT").set(**{"name": "eight"}).execute()
    eight = items.get_entity("i08").execute()
    assert eight.name == "eight", eight.name
    # pyodata reads a null Int32 as 0; the wire says null (PUT resets omitted properties).
    raw = session.get(url + "Item('i08')", headers={"Accept": "application/json"}).json()
    assert raw["d"]["results"]["n"] is None, raw

    items.delete_entity("i07").execute()
    try:
        items.get_entity("i07").execute()
        raise AssertionError("a deleted entity is still there")
    except HttpError as e:
        assert e.response.status_code == 404, e.response.status_code
    assert len(items.get_entities().execute()) == 19
    print("pyodata: $metadata, create, get, list, filter, orderby, skip/top, count, "
          "MERGE, PUT and DELETE all as expected")


if __name__ == "__main__":
    try:
        main(sys.argv[1], sys.argv[2])
    except HttpError as e:
        req = e.response.request
        print("request:", req.method, req.url, req.body, file=sys.stderr)
        print("response:", e.response.status_code, e.response.text, file=sys.stderr)
        raise
