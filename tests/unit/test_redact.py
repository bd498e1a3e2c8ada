from conformance.http import Exchange
from conformance.redact import MASK, redact, redact_headers


def test_secrets_and_their_url_encoded_forms_are_masked():
    secret = "abc/def+ghi="
    text = f"key={secret} and url ?k=abc%2Fdef%2Bghi%3D"
    out = redact(text, [secret])
    assert secret not in out and "abc%2Fdef%2Bghi%3D" not in out and out.count(MASK) == 2


def test_credential_headers_are_masked_whatever_their_value():
    headers = redact_headers([("X-Api-Key", "anything"), ("Authorization", "Bearer tok"), ("Accept", "a")])
    assert headers == [("X-Api-Key", MASK), ("Authorization", f"Bearer {MASK}"), ("Accept", "a")]


def test_a_reproduction_never_carries_the_key():
    exchange = Exchange("POST", "http://127.0.0.1:1/threads?api_key=s3cr3t-key", [("X-Api-Key", "s3cr3t-key")], b'{"k": "s3cr3t-key"}')
    curl = exchange.curl()
    assert "s3cr3t-key" not in redact(curl, ["s3cr3t-key"])
    assert "X-Api-Key: [REDACTED]" in curl
