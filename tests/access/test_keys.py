"""API keys: shown once, kept only as scrypt hashes, checked by role and collection, revoked at once."""
import json

import pytest

from rag.access.keys import OPEN, Caller, KeyStore
from rag.errors import AuthError, NotFoundError, UserInputError


def test_without_keys_everyone_is_open_and_with_one_a_key_is_needed(tmp_path):
    store = KeyStore(tmp_path / "keys.json")
    assert store.caller(None) == OPEN and not store.enabled()
    key, entry = store.create("write", "alpha", "ann")
    assert entry == {"label": "ann", "role": "write", "collection": "alpha", "created": entry["created"]}
    assert store.caller(key) == Caller("ann", "write", "alpha") and store.enabled()
    for wrong in (None, "", key[:-1] + ("A" if key[-1] != "A" else "B"), "rag_ffffffffffff_" + "x" * 43, "Bearer x"):
        with pytest.raises(AuthError):
            store.caller(wrong)


def test_only_a_hash_is_kept_and_the_file_is_private(tmp_path):
    store = KeyStore(tmp_path / "keys.json")
    key, _ = store.create("read", label="bob")
    text = (tmp_path / "keys.json").read_text()
    assert key not in text and key.split("_")[2] not in text and "scrypt" not in text
    assert (tmp_path / "keys.json").stat().st_mode & 0o077 == 0
    assert [k["label"] for k in store.list()] == ["bob"] and "hash" not in store.list()[0]
    assert len(json.loads(text)) == 1


def test_roles_rank_and_a_key_for_one_collection_reaches_no_other():
    reader, writer, admin = Caller("r", "read", "alpha"), Caller("w", "write", "alpha"), Caller("a", "admin", "*")
    assert reader.may("read", "alpha") and not reader.may("write", "alpha") and not reader.may("read", "beta")
    assert writer.may("write", "alpha") and not writer.may("admin", "alpha") and not writer.may("read", "default")
    assert admin.may("admin", "beta") and admin.may("read", "default")


def test_a_revoke_counts_on_the_next_check_and_the_last_one_leaves_the_service_closed(tmp_path):
    store = KeyStore(tmp_path / "keys.json")
    key, _ = store.create("read", "alpha", "carl")
    assert store.caller(key).label == "carl"  # now remembered by its digest
    KeyStore(tmp_path / "keys.json").revoke("carl")  # another process: `rag keys revoke`
    with pytest.raises(AuthError):
        store.caller(key)
    with pytest.raises(AuthError):
        store.caller(None)  # keys.json is there, empty: closed until removed
    with pytest.raises(NotFoundError):
        store.revoke("carl")


def test_server_api_key_is_an_admin_for_all_and_labels_are_checked(tmp_path):
    store = KeyStore(tmp_path / "keys.json", server_key="s3cret")
    assert store.caller("s3cret") == Caller("server.api_key", "admin", "*")
    with pytest.raises(AuthError):
        store.caller(None)
    with pytest.raises(UserInputError):
        store.create("owner")
    with pytest.raises(UserInputError):
        store.create("read", label="two words")
    store.create("read", label="dee")
    with pytest.raises(UserInputError):
        store.create("read", label="dee")
    store.create("read", "alpha", "eve")
    store.revoke_collection("alpha")
    assert [k["label"] for k in store.list()] == ["dee"]
