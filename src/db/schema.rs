//! Diesel table definitions for both backends (kept in step with `migrations/`).

#![allow(missing_docs)]

diesel::table! {
    cells (id) {
        id -> Text,
        name -> Text,
        owner -> Nullable<Text>,
        status -> Text,
        version -> BigInt,
        published -> BigInt,
        updated -> BigInt,
        acl -> Nullable<Text>,
        props -> Nullable<Text>,
    }
}

diesel::table! {
    boxes (id) {
        id -> Text,
        cell_id -> Text,
        name -> Text,
        schema_url -> Nullable<Text>,
        version -> BigInt,
        published -> BigInt,
        updated -> BigInt,
    }
}

diesel::table! {
    dav_locks (token) {
        token -> Text,
        cell_id -> Text,
        root_id -> Text,
        path -> Text,
        exclusive -> Bool,
        infinite -> Bool,
        owner -> Nullable<Text>,
        timeout_secs -> BigInt,
        expires -> BigInt,
        created -> BigInt,
    }
}

diesel::table! {
    dav_nodes (id) {
        id -> Text,
        cell_id -> Text,
        box_id -> Nullable<Text>,
        parent_id -> Nullable<Text>,
        name -> Text,
        kind -> Text,
        content_type -> Nullable<Text>,
        size -> Nullable<BigInt>,
        version -> BigInt,
        published -> BigInt,
        updated -> BigInt,
        acl -> Nullable<Text>,
        props -> Nullable<Text>,
        blob_key -> Nullable<Text>,
        sha256 -> Nullable<Text>,
        sha1 -> Nullable<Text>,
        md5 -> Nullable<Text>,
        mtime -> Nullable<BigInt>,
    }
}

diesel::table! {
    accounts (id) {
        id -> Text,
        cell_id -> Text,
        name -> Text,
        account_type -> Text,
        ip_address_range -> Nullable<Text>,
        status -> Text,
        password_hash -> Nullable<Text>,
        last_authenticated -> Nullable<BigInt>,
        failed_count -> Integer,
        version -> BigInt,
        published -> BigInt,
        updated -> BigInt,
        last_failed -> Nullable<BigInt>,
        locked_until -> Nullable<BigInt>,
        lock_failures -> Integer,
    }
}

diesel::table! {
    roles (id) {
        id -> Text,
        cell_id -> Text,
        box_id -> Nullable<Text>,
        name -> Text,
        version -> BigInt,
        published -> BigInt,
        updated -> BigInt,
    }
}

diesel::table! {
    relations (id) {
        id -> Text,
        cell_id -> Text,
        box_id -> Nullable<Text>,
        name -> Text,
        version -> BigInt,
        published -> BigInt,
        updated -> BigInt,
    }
}

diesel::table! {
    ext_cells (id) {
        id -> Text,
        cell_id -> Text,
        url -> Text,
        version -> BigInt,
        published -> BigInt,
        updated -> BigInt,
    }
}

diesel::table! {
    ext_roles (id) {
        id -> Text,
        cell_id -> Text,
        relation_id -> Text,
        url -> Text,
        version -> BigInt,
        published -> BigInt,
        updated -> BigInt,
    }
}

diesel::table! {
    rules (id) {
        id -> Text,
        cell_id -> Text,
        box_id -> Nullable<Text>,
        name -> Text,
        event_external -> Bool,
        event_subject -> Nullable<Text>,
        event_type -> Nullable<Text>,
        event_object -> Nullable<Text>,
        event_info -> Nullable<Text>,
        action -> Text,
        target_url -> Nullable<Text>,
        version -> BigInt,
        published -> BigInt,
        updated -> BigInt,
    }
}

diesel::table! {
    received_messages (id) {
        id -> Text,
        cell_id -> Text,
        box_id -> Nullable<Text>,
        in_reply_to -> Nullable<Text>,
        from_url -> Text,
        multicast_to -> Nullable<Text>,
        message_type -> Text,
        title -> Text,
        body -> Text,
        priority -> Integer,
        status -> Text,
        request_objects -> Nullable<Text>,
        version -> BigInt,
        published -> BigInt,
        updated -> BigInt,
    }
}

