"""Redaction: no key, no piece of one, no user info, in any text the suite writes; reproductions
name the environment variable instead of the key."""

from __future__ import annotations

import secrets
import shlex
import subprocess

import pytest

from conformance import redact as redaction
from conformance.http import Exchange
from conformance.redact import MASK, PIECE, redact, redact_headers, register_secret, shell_word


@pytest.fixture(autouse=True)
def clean_registry():
    redaction._reset_for_tests()
    yield
    redaction._reset_for_tests()


def test_secrets_and_their_url_encoded_forms_are_masked():
    secret = "abc/def+ghi="
    text = f"key={secret} and url ?k=abc%2Fdef%2Bghi%3D"
    out = redact(text, [secret])
    assert secret not in out and "abc%2Fdef%2Bghi%3D" not in out and out.count(MASK) == 2


def test_a_secret_of_any_length_is_masked():
    register_secret("k9")
    assert redact("the key k9 is short") == f"the key {MASK} is short"


def test_any_piece_of_16_characters_of_a_registered_key_is_masked():
    key = secrets.token_urlsafe(32)
    register_secret(key)
    for start, length in ((0, PIECE), (5, 20), (len(key) - PIECE, PIECE), (3, len(key) - 6)):
        piece = key[start:start + length]
        out = redact(f"echo: {piece} end")
        assert piece not in out and MASK in out, (start, length)
    assert not any(key[i:i + PIECE] in redact(f"x{key[:30]}y{key[10:]}") for i in range(len(key) - PIECE + 1))


def test_user_info_in_urls_is_masked():
    assert redact("see https://user:pw@host.example/x and http://tok@127.0.0.1:9/") == (
        f"see https://{MASK}@host.example/x and http://{MASK}@127.0.0.1:9/")


def test_credential_headers_are_masked_whatever_their_value_and_the_profiles_own_too():
    headers = redact_headers([("X-Api-Key", "anything"), ("Authorization", "Bearer tok"), ("Accept", "a")])
    assert headers == [("X-Api-Key", MASK), ("Authorization", f"Bearer {MASK}"), ("Accept", "a")]
    redaction.register_sensitive_header("X-Tenant-Token")
    assert redact_headers([("x-tenant-token", "v")]) == [("x-tenant-token", MASK)]


def test_a_reproduction_names_the_variable_that_holds_the_key_and_still_runs():
    key = "s3cr3t-key-" + secrets.token_hex(16)
    register_secret(key, "CONFORMANCE_API_KEY")
    exchange = Exchange("POST", "http://127.0.0.1:1/threads", [("X-Api-Key", key)], b'{"k": "v"}')
    curl = exchange.curl()
    assert key not in curl and '"X-Api-Key: ${CONFORMANCE_API_KEY}"' in curl
    words = shlex.split(curl)  # a valid shell command line
    assert words[0] == "curl"
    echoed = subprocess.run(["bash", "-c", f"echo {shell_word('X-Api-Key: ' + key + 'x')}"], capture_output=True, text=True,
                            env={"CONFORMANCE_API_KEY": key}).stdout.strip()
    assert echoed == f"X-Api-Key: {key}x"  # the shell puts the key back; the text never held it


def test_a_secret_without_a_variable_is_masked_in_a_reproduction():
    register_secret("derived-secret-value")
    assert "derived-secret-value" not in shell_word("a derived-secret-value b")
