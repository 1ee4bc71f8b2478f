//! Links between user entities (`spec/personium-api.md` §8.2): `$links`, navigation
//! properties, create through a navigation property, `$expand`, and the multiplicity rules.

use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::odata_data::{app, create, get, ids, post, schema, COL, URL};

/// `Item` *—0..1 `Cat` and `Item` *—* `Tag`.
async fn associate(app: &TestApp, (t1, m1): (&str, &str), (t2, m2): (&str, &str)) {
    let end = |t: &str, other: &str, m: &str| json!({"Name": format!("to{other}"), "_EntityType.Name": t, "Multiplicity": m});
    schema(app, "AssociationEnd", end(t1, t2, m1)).await;
    schema(app, "AssociationEnd", end(t2, t1, m2)).await;
    let key =
        |t: &str, other: &str| format!("AssociationEnd(Name='to{other}',_EntityType.Name='{t}')");
    let r = post(
        app,
        &format!("$metadata/{}/$links/_AssociationEnd", key(t1, t2)),
        json!({"uri": format!("{URL}/$metadata/{}", key(t2, t1))}),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text());
}

fn link_body(target: &str) -> Value {
    json!({ "uri": format!("{URL}/{target}") })
}

#[actix_web::test]
async fn links_and_navigation() {
    let app = app().await;
    for t in ["Cat", "Tag"] {
        schema(&app, "EntityType", json!({ "Name": t })).await;
    }
    associate(&app, ("Item", "*"), ("Cat", "0..1")).await;
    associate(&app, ("Item", "*"), ("Tag", "*")).await;
    for i in ["i1", "i2", "i3"] {
        create(&app, json!({"__id": i, "name": i})).await;
    }
    for c in ["c1", "c2"] {
        let r = post(&app, "Cat", json!({ "__id": c })).await;
        assert_eq!(r.status, 201, "{}", r.text());
    }
    let e = get(&app, "Item('i1')").await.json()["d"]["results"].clone();
    assert_eq!(
        e["_Cat"]["__deferred"]["uri"],
        format!("{URL}/Item('i1')/_Cat"),
        "{e}"
    );

    // *:0..1 — an item has at most one category; a category many items.
    let r = post(&app, "Item('i1')/$links/_Cat", link_body("Cat('c1')")).await;
    assert_eq!(r.status, 204, "{}", r.text());
    post(&app, "Item('i1')/$links/_Cat", link_body("Cat('c2')"))
        .await
        .assert_error(409, "PR409-OD-0002");
    post(&app, "Item('i1')/$links/_Cat", link_body("Cat('c1')"))
        .await
        .assert_error(409, "PR409-OD-0002");
    let r = post(&app, "Cat('c1')/$links/_Item", link_body("Item('i2')")).await;
    assert_eq!(r.status, 204, "{}", r.text());
    post(&app, "Item('i1')/$links/_Cat", link_body("Item('i2')"))
        .await
        .assert_error(400, "PR400-OD-0008");
    post(&app, "Item('i1')/$links/_Nope", link_body("Cat('c1')"))
        .await
        .assert_error(400, "PR400-OD-0008");
    post(&app, "Item('i1')/$links/_Cat", link_body("Cat('zz')"))
        .await
        .assert_error(404, "PR404-OD-0002");
    let r = get(&app, "Cat('c1')/$links/_Item").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    let uris: Vec<&str> = body["d"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["uri"].as_str().unwrap())
        .collect();
    assert_eq!(
        uris,
        [format!("{URL}/Item('i1')"), format!("{URL}/Item('i2')")]
    );
    assert_eq!(
        ids(&get(&app, "Cat('c1')/_Item?$orderby=__id%20desc").await),
        ["i2", "i1"]
    );
    assert_eq!(
        ids(&get(&app, "Cat('c1')/_Item?$filter=name%20eq%20'i2'").await),
        ["i2"]
    );
    assert_eq!(ids(&get(&app, "Item('i2')/_Cat").await), ["c1"]);
    get(&app, "Item('i2')/_Nope")
        .await
        .assert_error(404, "PR404-OD-0003");
    // $expand, on a retrieve and on a list.
    let r = get(&app, "Cat('c1')?$expand=_Item").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let expanded = r.json()["d"]["results"]["_Item"].clone();
    let names: Vec<&str> = expanded
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["i1", "i2"], "{expanded}");
    let r = get(&app, "Item?$expand=_Cat&$orderby=__id").await;
    let list = r.json()["d"]["results"].clone();
    let cats: Vec<usize> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["_Cat"].as_array().unwrap().len())
        .collect();
    assert_eq!(cats, [1, 1, 0], "{list}");
    get(&app, "Item?$expand=_Nope")
        .await
        .assert_error(400, "PR400-OD-0025");
    // The "one" side of 1:N cannot go while linked.
    let r = app
        .delete(&format!("{COL}/Cat('c1')"))
        .master()
        .send()
        .await;
    r.assert_error(409, "PR409-OD-0001");
    let r = app
        .delete(&format!("{COL}/Item('i2')/$links/_Cat('c1')"))
        .master()
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(ids(&get(&app, "Cat('c1')/_Item").await), ["i1"]);
    // Deleting the "many" side takes its links along.
    let r = app
        .delete(&format!("{COL}/Item('i1')"))
        .master()
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert!(ids(&get(&app, "Cat('c1')/_Item").await).is_empty());
    let r = app
        .delete(&format!("{COL}/Cat('c1')"))
        .master()
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());

    // *:* and create through a navigation property.
    let r = post(&app, "Item('i3')/_Tag", json!({"__id": "t1"})).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(
        r.json()["d"]["results"]["__metadata"]["type"],
        "UserData.Tag"
    );
    let r = post(&app, "Item('i2')/$links/_Tag", link_body("Tag('t1')")).await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(ids(&get(&app, "Tag('t1')/_Item").await), ["i2", "i3"]);
    assert_eq!(ids(&get(&app, "Item('i3')/_Tag").await), ["t1"]);
    // A failed create through a navigation property leaves nothing behind.
    post(&app, "Item('i3')/_Tag", json!({"__id": "t1"}))
        .await
        .assert_error(409, "PR409-OD-0003");
    let r = post(&app, "Item('nope')/_Tag", json!({"__id": "t9"})).await;
    r.assert_error(404, "PR404-OD-0002");
    get(&app, "Tag('t9')")
        .await
        .assert_error(404, "PR404-OD-0002");
}

