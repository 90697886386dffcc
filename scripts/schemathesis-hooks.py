"""schemathesis hooks for scripts/schemathesis.sh (loaded through SCHEMATHESIS_HOOKS).

A phone sends a fresh Idempotency-Key with each new request and the same one only when it retries
that request. Generated cases reuse generated keys across different bodies, which the server
rightly answers 422 `idempotency_key_reused`; so every call gets a fresh key, as the app's do.
"""

import uuid

import schemathesis


@schemathesis.hook
def before_call(ctx, case, kwargs):
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key":
            headers[name] = str(uuid.uuid4())
    case.headers = headers