diesel::table! {
    sent_messages (id) {
        id -> Text,
        cell_id -> Text,
        box_id -> Nullable<Text>,
        in_reply_to -> Nullable<Text>,
        to_urls -> Nullable<Text>,
        to_relation -> Nullable<Text>,
        message_type -> Text,
        title -> Text,
        body -> Text,
        priority -> Integer,
        request_objects -> Nullable<Text>,
        result -> Nullable<Text>,
        version -> BigInt,
        published -> BigInt,
        updated -> BigInt,
    }
}

diesel::table! {
    account_roles (account_id, role_id) {
        account_id -> Text,
        role_id -> Text,
    }
}

diesel::table! {
    role_ext_cells (role_id, ext_cell_id) {
        role_id -> Text,
        ext_cell_id -> Text,
    }
}

diesel::table! {
    role_ext_roles (role_id, ext_role_id) {
        role_id -> Text,
        ext_role_id -> Text,
    }
}

diesel::table! {
    role_relations (role_id, relation_id) {
        role_id -> Text,
        relation_id -> Text,
    }
}

diesel::table! {
    relation_ext_cells (relation_id, ext_cell_id) {
        relation_id -> Text,
        ext_cell_id -> Text,
    }
}

diesel::table! {
    account_received_messages (account_id, received_message_id) {
        account_id -> Text,
        received_message_id -> Text,
    }
}

diesel::table! {
    cell_keys (kid) {
        kid -> Text,
        cell_id -> Text,
        alg -> Text,
        nonce -> Text,
        wrapped_key -> Text,
        public_jwk -> Text,
        created -> BigInt,
    }
}

diesel::table! {
    token_grants (jti) {
        jti -> Text,
        cell_id -> Text,
        kind -> Text,
        expires -> BigInt,
    }
}

diesel::joinable!(boxes -> cells (cell_id));
diesel::joinable!(dav_nodes -> cells (cell_id));
diesel::joinable!(dav_nodes -> boxes (box_id));
diesel::joinable!(cell_keys -> cells (cell_id));
diesel::joinable!(token_grants -> cells (cell_id));
diesel::joinable!(accounts -> cells (cell_id));
diesel::joinable!(roles -> cells (cell_id));
diesel::joinable!(roles -> boxes (box_id));
diesel::joinable!(relations -> cells (cell_id));
diesel::joinable!(relations -> boxes (box_id));
diesel::joinable!(ext_cells -> cells (cell_id));
diesel::joinable!(ext_roles -> cells (cell_id));
diesel::joinable!(ext_roles -> relations (relation_id));
diesel::joinable!(rules -> cells (cell_id));
diesel::joinable!(rules -> boxes (box_id));
diesel::joinable!(received_messages -> cells (cell_id));
diesel::joinable!(received_messages -> boxes (box_id));
diesel::joinable!(sent_messages -> cells (cell_id));
diesel::joinable!(sent_messages -> boxes (box_id));
diesel::joinable!(account_roles -> accounts (account_id));
diesel::joinable!(account_roles -> roles (role_id));
diesel::joinable!(role_ext_cells -> roles (role_id));
diesel::joinable!(role_ext_cells -> ext_cells (ext_cell_id));
diesel::joinable!(role_ext_roles -> roles (role_id));
diesel::joinable!(role_ext_roles -> ext_roles (ext_role_id));
diesel::joinable!(role_relations -> roles (role_id));
diesel::joinable!(role_relations -> relations (relation_id));
diesel::joinable!(relation_ext_cells -> relations (relation_id));
diesel::joinable!(relation_ext_cells -> ext_cells (ext_cell_id));
diesel::joinable!(account_received_messages -> accounts (account_id));
diesel::joinable!(account_received_messages -> received_messages (received_message_id));

diesel::allow_tables_to_appear_in_same_query!(
    cell_keys,
    token_grants,
    cells,
    boxes,
    dav_nodes,
    accounts,
    roles,
    relations,
    ext_cells,
    ext_roles,
    rules,
    received_messages,
    sent_messages,
    account_roles,
    role_ext_cells,
    role_ext_roles,
    role_relations,
    relation_ext_cells,
    account_received_messages,
);
