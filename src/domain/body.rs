//! Request bodies of the OData control objects: a JSON object, with reserved and unknown
//! fields refused (`spec/personium-api.md` §2.3 `PR400-OD-0001`, `PR400-OD-0007`).

use serde_json::{Map, Value as Json};

use crate::error::{codes, Error, Result};

/// Properties the server maintains; a body may not set them.
const RESERVED: [&str; 3] = ["__metadata", "__published", "__updated"];

/// Parses a body that must be one JSON object.
pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Json>> {
    match serde_json::from_slice::<Json>(bytes) {
        Ok(Json::Object(map)) => Ok(map),
        Ok(_) => Err(Error::new(&codes::PR400_OD_0001)),
        Err(e) => Err(Error::new(&codes::PR400_OD_0001).source(e)),
    }
}

/// Refuses the fields the server maintains (`PR400-OD-0007`).
pub fn check_reserved(obj: &Map<String, Json>) -> Result<()> {
    match obj.keys().find(|k| RESERVED.contains(&k.as_str())) {
        Some(key) => Err(Error::new(&codes::PR400_OD_0007).param(key)),
        None => Ok(()),
    }
}

/// Refuses reserved fields and fields outside `allowed`.
pub fn check_fields(obj: &Map<String, Json>, allowed: &[&str]) -> Result<()> {
    for key in obj.keys() {
        if RESERVED.contains(&key.as_str()) || !allowed.contains(&key.as_str()) {
            return Err(Error::new(&codes::PR400_OD_0007).param(key));
        }
    }
    Ok(())
}

/// A required string field (`PR400-OD-0009` when absent or null, `PR400-OD-0006` when not a
/// string).
pub fn required_str<'a>(obj: &'a Map<String, Json>, name: &str) -> Result<&'a str> {
    match obj.get(name) {
        None | Some(Json::Null) => Err(Error::new(&codes::PR400_OD_0009).param(name)),
        Some(Json::String(s)) => Ok(s),
        Some(_) => Err(Error::new(&codes::PR400_OD_0006).param(name)),
    }
}

/// An optional string field (`PR400-OD-0006` when present but not a string).
pub fn optional_str<'a>(obj: &'a Map<String, Json>, name: &str) -> Result<Option<&'a str>> {
    match obj.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s)),
        Some(_) => Err(Error::new(&codes::PR400_OD_0006).param(name)),
    }
}