#[actix_web::test]
async fn one_to_one_links_take_one_partner_each() {
    let app = app().await;
    schema(&app, "EntityType", json!({ "Name": "Card" })).await;
    associate(&app, ("Item", "0..1"), ("Card", "0..1")).await;
    for i in ["i1", "i2"] {
        create(&app, json!({"__id": i, "name": i})).await;
    }
    for c in ["c1", "c2"] {
        let r = post(&app, "Card", json!({ "__id": c })).await;
        assert_eq!(r.status, 201, "{}", r.text());
    }
    let r = post(&app, "Item('i1')/$links/_Card", link_body("Card('c1')")).await;
    assert_eq!(r.status, 204, "{}", r.text());
    for (from, to) in [
        ("Item('i1')/$links/_Card", "Card('c2')"),
        ("Item('i2')/$links/_Card", "Card('c1')"),
    ] {
        post(&app, from, link_body(to))
            .await
            .assert_error(409, "PR409-OD-0002");
    }
    let r = post(&app, "Card('c2')/$links/_Item", link_body("Item('i2')")).await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(ids(&get(&app, "Item('i1')/_Card").await), ["c1"]);
    assert_eq!(ids(&get(&app, "Card('c2')/_Item").await), ["i2"]);
    // Neither side of 0..1:0..1 is the "one" of a 1:N: both may go, links with them.
    let r = app
        .delete(&format!("{COL}/Card('c1')"))
        .master()
        .send()
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert!(ids(&get(&app, "Item('i1')/_Card").await).is_empty());
    let r = post(&app, "Item('i1')/$links/_Card", link_body("Card('c2')")).await;
    r.assert_error(409, "PR409-OD-0002");
}
