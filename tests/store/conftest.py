"""A real S3 endpoint for the store tests: moto's standalone server on 127.0.0.1.

The `s3` fixture (one per session) starts the server on a free loopback port, points the AWS
environment at it (AWS_ENDPOINT_URL, which pyarrow.fs, boto3 and Ray Tune's storage all honour,
and test credentials) and creates one bucket. Subprocesses (a study driver, Ray workers,
the analysis scripts) inherit that environment. Teardown stops the server and restores the
environment. Each test writes under its own prefix of the shared bucket.
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass

import pytest

BUCKET = "gwin-test"

# Variables that could send a client elsewhere than the local endpoint (a profile's endpoint or
# region, another S3-specific endpoint, a session token meant for real AWS): unset meanwhile.
_CLEARED = ("AWS_ENDPOINT_URL_S3", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN")


@dataclass(frozen=True)
class S3:
    endpoint: str  # http://127.0.0.1:PORT
    bucket: str
    env: dict[str, str]  # the AWS variables the fixture set (already in os.environ)

    def uri(self, *parts: str) -> str:
        return "/".join([f"s3://{self.bucket}", *parts])

    def fresh_uri(self, name: str) -> str:
        """A prefix no other test uses: s3://BUCKET/NAME-<random>."""
        return self.uri(f"{name}-{uuid.uuid4().hex[:8]}")

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1")

    def keys(self, prefix: str) -> list[str]:
        """The keys of the objects under `prefix` (inside the bucket), listed by boto3; the
        empty `folder/` markers pyarrow's create_dir writes are left out."""
        pages = (
            self.client()
            .get_paginator("list_objects_v2")
            .paginate(Bucket=self.bucket, Prefix=prefix)
        )
        return sorted(
            o["Key"]
            for page in pages
            for o in page.get("Contents", [])
            if not o["Key"].endswith("/")
        )


@pytest.fixture(scope="session")
def s3(tmp_path_factory):
    from moto.server import ThreadedMotoServer

    # werkzeug logs every request at INFO on stderr
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    missing = str(tmp_path_factory.mktemp("aws") / "none")  # no user config or credentials
    env = {
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",  # never ask 169.254.169.254 for credentials
        "AWS_CONFIG_FILE": missing,
        "AWS_SHARED_CREDENTIALS_FILE": missing,
    }
    saved = {k: os.environ.get(k) for k in (*env, *_CLEARED)}
    for k in _CLEARED:
        os.environ.pop(k, None)
    os.environ.update(env)
    try:
        endpoint = S3(env["AWS_ENDPOINT_URL"], BUCKET, env)
        endpoint.client().create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        server.stop()
